"""Service benchmarks over real HTTP on loopback; prints figures (no pass/fail).

The server runs in a subprocess with the deterministic test engine (tests/service/fake_engine.py)
standing in for the model, so the figures are the service's own overhead: parsing, storing the
job, dispatch, grounding, storing the brief, answering.

    .venv/bin/python bench/bench_service.py
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "The city council voted on Tuesday to close the old bridge for repairs. Mayor Jane Doe said work "
    "would begin in May. Residents objected, saying the detour adds an hour to their commute. "
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server(data_dir: str, **env_overrides: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update(BRIEFING_DATA_DIR=data_dir, PYTHONPATH=str(ROOT), **env_overrides)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.service.serve_app", str(port)], cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _sequential(base: str, n: int, *, same: bool) -> list[float]:
    timings = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for i in range(n):
            body = TEXT if same else f"Story {i}. {TEXT}"
            started = time.perf_counter()
            response = await client.post(
                "/v1/briefs?engine=test", content=body, headers={"content-type": "text/plain"}
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    return timings


async def _concurrent(base: str, n: int, concurrency: int) -> tuple[float, list[int]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    statuses: list[int] = []
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def one(i: int) -> None:
            async with semaphore:
                response = await client.post(
                    "/v1/briefs?engine=test",
                    content=f"Story {i}. {TEXT}",
                    headers={"content-type": "text/plain"},
                )
                statuses.append(response.status_code)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - started, statuses


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server, base = _server(
            tmp + "/a", BRIEFING_CACHE="false", BRIEFING_WORKERS="32", BRIEFING_QUEUE_LIMIT="10000"
        )
        try:
            asyncio.run(_sequential(base, 30, same=False))  # warm up
            timings = asyncio.run(_sequential(base, 300, same=False))
            print(
                "zero-latency engine, cache off: "
                f"p50 {statistics.median(timings):.2f} ms per brief (sequential, 300)"
            )
            elapsed, statuses = asyncio.run(_concurrent(base, 1000, 32))
            ok = statuses.count(200)
            print(
                "zero-latency engine, cache off: "
                f"{ok / elapsed:.0f} briefs/s (1000 requests, 32 concurrent, {ok} ok)"
            )
        finally:
            server.terminate()
            server.wait(10)

        server, base = _server(tmp + "/b")
        try:
            asyncio.run(_sequential(base, 1, same=True))
            timings = asyncio.run(_sequential(base, 300, same=True))
            print(f"cache hit: p50 {statistics.median(timings):.2f} ms (300 sequential)")
        finally:
            server.terminate()
            server.wait(10)

        server, base = _server(
            tmp + "/c",
            BRIEFING_CACHE="false",
            BRIEFING_TEST_ENGINE_DELAY="1",
            BRIEFING_WORKERS="200",
            BRIEFING_QUEUE_LIMIT="1000",
        )
        try:
            elapsed, statuses = asyncio.run(_concurrent(base, 200, 200))
            rss = _peak_rss_mb(server.pid)
            print(
                f"1 s engine latency: 200 concurrent requests, {statuses.count(200)} answered 200 "
                f"in {elapsed:.2f} s; "
                f"server peak RSS {rss:.0f} MB"
            )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
