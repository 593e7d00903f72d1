"""Nothing accepted is lost: kill the server mid-job, start it again, and the job finishes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(port: int, data_dir: Path, delay: str) -> subprocess.Popen[bytes]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BRIEFING_", "OPENAI_")) and key != "DATABASE_URL"
    }
    env.update(
        BRIEFING_DATA_DIR=str(data_dir),
        BRIEFING_TEST_ENGINE_DELAY=delay,
        BRIEFING_JOB_LEASE_SECONDS="1",
        BRIEFING_JOB_POLL_SECONDS="0.1",
        PYTHONPATH=str(ROOT),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.service.serve_app", str(port)], cwd=ROOT, env=env
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def test_job_interrupted_by_sigkill_is_resumed_after_restart(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(port, tmp_path / "data", delay="30")
    try:
        accepted = httpx.post(
            f"{base}/v1/briefs?engine=test&wait=false", json={"text": "Durable story. It must finish."}
        )
        assert accepted.status_code == 202
        job_url = base + accepted.json()["links"]["self"]
        for _ in range(100):
            if httpx.get(job_url).json()["status"] == "running":
                break
            time.sleep(0.05)
        else:
            pytest.fail("the job never started")
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)

    restarted = _start(port, tmp_path / "data", delay="0")
    try:
        job: dict = {}
        for _ in range(200):
            job = httpx.get(job_url).json()
            if job["status"] == "succeeded":
                break
            time.sleep(0.05)
        assert job["status"] == "succeeded", job
        assert job["attempts"] == 2  # the killed run, then the resumed one
        assert job["brief"]["headline"] == "Durable story"
    finally:
        restarted.terminate()
        restarted.wait(10)
