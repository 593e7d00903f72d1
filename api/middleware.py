"""One pure-ASGI middleware for what every request needs: request id, Host check, auth, body limit,
security headers, metrics, log.

Pure ASGI (not BaseHTTPMiddleware) keeps the per-request overhead small and lets the body limit
stop reading as soon as the limit is crossed.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
import uuid
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import REQUEST_ID
from api.problems import PayloadTooLarge
from api.session import SESSION_COOKIE

log = logging.getLogger("briefing.api")

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/login", "/logout"})
PROBE_PATHS = frozenset({"/healthz", "/readyz"})  # load balancers probe by address: no Host check
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Pages may load only their own scripts, or inline ones carrying this response's nonce; styles
# may be inline (the templates and digest emails use them); nothing may frame them elsewhere.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]


# A Host header as RFC 9110 writes it: a name, an IPv4 address or a bracketed IPv6 one, and an
# optional port. Anything else ("evil.com@localhost", "localhost/x") is malformed, not parsed leniently.
_HOST = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9.])?|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?"
)
MAX_PORT = 65535


def request_host(scope: Scope) -> str | None:
    """The Host header's name, lower case, without the port (None when absent, repeated or malformed)."""
    values = [value for key, value in scope.get("headers", []) if key == b"host"]
    if len(values) != 1:
        return None  # two Host headers: which one a proxy used is unknowable (RFC 9112 says 400)
    found = _HOST.fullmatch(values[0].decode("latin-1").strip())
    if found is None or (found.group("port") and int(found.group("port")) > MAX_PORT):
        return None
    return found.group("name").strip("[]").lower()


def host_allowed(name: str | None, trusted: frozenset[str]) -> bool:
    return "*" in trusted or (name is not None and name in trusted)


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


def cross_site(scope: Scope, trusted: frozenset[str], *, required: bool) -> bool:
    """True when an unsafe request comes from another site (CSRF), judged by Origin, else Referer.

    Browsers send Origin on every POST; other clients send neither, which passes unless the
    request is authenticated by the cookie (`required`), where a missing origin is refused too.
    The origin's host must be on the allow-list (not merely equal to the Host header, which a
    DNS-rebinding page controls) and name the same host and port the request was sent to.
    """
    source = _header(scope, b"origin") or _header(scope, b"referer")
    if not source or source == "null":
        return required or source == "null"
    try:
        origin = urlsplit(source)
        name = origin.hostname
    except ValueError:
        return True
    host = _header(scope, b"host") or ""
    return not host_allowed(name, trusted) or origin.netloc.lower() != host.lower()


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
        head = scope["method"] == "HEAD"
        if head:  # answered as the GET it asks about, without the body (RFC 9110 9.3.2)
            scope = {**scope, "method": "GET"}
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = [500]

        started_response = [False]
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce  # request.state.csp_nonce in templates

        over_limit: list[bool] = [False]  # set by the body limit; `replaced`: our 413 went out instead
        replaced = [False]

        async def send_with_id(message: Message) -> None:
            if replaced[0]:
                return  # the body of the answer the 413 replaced
            if over_limit[0] and message["type"] == "http.response.start" and message["status"] == 400:
                # a route that parses JSON reports the limit as "error parsing the body": say 413
                replaced[0] = True
                limit = state.settings.max_body_bytes
                for part in _error(413, "PayloadTooLarge", f"the body is larger than the {limit}-byte limit"):
                    await send_out(part)
                return
            await send_out(message)

        async def send_out(message: Message) -> None:
            if head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                started_response[0] = True
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                    policy = PAGE_POLICY.format(nonce=nonce) if kind.startswith(b"text/html") else DATA_POLICY
                    headers.append((b"content-security-policy", policy.encode()))
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        state = scope["app"].state
        try:
            refusal = self._refusal(scope, state)
            if refusal is not None:
                for message in refusal:
                    await send_with_id(message)
                return
            limited = self._limited(receive, state.settings.max_body_bytes, over_limit)
            await self.app(scope, limited, send_with_id)
        except ClientDisconnect:
            log.info("the client went away before sending its whole request")
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
        trusted: frozenset[str] = state.settings.trusted_hosts
        name = request_host(scope)
        if scope["path"] not in PROBE_PATHS and not host_allowed(name, trusted):
            return _error(
                400,
                "BadHost",
                f"this server does not answer to the host {name or '(none)'!r}; "
                "add it to BRIEFING_ALLOWED_HOSTS if it is one of its names",
            )
        limit = state.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return _error(413, "PayloadTooLarge", f"the body is larger than the {limit}-byte limit")
        authorization = _header(scope, b"authorization")
        unsafe = scope["method"] not in SAFE_METHODS
        if unsafe and authorization is None and cross_site(scope, trusted, required=False):
            return _error(403, "CrossSiteRequest", "cross-site posts are refused (Origin does not match)")
        if scope["path"] in PUBLIC_PATHS:
            return None
        service = getattr(state, "service", None)
        if service is None or not service.auth_required():
            return None
        if authorization is None:
            session = cookie(scope, SESSION_COOKIE)
            tag = state.sessions.tag_of(session)
            if tag and service.session_valid(tag, state.sessions):
                if unsafe and cross_site(scope, trusted, required=True):
                    return _error(403, "CrossSiteRequest", "a signed-in form post must carry its Origin")
                return None
            if self._wants_page(scope):
                return _redirect(f"/login?next={quote(scope['path'])}")
            if session:
                return _error(
                    403,
                    "Forbidden",
                    "the sign-in is not valid (expired, or its key was revoked); sign in again",
                )
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
    def _limited(receive: Receive, limit: int, over: list[bool]) -> Receive:
        seen = [0]

        async def receive_limited() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen[0] += len(message.get("body", b""))
                if seen[0] > limit:
                    over[0] = True
                    raise PayloadTooLarge(f"the body is larger than the {limit}-byte limit")
            return message

        return receive_limited
