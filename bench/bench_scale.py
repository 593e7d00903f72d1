"""Scale-out benchmark on PostgreSQL: brief jobs per second with 1 and 3 API processes, and how
long the jobs of a server killed with `kill -9` take to finish elsewhere. Prints figures only.

A fake OpenAI-compatible server answers every call after `--llm-delay` seconds (default 0.3) and
counts the calls it sees at once; the servers use the `llm` engine against it with
`BRIEFING_LLM_MAX_CONCURRENCY` (default 8). Each run uses a fresh database, created and dropped.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_scale.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_service import BRIEFING, ROOT, _free_port, _wait_up, fake_llm_app

JOBS = 200


def counting_llm_app(delay: float) -> Any:
    """The bench_service fake LLM, plus the most calls it saw at once and the total (GET /stats)."""
    inner = fake_llm_app(delay)
    stats = {"in_flight": 0, "max_in_flight": 0, "calls": 0}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/stats":
            body = json.dumps(stats).encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http":
            stats["calls"] += 1
            stats["in_flight"] += 1
            stats["max_in_flight"] = max(stats["max_in_flight"], stats["in_flight"])
        try:
            await inner(scope, receive, send)
        finally:
            if scope["type"] == "http":
                stats["in_flight"] -= 1

    return app


def start_llm(delay: float) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, __file__, "fake-llm", str(port), str(delay)], cwd=ROOT)
    _wait_up(port, process)
    return process, port


def start_server(
    url: str, llm_port: int, processes: int, bound: int, log: Path
) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "OPENAI_", "PROMETHEUS_"))}
    env.update(
        DATABASE_URL=url,
        OPENAI_BASE_URL=f"http://127.0.0.1:{llm_port}/v1",
        OPENAI_API_KEY="sk-bench",
        BRIEFING_ENGINE="llm",
        BRIEFING_LLM_MAX_CONCURRENCY=str(bound),
        BRIEFING_JOB_LEASE_SECONDS="10",
        BRIEFING_JOB_POLL_SECONDS="0.2",
        BRIEFING_QUEUE_LIMIT="1000",
        BRIEFING_SCHEDULER_ENABLED="false",
    )
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [str(BRIEFING), "serve", "--port", str(port), "--processes", str(processes)],
            cwd=ROOT,
            env=env,
            stderr=sink,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process, port
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class FreshDatabase:
    def __init__(self, base: str) -> None:
        self.base = make_url(base)
        self.name = f"{self.base.database}_bench_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")

    def __enter__(self) -> str:
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.base.set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *_: object) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


async def submit(ports: list[int], n: int, concurrency: int = 32) -> None:
    """Queue `n` distinct articles with `?wait=false`, `concurrency` requests at a time."""
    numbers = iter(range(n))

    async def client(http: httpx.AsyncClient) -> None:
        for i in numbers:
            body = {"text": f"Story {i} {uuid.uuid4().hex}. The city council voted on Tuesday to close it."}
            port = ports[i % len(ports)]
            response = await http.post(f"http://127.0.0.1:{port}/v1/briefs?wait=false", json=body)
            if response.status_code != 202:
                raise SystemExit(f"submit answered {response.status_code}: {response.text[:200]}")

    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))


def succeeded(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            done = connection.scalar(text("SELECT count(*) FROM jobs WHERE status = 'succeeded'"))
            failed = connection.scalar(text("SELECT count(*) FROM jobs WHERE status = 'failed'"))
        return int(done or 0), int(failed or 0)
    finally:
        engine.dispose()


def wait_all(url: str, n: int, limit: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        done, failed = succeeded(url)
        if done + failed >= n:
            if failed:
                print(f"  {failed} job(s) failed")
            return time.monotonic() - started
        time.sleep(0.1)
    raise SystemExit(f"not all {n} jobs finished within {limit:.0f} s ({succeeded(url)})")


def llm_stats(port: int) -> dict[str, int]:
    return httpx.get(f"http://127.0.0.1:{port}/stats").json()


def throughput(base: str, processes: int, delay: float, bound: int, log: Path) -> None:
    with FreshDatabase(base) as url:
        llm, llm_port = start_llm(delay)
        server, port = start_server(url, llm_port, processes, bound, log)
        try:
            started = time.monotonic()
            asyncio.run(submit([port], JOBS))
            elapsed = wait_all(url, JOBS, 600)  # from the end of submission
            total = time.monotonic() - started
            stats = llm_stats(llm_port)
            print(
                f"{processes} API process(es): {JOBS} jobs in {total:.1f} s = {JOBS / total:.1f} jobs/s "
                f"(last job {elapsed:.1f} s after the last submit); LLM calls {stats['calls']}, "
                f"at most {stats['max_in_flight']} at once (BRIEFING_LLM_MAX_CONCURRENCY={bound})"
            )
        finally:
            stop(server)
            stop(llm)


def recovery(base: str, delay: float, bound: int, log: Path) -> None:
    with FreshDatabase(base) as url:
        llm, llm_port = start_llm(delay)
        servers = [start_server(url, llm_port, 1, bound, log) for _ in range(2)]
        try:
            started = time.monotonic()
            asyncio.run(submit([port for _, port in servers], JOBS))
            time.sleep(max(0.0, 3 - (time.monotonic() - started)))  # kill 3 s after the first submit
            victim = servers[0][0]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            killed = time.monotonic()
            left = JOBS - succeeded(url)[0]
            wait_all(url, JOBS, 600)
            after = time.monotonic() - killed
            stats = llm_stats(llm_port)
            print(
                f"kill -9 of one of 2 servers {killed - started:.1f} s into {JOBS} jobs "
                f"({left} unfinished): all finished {after:.1f} s after the kill (lease 10 s); "
                f"LLM calls {stats['calls']}, at most {stats['max_in_flight']} at once"
            )
        finally:
            for process, _ in servers:
                if process.poll() is None:
                    stop(process)
            stop(llm)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "fake-llm":
        import uvicorn

        port, delay = int(sys.argv[2]), float(sys.argv[3])
        uvicorn.run(
            counting_llm_app(delay), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-delay", type=float, default=0.3)
    parser.add_argument("--bound", type=int, default=8, help="BRIEFING_LLM_MAX_CONCURRENCY")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        print(
            "bench_scale: set DATABASE_URL to a PostgreSQL server (a fresh database is made per run); skipped"
        )
        return
    log = Path("/tmp") / f"bench_scale_{os.getpid()}.log"
    print(f"fake LLM delay {args.llm_delay} s; server logs in {log}")
    for processes in (1, 3):
        throughput(base, processes, args.llm_delay, args.bound, log)
    recovery(base, args.llm_delay, args.bound, log)


if __name__ == "__main__":
    main()
