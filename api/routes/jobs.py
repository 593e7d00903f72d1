"""Job status and retry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.deps import get_service
from api.problems import Conflict
from api.schemas import ErrorOut, JobOut
from api.service import BriefService
from briefing.errors import NotFoundError

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut, responses={404: {"model": ErrorOut}})
def get_job(job_id: str, service: Annotated[BriefService, Depends(get_service)]) -> JobOut:
    job = service.queue.get(job_id)
    if job is None:
        raise NotFoundError(f"no job with id {job_id!r}")
    return service.job_out(job)


@router.post(
    "/{job_id}/retry",
    status_code=202,
    response_model=JobOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    summary="Queue a failed job again",
)
def retry_job(job_id: str, service: Annotated[BriefService, Depends(get_service)]) -> JSONResponse:
    job = service.queue.retry(job_id)
    if job.status != "queued":
        raise Conflict(f"job {job_id} is {job.status}; only failed jobs can be retried")
    out = service.job_out(job)
    return JSONResponse(out.model_dump(mode="json"), status_code=202, headers={"Location": out.links.self})
