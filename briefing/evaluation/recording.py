"""Record and replay LLM traffic at the HTTP layer, so LLM evals run in CI offline and for free.

A request's key is the sha256 of its method, URL and canonical JSON body (keys sorted), so the
same prompt to the same model always finds the same recording, whatever headers or key were used.
Each recording is one JSON file `<key>.json`. In replay mode a missing recording is answered with
an HTTP 404 (which the OpenAI SDK does not retry) and remembered, so the run can stop with an error
that names the case.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx2

from briefing.errors import InputError

Mode = Literal["record", "replay"]

current_case: contextvars.ContextVar[str | None] = contextvars.ContextVar("briefing_eval_case", default=None)
"""The eval case whose brief is being made; the runner sets it in each case's task."""

_KEEP_HEADERS = ("content-type", "x-request-id")


def canonical_body(content: bytes) -> str:
    """JSON bodies re-serialized with sorted keys; other bodies as text (or base64 when binary)."""
    if not content:
        return ""
    try:
        return json.dumps(json.loads(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (ValueError, UnicodeDecodeError):
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(content).decode("ascii")


def request_key(method: str, url: str, content: bytes) -> str:
    payload = f"{method.upper()} {url}\n{canonical_body(content)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Miss:
    case: str | None
    key: str
    url: str


class RecordingTransport(httpx2.AsyncBaseTransport):
    """Wraps a real transport (record) or stands in for it (replay)."""

    def __init__(self, directory: Path, mode: Mode, inner: httpx2.AsyncBaseTransport | None = None) -> None:
        if mode == "record":
            directory.mkdir(parents=True, exist_ok=True)
        elif not directory.is_dir():
            raise InputError(
                f"replay folder {directory} does not exist; record one first with --record {directory}"
            )
        self.directory = directory
        self.mode = mode
        self._inner = (
            inner if inner is not None else (httpx2.AsyncHTTPTransport() if mode == "record" else None)
        )
        self.misses: list[Miss] = []
        self.served = 0
        self.recorded = 0

    def path_for(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        content = await request.aread()
        key = request_key(request.method, str(request.url), content)
        if self.mode == "replay":
            return self._replay(key, request)
        assert self._inner is not None
        response = await self._inner.handle_async_request(request)
        body = await response.aread()
        await response.aclose()
        headers = {name: response.headers[name] for name in _KEEP_HEADERS if name in response.headers}
        record = {
            "key": key,
            "case": current_case.get(),
            "request": {"method": request.method, "url": str(request.url), "body": canonical_body(content)},
            "response": {"status": response.status_code, "headers": headers, "body": body.decode("utf-8")},
        }
        if response.status_code < 500 and response.status_code != 429:
            # Transient failures are not worth replaying: a retry must find the real answer.
            self.path_for(key).write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
            self.recorded += 1
        return httpx2.Response(response.status_code, headers=headers, content=body, request=request)

    def _replay(self, key: str, request: httpx2.Request) -> httpx2.Response:
        path = self.path_for(key)
        if not path.exists():
            case = current_case.get()
            self.misses.append(Miss(case, key, str(request.url)))
            message = (
                f"briefing replay: no recording for case {case!r} (request {key[:12]}) in {self.directory}"
            )
            return httpx2.Response(
                404,
                json={"error": {"message": message, "type": "replay_missing", "code": "replay_missing"}},
                request=request,
            )
        record = json.loads(path.read_text(encoding="utf-8"))
        stored = record["response"]
        self.served += 1
        return httpx2.Response(
            stored["status"],
            headers=stored["headers"],
            content=stored["body"].encode("utf-8"),
            request=request,
        )

    def raise_for_misses(self) -> None:
        """After a replay run: any missing recording is an input error naming its cases."""
        if not self.misses:
            return
        cases = sorted({miss.case or "(no case)" for miss in self.misses})
        raise InputError(
            f"replay: no recording in {self.directory} for case(s) {', '.join(cases)} "
            f"({len(self.misses)} request(s)); re-record them with --record {self.directory}"
        )

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def recording_client(
    directory: Path, mode: Mode, *, timeout: float = 60.0
) -> tuple[httpx2.AsyncClient, RecordingTransport]:
    """An httpx2 client for the LLM engine whose traffic is recorded to or replayed from `directory`."""
    transport = RecordingTransport(directory, mode)
    return httpx2.AsyncClient(transport=transport, timeout=timeout), transport
