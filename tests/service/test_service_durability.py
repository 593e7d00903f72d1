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


def _start(port: int, data_dir: Path, delay: str, **extra: str) -> subprocess.Popen[bytes]:
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
    env.update(extra)  # may override the defaults above
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.service.serve_app", str(port)], cwd=ROOT, env=env
    )
    deadline = time.monotonic() + 90  # a loaded CI machine can take a while to import everything
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def _restart_and_wait(port: int, data_dir: Path, job_url: str) -> dict:
    """Start the server again on the same data and wait for the interrupted job to succeed."""
    restarted = _start(port, data_dir, delay="0")
    try:
        job: dict = {}
        for _ in range(200):
            job = httpx.get(job_url).json()
            if job["status"] == "succeeded":
                break
            time.sleep(0.05)
        assert job["status"] == "succeeded", job
        return job
    finally:
        restarted.terminate()
        restarted.wait(10)


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

    job = _restart_and_wait(port, tmp_path / "data", job_url)
    assert job["attempts"] == 2  # the killed run, then the resumed one
    assert job["brief"]["headline"] == "Durable story"


def test_request_run_in_place_is_resumed_after_sigkill(tmp_path: Path) -> None:
    """The synchronous fast path stores the job already claimed; a crash mid-run still loses nothing."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(port, tmp_path / "data", delay="30", BRIEFING_WAIT_SECONDS="0.3")
    try:
        answered = httpx.post(f"{base}/v1/briefs?engine=test", json={"text": "Waited story. It must finish."})
        assert answered.status_code == 202  # ran here, outlived the wait; still running
        job_url = base + answered.json()["links"]["self"]
        running = httpx.get(job_url).json()
        assert running["status"] == "running" and running["attempts"] == 1
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)

    job = _restart_and_wait(port, tmp_path / "data", job_url)
    assert job["attempts"] == 2
    assert job["brief"]["headline"] == "Waited story"


def test_several_server_processes_share_the_queue_and_run_each_job_once(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BRIEFING_", "OPENAI_")) and key != "DATABASE_URL"
    }
    env.update(
        BRIEFING_DATA_DIR=str(tmp_path / "data"),
        BRIEFING_ENGINE="lead",
        BRIEFING_JOB_POLL_SECONDS="0.05",
        BRIEFING_SCHEDULER_ENABLED="false",
    )
    briefing = Path(sys.executable).with_name("briefing")
    server = subprocess.Popen(
        [str(briefing), "serve", "--port", str(port), "--processes", "2"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.1)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(children) >= 2  # the worker processes under uvicorn's supervisor
        with httpx.Client(base_url=base, timeout=30) as client:
            urls = []
            for n in range(24):
                text = f"Story number {n}. The council met on Monday. It voted to close the bridge."
                accepted = client.post("/v1/briefs?wait=false", json={"text": text})
                assert accepted.status_code == 202
                urls.append(accepted.json()["links"]["self"])
            waited = client.post("/v1/briefs", json={"text": "A waited story. It is answered at once."})
            assert waited.status_code == 200 and waited.json()["meta"]["engine"] == "lead"
            jobs: list[dict] = []
            for _ in range(200):
                jobs = [client.get(url).json() for url in urls]
                if all(job["status"] == "succeeded" for job in jobs):
                    break
                time.sleep(0.05)
        assert [job["status"] for job in jobs] == ["succeeded"] * 24
        assert {job["attempts"] for job in jobs} == {1}  # claimed by exactly one process each
    finally:
        server.terminate()
        server.wait(20)
