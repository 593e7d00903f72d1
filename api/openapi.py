"""The published OpenAPI document says every answer the service really gives.

FastAPI documents the 200 and the 422 of each route. This adds, in one place instead of on every
route: 404 where a path names a resource, 400/413/415 where a JSON body is read, 401/403 on every
route behind the API keys (and the bearer scheme, when this server has keys), and 429/502/503
where a brief may be made. Schemathesis checks the result against the running service
(tests/service/test_service_schemathesis.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from api.middleware import PUBLIC_PATHS
from briefing.config import Settings
from briefing.digests.schedules import CRON_PATTERN, directory_pattern, time_zones
from briefing.digests.urls import HTTP_URL_PATTERN
from briefing.engines import ENGINES

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
REASONS = {
    400: "The body is not valid JSON (or not valid UTF-8)",
    401: "This server needs an API key: send `Authorization: Bearer <key>`",
    403: "The API key is not valid, or a cross-site post",
    404: "No such resource",
    409: "Conflicts with what is stored or running (already exists, already done, busy)",
    413: "The body is larger than the server's limit",
    415: "Unsupported content type",
    429: "Too many jobs queued; retry after `Retry-After` seconds",
    502: "The LLM or a fetched page failed",
    503: "The LLM is unreachable",
}
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
TEXT_BODIES = {
    "text/plain": "The article text; blank text is a 422.",
    "text/html": "An HTML page or fragment: its main text is extracted (trafilatura; for a fragment, "
    "the text a browser would show). A page with no text outside its markup, scripts and styles is a 422.",
}


def _error(status: int) -> dict[str, Any]:
    return {"description": REASONS[status], "content": {"application/json": {"schema": ERROR_REF}}}


# Operations whose body names other resources (a schedule, articles): unknown ones are a 404.
BODY_REFERENCES = {("post", "/v1/digests")}
# Operations that refuse a duplicate or a clash: an already subscribed feed, a poll of a feed that
# another poll is running on, a retry of a delivery that went out, are a 409.
CONFLICTS = {
    ("post", "/v1/feeds"),
    ("post", "/v1/feeds/{feed_id}/poll"),
    ("post", "/v1/deliveries/{delivery_id}/retry"),
}


def _engines(settings: Settings) -> list[str]:
    """Engine names a brief request may use here: `llm` only where an endpoint is configured."""
    return sorted(name for name in ENGINES if name != "llm" or settings.llm_configured)


def _request_rules(schema: dict[str, Any], settings: Settings) -> None:
    """Rules the service checks by hand, written into the request schemas."""
    components = schema.get("components", {}).get("schemas", {})
    engines = _engines(settings)
    options = components.get("BriefOptions", {}).get("properties", {})
    if "engine" in options:
        options["engine"] = {"anyOf": [{"enum": engines, "type": "string"}, {"type": "null"}]}
    if "model" in options and not settings.llm_configured:
        # Only the llm engine takes a model, and this server has none.
        options["model"] = {"type": "null", "description": "Not accepted here: no LLM is configured."}
    for name in ("ScheduleIn", "DigestRequest"):
        properties = components.get(name, {}).get("properties", {})
        if "engine" in properties:
            properties["engine"] = {"anyOf": [{"enum": engines, "type": "string"}, {"type": "null"}]}
    for name in ("ArticleIn", "BriefRequest"):
        url = components.get(name, {}).get("properties", {}).get("url")
        if url is not None:
            url["anyOf"] = [{"type": "string", "pattern": HTTP_URL_PATTERN}, {"type": "null"}]
        for branch in components.get(name, {}).get("anyOf", []):
            if "url" in branch.get("properties", {}):
                branch["properties"]["url"]["pattern"] = HTTP_URL_PATTERN
    for name in ("FeedIn", "WebhookTarget"):
        url = components.get(name, {}).get("properties", {}).get("url")
        if url is not None:
            url["pattern"] = HTTP_URL_PATTERN
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for kind in ("text/plain", "text/html"):
                body = operation.get("requestBody", {}).get("content", {}).get(kind, {}).get("schema")
                if body is not None:
                    body["pattern"] = "\\S"  # blank text is a 422
                    body["description"] = TEXT_BODIES[kind]
    schedule = components.get("ScheduleIn", {}).get("properties", {})
    _directory_rule(components, schedule, settings)
    if "cron" in schedule:
        schedule["cron"]["pattern"] = CRON_PATTERN
    if "timezone" in schedule:
        schedule["timezone"]["enum"] = sorted(time_zones())
    for item in schema.get("paths", {}).get("/v1/briefs", {}).values():
        for parameter in item.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] == "engine":
                parameter["schema"] = {"anyOf": [{"enum": engines, "type": "string"}, {"type": "null"}]}
            if parameter["in"] == "query" and parameter["name"] == "model" and not settings.llm_configured:
                parameter["schema"] = {"type": "null"}
                parameter["description"] = "Not accepted here: no LLM is configured."


def _directory_rule(components: dict[str, Any], schedule: dict[str, Any], settings: Settings) -> None:
    """Directory targets a schedule may name here: under BRIEFING_DELIVERY_DIRS, or none at all on
    a public server without it. A request-only copy of the component carries the rule, so stored
    schedules are still described by the plain one."""
    branches = schedule.get("targets", {}).get("items", {}).get("anyOf", [])
    plain = "#/components/schemas/DirectoryTarget"
    if "DirectoryTarget" not in components or {"$ref": plain} not in branches:
        return
    pattern = directory_pattern(settings)
    index = branches.index({"$ref": plain})
    if pattern is None:
        del branches[index]
        return
    target = json.loads(json.dumps(components["DirectoryTarget"]))
    target["title"] = "DirectoryTargetIn"
    path = target["properties"]["path"]
    path["pattern"] = pattern
    if settings.delivery_dirs:
        folders = ", ".join(str(folder) for folder in settings.delivery_dirs)
        path["description"] = f"An absolute folder path without `..` under one of: {folders}."
    components["DirectoryTargetIn"] = target
    branches[index] = {"$ref": "#/components/schemas/DirectoryTargetIn"}


def complete(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add the error answers every route shares to a generated schema (in place; returned)."""
    _request_rules(schema, settings)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            statuses = set()
            if "{" in path or (method, path) in BODY_REFERENCES:
                statuses.add(404)
            if "requestBody" in operation:
                statuses.update({400, 413, 415})
            if path not in PUBLIC_PATHS:
                statuses.update({401, 403})
            if (method, path) in CONFLICTS:
                statuses.add(409)
            for status in sorted(statuses):
                responses.setdefault(str(status), _error(status))
    schema.setdefault("components", {}).setdefault("securitySchemes", {})["apiKey"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key, when the server has any (BRIEFING_API_KEYS or `briefing keys create`).",
    }
    return schema


def with_security(schema: dict[str, Any], required: bool) -> dict[str, Any]:
    """The schema with the bearer requirement on the protected routes when this server has keys."""
    if not required:
        return schema
    secured = {**schema, "paths": {}}
    for path, item in schema.get("paths", {}).items():
        if path in PUBLIC_PATHS:
            secured["paths"][path] = item
            continue
        secured["paths"][path] = {
            method: ({**operation, "security": [{"apiKey": []}]} if method in HTTP_METHODS else operation)
            for method, operation in item.items()
        }
    return secured


class MethodsMiddleware:
    """OPTIONS answers 204 with every method of the path in `Allow`, and a 405 names them all.

    Starlette matches one route per method, so its 405 listed only the first route's methods
    (`Allow: POST` on a path that also has GET) and OPTIONS was a 405. The table is built from the
    published paths, so `Allow` says exactly what the schema says; other paths pass through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._table: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def _allowed(self, scope: Scope) -> frozenset[str]:
        if self._table is None:
            paths = scope["app"].openapi().get("paths", {})
            self._table = [
                (
                    re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"),
                    frozenset(method.upper() for method in item if method in HTTP_METHODS),
                )
                for path, item in paths.items()
            ]
        path = scope["path"]
        return next((methods for pattern, methods in self._table if pattern.match(path)), frozenset())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed = self._allowed(scope)
        if not allowed:  # not an API path: the app answers (pages, docs assets, 404)
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(allowed | {"OPTIONS"}))
        if scope["method"] == "OPTIONS":
            start = {"type": "http.response.start", "status": 204, "headers": [(b"allow", allow.encode())]}
            await send(start)
            await send({"type": "http.response.body", "body": b""})
            return
        if scope["method"] not in allowed:
            message = f"method {scope['method']} is not allowed here; allowed: {allow}"
            body = json.dumps({"error": {"type": "MethodNotAllowed", "message": message}}).encode()
            headers = [
                (b"allow", allow.encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": 405, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
