"""POST /v1/briefs (make a brief, waiting or not) and reading stored briefs."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from api.bodies import parse_model, read_article_body
from api.deps import get_service
from api.schemas import BriefRequest, DateTimeQuery, ErrorOut, JobOut, Limit, Offset, Page
from api.service import BriefService
from briefing.errors import NotFoundError
from briefing.models import Brief, BriefOptions

router = APIRouter(prefix="/v1/briefs", tags=["briefs"])

BRIEF_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/BriefRequest"}},
        "text/plain": {"schema": {"type": "string", "description": "The article text."}},
        "text/html": {"schema": {"type": "string", "description": "An HTML page; its article text is used."}},
    },
}
ERRORS = {status: {"model": ErrorOut} for status in (400, 401, 403, 413, 415, 422, 429, 502, 503)}


@router.post(
    "",
    summary="Brief an article",
    description="200 with the brief when it is ready within the wait time; otherwise 202 with a job link.",
    response_model=Brief,
    responses={202: {"model": JobOut}, **ERRORS},
    openapi_extra={"requestBody": BRIEF_BODY},
)
async def create_brief(
    request: Request,
    service: Annotated[BriefService, Depends(get_service)],
    wait: Annotated[bool, Query(description="Wait for the brief (up to the server's wait time).")] = True,
    engine: Annotated[str | None, Query(max_length=64)] = None,
    model: Annotated[str | None, Query(max_length=255)] = None,
    grounding: Literal["flag", "strict"] | None = None,
) -> Response:
    _, fields = await read_article_body(request)
    brief_request = parse_model(BriefRequest, fields)
    overrides = {"engine": engine, "model": model, "grounding": grounding}
    options = brief_request.options.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    options = BriefOptions.model_validate(options.model_dump())
    article = await service.article_from(brief_request)
    service.engine_for(options)
    cached = await service.cached(article, options)
    if cached is not None:
        return _brief_response(cached)
    if wait:
        job, brief = await service.brief_now(article, options)
        if brief is not None:
            return _brief_response(brief, job.id)
        if job.status == "queued":  # no free slot here: wait for a worker to take it
            job = await service.queue.wait(job.id, service.settings.wait_seconds) or job
    else:
        job = await service.submit(article, options)
    if job.status == "succeeded":
        brief = service.job_brief(job)
        if brief is not None:
            return _brief_response(brief, job.id)
    if job.status == "failed" and job.error:
        error = job.error
        return JSONResponse(
            {"error": {"type": error.get("type"), "message": error.get("message"), "job_id": job.id}},
            status_code=int(error.get("status") or 502),
            headers={"X-Job-ID": job.id},
        )
    out = service.job_out(job)
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=202,
        headers={"Location": out.links.self, "X-Job-ID": job.id, "Retry-After": "1"},
    )


def _brief_response(brief: Brief, job_id: str | None = None) -> Response:
    headers = {"Location": f"/v1/briefs/{brief.id}"} if brief.id else {}
    if job_id:
        headers["X-Job-ID"] = job_id
    # Straight to JSON bytes in pydantic-core (no intermediate dict, no json.dumps pass).
    return Response(brief.model_dump_json(), media_type="application/json", headers=headers)


@router.get("", response_model=Page[Brief], summary="Recent briefs, newest first")
def list_briefs(
    service: Annotated[BriefService, Depends(get_service)],
    since: DateTimeQuery | None = None,
    source: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Brief]:
    items = service.store.list_briefs(since=since, source=source, limit=limit + 1, offset=offset)
    return Page[Brief].of(items, limit=limit, offset=offset)


@router.get("/{brief_id}", response_model=Brief, responses={404: {"model": ErrorOut}})
def get_brief(brief_id: str, service: Annotated[BriefService, Depends(get_service)]) -> Brief:
    brief = service.store.get_brief_by_id(brief_id)
    if brief is None:
        raise NotFoundError(f"no brief with id {brief_id!r}")
    article = service.store.get_article(brief.article_id or "")
    return service.present(brief, article, BriefOptions()) if article else brief
