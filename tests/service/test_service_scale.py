"""Scaling out: API processes that leave the work to `briefing worker` processes, and metrics that
add up over `briefing serve --processes N`. Real processes, on one SQLite file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.service.test_service_durability import _free_port

BRIEFING = Path(sys.executable).parent / "briefing"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BRIEFING_", "OPENAI_", "PROMETHEUS_")) and key != "DATABASE_URL"
    }
    env.update(
        BRIEFING_DATA_DIR=str(tmp_path / "data"),
        BRIEFING_ENGINE="lead",
        BRIEFING_JOB_POLL_SECONDS="0.05",
        BRIEFING_SCHEDULER_ENABLED="false",
        **extra,
    )
    return env


def _serve(tmp_path: Path, *args: str, **extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        [str(BRIEFING), "serve", "--port", str(port), *args],
        env=_env(tmp_path, **extra),
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise AssertionError("the server did not start")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_an_api_without_a_worker_queues_and_a_worker_process_runs_the_jobs(tmp_path: Path) -> None:
    server, base = _serve(tmp_path, "--no-worker")
    worker = None
    try:
        accepted = httpx.post(
            f"{base}/v1/briefs?wait=false", json={"text": "Queued story. A worker runs it."}
        )
        assert accepted.status_code == 202, accepted.text
        job_url = base + accepted.json()["links"]["self"]
        time.sleep(1)
        assert httpx.get(job_url).json()["status"] == "queued"  # nothing in the API process runs it

        worker = subprocess.Popen([str(BRIEFING), "worker"], env=_env(tmp_path), stderr=subprocess.DEVNULL)
        job: dict = {}
        for _ in range(600):
            job = httpx.get(job_url).json()
            if job["status"] == "succeeded":
                break
            time.sleep(0.05)
        assert job["status"] == "succeeded" and job["brief"]["headline"] == "Queued story.", job
        assert _stop(worker) == 0  # SIGTERM stops it cleanly
        worker = None
    finally:
        if worker is not None:
            worker.kill()
        _stop(server)


def test_metrics_add_up_over_the_server_processes(tmp_path: Path) -> None:
    server, base = _serve(tmp_path, "--processes", "2")
    try:
        with httpx.Client(base_url=base) as client:
            for _ in range(40):  # spread over both processes by the kernel
                assert client.get("/healthz").status_code == 200
            pattern = re.compile(r'^briefing_http_requests_total\{[^}]*route="/healthz"[^}]*\} (\S+)$', re.M)
            seen = []
            for _ in range(6):
                body = client.get("/metrics").text
                seen.append(sum(float(value) for value in pattern.findall(body)))
        # Every scrape counts all 40 requests, whichever process answers it, and never goes back.
        assert all(value >= 40 for value in seen), seen
        assert seen == sorted(seen), seen
    finally:
        _stop(server)
