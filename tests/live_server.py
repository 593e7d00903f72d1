"""A real briefing server in a subprocess, for the tests that drive it from a browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(module: str = "tests.service.serve_app", **settings: str) -> Iterator[str]:
    """Serve `module` (`python -m module PORT`) on a free loopback port and yield its base URL.

    Only `settings` of ours reach the server: the caller's BRIEFING_*, OPENAI_* and DATABASE_URL are
    dropped, so a developer's own configuration cannot change what the test sees.
    """
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BRIEFING_", "OPENAI_")) and k != "DATABASE_URL"
    }
    env.update(settings, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", module, str(port)], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(10)
