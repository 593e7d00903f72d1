"""The FastAPI application: `create_app(settings)` builds one self-contained service instance."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic.json_schema import models_json_schema
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

import briefing
from api.bodies import media_type
from api.metrics import Metrics
from api.middleware import ServiceMiddleware
from api.openapi import MethodsMiddleware, complete, with_security
from api.problems import UnsupportedMediaType
from api.routes import articles, briefs, digests, docs, health, jobs, schedules, verify, web
from api.schemas import ArticleIn, BriefRequest
from api.service import BriefService
from api.session import Sessions
from briefing.config import Settings, get_settings
from briefing.errors import BriefingError
from briefing.jobs import QueueFullError
from briefing.runtime import Runtime
from briefing.services.worker import digest_scheduler

log = logging.getLogger("briefing.api")
TEMPLATES_DIR = Path(__file__).parent / "templates"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the process's runtime (store migrated, one Briefer, one digest service), start the job
    dispatcher and the scheduler; close everything at shutdown. Interrupted jobs resume here."""
    settings: Settings = app.state.settings
    runtime = await asyncio.to_thread(Runtime.open, settings)
    store = runtime.store
    service = BriefService(
        settings, store, app.state.metrics, briefer=runtime.briefer, stories=runtime.stories
    )
    app.state.runtime = runtime
    app.state.service = service
    stop = asyncio.Event()
    dispatcher = stories = scheduler = None
    if settings.worker_enabled:  # else `briefing worker` processes run the jobs this one queues
        digests = digest_scheduler(runtime, service.queue)  # its tasks first: the worker runs them too
        dispatcher = asyncio.create_task(service.queue.run_worker(stop), name="briefing-jobs")
        if runtime.stories is not None:  # the articles those jobs brief get their stories here
            stories = asyncio.create_task(runtime.stories.run(stop), name="briefing-stories")
        if digests is not None:
            scheduler = asyncio.create_task(digests.run_passes(stop), name="briefing-scheduler")
    log.info(
        "service started", extra={"engine": settings.default_engine, "database": store.engine.dialect.name}
    )
    try:
        yield
    finally:
        stop.set()
        # Deterministic shutdown: each task is cancelled and awaited, with a bound, so a stuck
        # worker (or its LISTEN connection) cannot keep the process (or a test) from ending.
        for task in (dispatcher, scheduler, stories):
            if task is not None:
                task.cancel()
                _, pending = await asyncio.wait({task}, timeout=20)
                if pending:
                    log.error("%s did not stop within 20 s", task.get_name())
        await runtime.aclose()
        app.state.metrics.process_stopped()


def _error_response(error: BriefingError) -> JSONResponse:
    body: dict[str, Any] = {"type": type(error).__name__, "message": error.message}
    fields = error.context.get("fields") or ([error.context["field"]] if "field" in error.context else None)
    if fields:
        body["fields"] = fields
    headers: dict[str, str] = {}
    if isinstance(error, QueueFullError):
        headers["Retry-After"] = str(error.retry_after)
    if error.http_status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    status = error.http_status if 400 <= error.http_status < 600 else 500
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(BriefingError)
    async def briefing_error(_: Request, error: BriefingError) -> JSONResponse:
        if error.http_status >= 500:
            log.warning("request failed: %s", error.message, extra={"error_type": type(error).__name__})
        return _error_response(error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        kind, _ = media_type(request)
        json_kind = kind == "application/json" or kind.endswith("+json")
        if problems and not json_kind and all(tuple(item.get("loc", ())) == ("body",) for item in problems):
            # A JSON route sent another type: FastAPI leaves the body unread and says it is no
            # object; the caller's mistake is the content type, as the text routes say with 415.
            shown = kind or "(none)"
            return _error_response(
                UnsupportedMediaType(f"unsupported content type {shown!r}; send application/json")
            )
        fields = [".".join(str(p) for p in item.get("loc", ())) or "body" for item in problems]
        message = "; ".join(f"{f}: {item.get('msg')}" for f, item in zip(fields, problems, strict=True))
        return JSONResponse(
            {"error": {"type": "ValidationError", "message": message, "fields": fields}}, status_code=422
        )

    @app.exception_handler(DataError)
    async def out_of_range(_: Request, error: Exception) -> JSONResponse:
        # A number (query or body) the database cannot hold, on any route: the caller's to fix.
        log.info("value out of range for the database: %s", type(error).__name__)
        message = "a value in the request is out of range for the database; use a smaller number"
        return JSONResponse({"error": {"type": "ValidationError", "message": message}}, status_code=422)

    @app.exception_handler(OverflowError)
    async def too_large(_: Request, error: Exception) -> JSONResponse:
        # A number too large to compute with or store (SQLite raises this for an integer past 64 bits).
        log.info("number too large: %s", error)
        message = "a number in the request is out of range (too large to work with); use a smaller number"
        return JSONResponse({"error": {"type": "ValidationError", "message": message}}, status_code=422)

    @app.exception_handler(UnicodeEncodeError)
    async def not_unicode(_: Request, error: UnicodeEncodeError) -> JSONResponse:
        # JSON can spell a lone surrogate ("\ud800"), which no text column or UTF-8 output can hold
        log.info("text that is not valid Unicode: %s", error.reason)
        message = "the request holds text that is not valid Unicode (an unpaired surrogate such as \\ud800)"
        return JSONResponse({"error": {"type": "ValidationError", "message": message}}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": {"type": "HTTPError", "message": str(error.detail)}},
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the body models that routes parse by hand (JSON or text bodies)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _, definitions = models_json_schema(
        [(BriefRequest, "validation"), (ArticleIn, "validation")], ref_template="#/components/schemas/{model}"
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in definitions.get("$defs", {}).items():
        components.setdefault(name, definition)
    app.openapi_schema = complete(schema, app.state.settings)
    return schema


def _auth_required(app: FastAPI) -> bool:
    service = getattr(app.state, "service", None)
    return service is not None and service.auth_required()


def create_app(settings: Settings | None = None) -> FastAPI:
    """A service instance; state lives on the app (no globals), so tests can run several side by side."""
    app = FastAPI(
        title="briefing",
        version=briefing.__version__,
        description="Structured, grounded briefs from news articles.",
        lifespan=lifespan,
        docs_url=None,  # served by api.routes.docs, with the CSP nonce on their scripts
        redoc_url=None,
    )
    app.state.settings = settings or get_settings()
    app.state.metrics = Metrics()
    app.state.sessions = Sessions(app.state.settings)
    app.add_middleware(MethodsMiddleware)  # inside ServiceMiddleware: auth and request ids apply
    app.add_middleware(ServiceMiddleware)
    _install_handlers(app)
    for module in (briefs, jobs, articles, health, web, digests, schedules, docs, verify):
        app.include_router(module.router)
    docs.mount_assets(app)
    app.openapi = lambda: with_security(_openapi(app), _auth_required(app))  # type: ignore[method-assign]
    return app
