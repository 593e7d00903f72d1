"""Service benchmarks over real HTTP on loopback; prints figures (no pass/fail).

Three processes share the machine: a fake OpenAI-compatible server (a bare ASGI app under uvicorn
answering /v1/chat/completions with a valid brief for the LLM engine's schema, after an optional
delay), `briefing serve` with the `llm` engine pointed at it, and this script as the client (a
minimal keep-alive HTTP/1.1 client, so the load generator takes as little CPU as possible). With
zero LLM latency, the end-to-end time is the service's overhead: parsing, storing the job,
prompting, the SDK call and its parsing, grounding, storing the brief, answering.

    .venv/bin/python bench/bench_service.py                # defaults: BRIEFING_PROCESSES from env or 2
    .venv/bin/python bench/bench_service.py --processes 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BRIEFING = Path(sys.executable).with_name("briefing")
TEXT = (
    "The city council voted on Tuesday to close the old bridge for repairs. Mayor Jane Doe said work "
    "would begin in May. Residents objected, saying the detour adds an hour to their commute. "
    "The council will vote on the budget for the works next month."
)
DRAFT = {
    "headline": "Council closes the old bridge for repairs",
    "summary": "The city council voted to close the old bridge; residents object to the detour.",
    "actors": [
        {
            "name": "Jane Doe",
            "role": "Mayor",
            "aliases": [],
            "stance": None,
            "evidence": ["Mayor Jane Doe said work would begin in May"],
        }
    ],
    "status": [
        {
            "text": "The council voted to close the bridge.",
            "evidence": ["The city council voted on Tuesday to close the old bridge for repairs"],
        }
    ],
    "disputes": [
        {
            "issue": "The detour",
            "parties": ["Residents", "City council"],
            "positions": [{"party": "Residents", "position": "The detour adds an hour."}],
            "evidence": ["the detour adds an hour to their commute"],
        }
    ],
    "next_steps": [
        {
            "action": "Vote on the budget",
            "who": "City council",
            "when": "next month",
            "certainty": "planned",
            "evidence": ["The council will vote on the budget for the works next month"],
        }
    ],
}


# --- the fake OpenAI-compatible server -----------------------------------------------------------
def fake_llm_app(delay: float) -> Callable[..., Awaitable[None]]:
    completion = json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(DRAFT)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 400, "completion_tokens": 150, "total_tokens": 550},
        }
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(completion)).encode())]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        if delay:
            await asyncio.sleep(delay)
        ok = scope["path"].endswith("/chat/completions")
        await send({"type": "http.response.start", "status": 200 if ok else 404, "headers": headers})
        await send({"type": "http.response.body", "body": completion if ok else b"{}"})

    return app


# --- processes -----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_up(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"process exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("process did not start")


def start_fake_llm(delay: float) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, __file__, "fake-llm", str(port), str(delay)], cwd=ROOT)
    _wait_up(port, process)
    return process, port


def start_service(data_dir: str, processes: int, **env_overrides: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "OPENAI_"))}
    env.pop("DATABASE_URL", None)
    env.update(BRIEFING_DATA_DIR=data_dir, BRIEFING_PROCESSES=str(processes), **env_overrides)
    with open(Path(data_dir + ".log"), "ab") as log:  # the JSON request log, as in production
        process = subprocess.Popen(
            [str(BRIEFING), "serve", "--port", str(port)], cwd=ROOT, env=env, stderr=log
        )
    _wait_up(port, process)
    # Every worker process must be serving (not just the socket open) before timing starts.
    asyncio.run(_get_ok(port, "/readyz", processes * 4))
    return process, port


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [pid, *[grand for kid in kids for grand in _tree(kid)]]


def peak_rss_mb(pid: int) -> float:
    """Sum of the peak resident sizes of the server and its worker processes."""
    total = 0
    for member in _tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


# --- a minimal keep-alive HTTP/1.1 client ----------------------------------------------------------
class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(self, method: str, path: str, body: bytes = b"", ctype: str = "text/plain") -> int:
        head = f"{method} {path} HTTP/1.1\r\nhost: bench\r\ncontent-type: {ctype}\r\n"
        self.writer.write(f"{head}content-length: {len(body)}\r\n\r\n".encode() + body)
        response = await self.reader.readuntil(b"\r\n\r\n")
        lines = response.decode("latin-1").split("\r\n")
        length = next(int(line.split(":")[1]) for line in lines if line.lower().startswith("content-length"))
        await self.reader.readexactly(length)
        return int(lines[0].split()[1])

    def close(self) -> None:
        self.writer.close()


async def _get_ok(port: int, path: str, times: int) -> None:
    connection = await Connection.open(port)
    try:
        for _ in range(times):
            assert await connection.request("GET", path) == 200
    finally:
        connection.close()


def _body(i: int | None) -> bytes:
    return (TEXT if i is None else f"Story {i}. {TEXT}").encode()


async def sequential(port: int, n: int, *, same: bool, start: int = 0) -> list[float]:
    connection = await Connection.open(port)
    timings = []
    try:
        for i in range(start, start + n):
            started = time.perf_counter()
            status = await connection.request("POST", "/v1/briefs", _body(None if same else i))
            timings.append((time.perf_counter() - started) * 1000)
            assert status == 200, status
    finally:
        connection.close()
    return timings


async def concurrent(port: int, n: int, concurrency: int, start: int = 0) -> tuple[float, list[int]]:
    connections = [await Connection.open(port) for _ in range(concurrency)]
    statuses: list[int] = []
    numbers = iter(range(start, start + n))

    async def client(connection: Connection) -> None:
        for i in numbers:
            statuses.append(await connection.request("POST", "/v1/briefs", _body(i)))

    started = time.perf_counter()
    try:
        await asyncio.gather(*(client(c) for c in connections))
    finally:
        for connection in connections:
            connection.close()
    return time.perf_counter() - started, statuses


# --- scenarios -----------------------------------------------------------------------------------
def run(processes: int, engines: list[str]) -> None:
    print(f"{os.cpu_count()} CPUs; briefing serve with {processes} process(es); SQLite")
    with tempfile.TemporaryDirectory() as tmp:
        llm, llm_port = start_fake_llm(0.0)
        llm_env = {
            "OPENAI_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
            "OPENAI_API_KEY": "sk-bench",
            "BRIEFING_MODEL": "gpt-4o-mini",
        }
        try:
            for engine in engines:
                env = {**llm_env, "BRIEFING_ENGINE": engine}
                label = f"{engine} engine" + (" (fake LLM, 0 ms)" if engine == "llm" else "")
                server, port = start_service(
                    f"{tmp}/{engine}", processes, BRIEFING_CACHE="false", BRIEFING_QUEUE_LIMIT="10000", **env
                )
                try:
                    asyncio.run(concurrent(port, 200, 8, start=1_000_000))  # warm up every process
                    timings = asyncio.run(sequential(port, 500, same=False))
                    print(
                        f"{label}, cache off: p50 {statistics.median(timings):.2f} ms, "
                        f"p90 {statistics.quantiles(timings, n=10)[-1]:.2f} ms per brief (500 sequential)"
                    )
                    elapsed, statuses = asyncio.run(concurrent(port, 3000, 32, start=2_000_000))
                    ok = statuses.count(200)
                    rate = f"{ok / elapsed:.0f} briefs/s"
                    print(f"{label}, cache off: {rate} (3000 requests, 32 connections, {ok} ok)")
                finally:
                    stop(server)

            server, port = start_service(f"{tmp}/hit", processes, **llm_env)
            try:
                asyncio.run(sequential(port, 20, same=True))
                timings = asyncio.run(sequential(port, 500, same=True))
                print(f"llm engine, cache hit: p50 {statistics.median(timings):.2f} ms (500 sequential)")
            finally:
                stop(server)
        finally:
            stop(llm)

        llm, llm_port = start_fake_llm(1.0)
        try:
            llm_env["OPENAI_BASE_URL"] = f"http://127.0.0.1:{llm_port}/v1"
            # One process: this run is about holding many waiting requests, not CPU.
            server, port = start_service(
                f"{tmp}/slow",
                1,
                BRIEFING_CACHE="false",
                BRIEFING_WORKERS="200",
                BRIEFING_LLM_MAX_CONCURRENCY="200",
                BRIEFING_QUEUE_LIMIT="1000",
                **llm_env,
            )
            try:
                elapsed, statuses = asyncio.run(concurrent(port, 200, 200))
                print(
                    f"llm engine, 1 s LLM latency, 1 process: 200 concurrent requests, "
                    f"{statuses.count(200)} answered 200 in {elapsed:.2f} s; "
                    f"server peak RSS {peak_rss_mb(server.pid):.0f} MB"
                )
            finally:
                stop(server)
        finally:
            stop(llm)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "fake-llm":
        import uvicorn

        port, delay = int(sys.argv[2]), float(sys.argv[3])
        uvicorn.run(fake_llm_app(delay), host="127.0.0.1", port=port, log_level="warning", access_log=False)
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=int(os.environ.get("BRIEFING_PROCESSES", "2")))
    parser.add_argument(
        "--engines", default="llm,offline", help="comma-separated engines for the cache-off runs"
    )
    args = parser.parse_args()
    run(args.processes, [e for e in args.engines.split(",") if e])


if __name__ == "__main__":
    main()
