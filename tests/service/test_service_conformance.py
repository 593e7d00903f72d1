"""`schemathesis run --checks all` finds nothing against the running service, with and without keys.

The CLI run is the one docs/service.md describes: every check (status codes, content types,
headers, response schemas, negative data rejected, valid data accepted, Allow on 405, auth
ignored, use after free, response time), over all operations, against a real uvicorn server
(`tests.service.serve_conformance`: no name lookups, canned article pages, so nothing leaves the
machine). Examples are bounded and the seed fixed, so a run is the same every time and takes
seconds; any finding fails the test with schemathesis's own report.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from tests.live_server import ROOT, live_server

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
KEY = "conformance-key-0123456789"
SEED = "20261201"


def _server_settings(tmp_path: Path, keys: bool) -> dict[str, str]:
    (tmp_path / "out").mkdir()
    settings = {
        "BRIEFING_DATA_DIR": str(tmp_path / "data"),
        "BRIEFING_SCHEDULER_ENABLED": "false",
        "BRIEFING_WAIT_SECONDS": "2",
        "BRIEFING_WEBHOOK_SECRET": "conformance-secret-0123456789",
        "BRIEFING_SMTP_HOST": "127.0.0.1",
        "BRIEFING_SMTP_PORT": "9",  # discard: nothing listens, a delivery fails at once
        "BRIEFING_DELIVERY_DIRS": str(tmp_path / "out"),
    }
    if keys:
        settings["BRIEFING_API_KEYS"] = KEY
    return settings


Run = tuple[subprocess.CompletedProcess[str], ET.Element]


def _run(base: str, tmp_path: Path, headers: list[str]) -> Run:
    junit = tmp_path / "junit.xml"
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        "4",
        "--seed",
        SEED,
        "--generation-deterministic",  # implies no example database
        # One worker: with two, hypothesis parses lambda sources with `ast.parse` from two threads
        # at once, and CPython 3.11 can raise "AST constructor recursion depth mismatch" there.
        "--workers",
        "1",
        "--request-timeout",
        "60",  # schemathesis waits 10 s by default; a digest run on a loaded 2-core machine can take longer
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        *headers,
    ]
    env = {"PATH": str(SCHEMATHESIS.parent), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env["SCHEMATHESIS_HOOKS"] = "tests.service.schemathesis_hooks"
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert junit.exists(), result.stdout[-4000:] + result.stderr[-4000:]
    return result, ET.parse(junit).getroot()


def _seed(base: str, headers: dict[str, str], out: Path) -> None:
    """One of each resource (id 1), so operations on an id reach their real answer, not only 404."""
    text = "The council voted on Tuesday to close the bridge. Mayor Jane Doe said work starts in May."
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        article = client.post("/v1/articles", json={"text": text, "source": "Gazette"})
        assert article.status_code == 201, article.text
        assert client.post("/v1/briefs", json={"text": text}).status_code == 200
        schedule = {"name": "daily", "cron": "30 7 * * *", "targets": [{"path": str(out)}]}
        assert client.post("/v1/schedules", json=schedule).status_code == 201
        digest = client.post("/v1/digests", json={"article_ids": [article.json()["article"]["id"]]})
        assert digest.status_code == 201, digest.text
        assert client.post("/v1/digests", json={"schedule_id": 1}).status_code == 201
        assert client.post("/v1/feeds", json={"url": "http://localhost:9/feed.xml"}).status_code == 201


@pytest.mark.timeout(900)  # a schemathesis run of up to 300 s, plus its server
@pytest.mark.parametrize("keys", [False, True], ids=["no-keys", "api-keys"])
def test_schemathesis_finds_nothing(tmp_path: Path, keys: bool) -> None:
    headers = ["--header", f"Authorization: Bearer {KEY}"] if keys else []
    with live_server("tests.service.serve_conformance", **_server_settings(tmp_path, keys)) as base:
        _seed(base, {"Authorization": f"Bearer {KEY}"} if keys else {}, tmp_path / "out")
        result, report = _run(base, tmp_path, headers)
    summary = result.stdout[-6000:] + result.stderr[-2000:]
    cases = report.findall(".//testcase")
    failures = [case.get("name") for case in cases if case.find("failure") is not None]
    errors = [case.get("name") for case in cases if case.find("error") is not None]
    assert len(cases) >= 28, summary  # every operation was tested
    assert failures == [] and errors == [], summary
    assert result.returncode == 0, summary
    assert "5xx" not in result.stdout.split("SUMMARY")[-1] and "Server error" not in result.stdout, summary
