"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import get_service
from api.service import BriefService

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers and an engine is usable")
def readyz(service: Annotated[BriefService, Depends(get_service)]) -> JSONResponse:
    settings = service.settings
    checks: dict[str, Any] = {
        "database": "ok" if service.store.ping() else "unreachable",
        "engine": settings.default_engine,
        "llm": "configured" if settings.llm_configured else "not configured (offline engine)",
    }
    ready = checks["database"] == "ok" and (settings.default_engine != "llm" or settings.llm_configured)
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(service: Annotated[BriefService, Depends(get_service)]) -> Response:
    service.metrics.queue_depth.set(service.store.count_active_jobs())
    service.metrics.jobs_running.set(service.queue.running)
    return Response(service.metrics.render(), media_type=CONTENT_TYPE_LATEST)
