"""One pure-ASGI middleware for what every request needs: request id, auth, body limit, metrics, log.

Pure ASGI (not BaseHTTPMiddleware) keeps the per-request overhead small and lets the body limit
stop reading as soon as the limit is crossed.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import REQUEST_ID
from api.problems import PayloadTooLarge

log = logging.getLogger("briefing.api")

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/login", "/logout"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
KEY_COOKIE = "briefing_key"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def cross_site(scope: Scope, *, required: bool) -> bool:
    """True when an unsafe request comes from another site (CSRF), judged by Origin, else Referer.

    Browsers send Origin on every POST; other clients send neither, which passes unless the
    request is authenticated by the cookie (`required`), where a missing origin is refused too.
    """
    source = _header(scope, b"origin") or _header(scope, b"referer")
    if not source or source == "null":
        return required or source == "null"
    host = _header(scope, b"host") or ""
    return urlsplit(source).netloc.lower() != host.lower()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _error(
    status: int, error_type: str, message: str, headers: dict[str, str] | None = None
) -> list[Message]:
    body = json.dumps({"error": {"type": error_type, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return [
        {"type": "http.response.start", "status": status, "headers": raw},
        {"type": "http.response.body", "body": body},
    ]


def _redirect(location: str) -> list[Message]:
    headers = [(b"location", location.encode()), (b"content-length", b"0")]
    return [
        {"type": "http.response.start", "status": 303, "headers": headers},
        {"type": "http.response.body", "body": b""},
    ]


class ServiceMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = [500]

        started_response = [False]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                started_response[0] = True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        state = scope["app"].state
        try:
            refusal = self._refusal(scope, state)
            if refusal is not None:
                for message in refusal:
                    await send_with_id(message)
                return
            await self.app(scope, self._limited(receive, state.settings.max_body_bytes), send_with_id)
        except Exception:
            # Here, not in an app-level handler: the request id is still set, so the log line and
            # the response (header and message) carry the same id.
            log.exception("unexpected error")
            if started_response[0]:
                raise
            message = f"internal error (request id {request_id}); the server log has the details"
            for part in _error(500, "InternalError", message):
                await send_with_id(part)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            metrics = getattr(state, "metrics", None)
            if metrics is not None:
                metrics.requests.labels(scope["method"], template, str(status[0])).inc()
                metrics.latency.labels(scope["method"], template).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": template,
                    "status": status[0],
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            REQUEST_ID.reset(token)

    def _refusal(self, scope: Scope, state: Any) -> list[Message] | None:
        limit = state.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return _error(413, "PayloadTooLarge", f"the body is larger than the {limit}-byte limit")
        authorization = _header(scope, b"authorization")
        unsafe = scope["method"] not in SAFE_METHODS
        if unsafe and authorization is None and cross_site(scope, required=False):
            return _error(403, "CrossSiteRequest", "cross-site posts are refused (Origin does not match)")
        if scope["path"] in PUBLIC_PATHS:
            return None
        service = getattr(state, "service", None)
        if service is None or not service.auth_required():
            return None
        if authorization is None:
            key = cookie(scope, KEY_COOKIE)
            if key and service.key_valid(key):
                if unsafe and cross_site(scope, required=True):
                    return _error(403, "CrossSiteRequest", "a signed-in form post must carry its Origin")
                return None
            if self._wants_page(scope):
                return _redirect(f"/login?next={quote(scope['path'])}")
            if key:
                return _error(403, "Forbidden", "the signed-in API key is not valid (unknown or revoked)")
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return _error(
                401,
                "Unauthorized",
                "this server needs an API key: send 'Authorization: Bearer <key>' (or sign in at /login)",
                {"WWW-Authenticate": "Bearer"},
            )
        if not service.key_valid(key.strip()):
            return _error(403, "Forbidden", "the API key is not valid (unknown or revoked)")
        return None

    @staticmethod
    def _wants_page(scope: Scope) -> bool:
        """A browser navigating to a page (not the JSON API) is sent to the login form instead of a 401."""
        if scope["method"] != "GET" or scope["path"].startswith("/v1/"):
            return False
        return "text/html" in (_header(scope, b"accept") or "")

    @staticmethod
    def _limited(receive: Receive, limit: int) -> Receive:
        seen = [0]

        async def receive_limited() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen[0] += len(message.get("body", b""))
                if seen[0] > limit:
                    raise PayloadTooLarge(f"the body is larger than the {limit}-byte limit")
            return message

        return receive_limited
