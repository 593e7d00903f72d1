"""The work-queue protocol every process uses, whichever engine runs the work underneath.

A job is a row in our `jobs` table before anything runs (clients read its status and result
there, and every result write is fenced with the attempt that claimed it). What runs it is the
queue: `LocalQueue` (in-process, over the same table; SQLite) or `ProcrastinateQueue`
(procrastinate workers on PostgreSQL, heartbeats and stalled-job retry included).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from briefing.errors import BriefingError
from briefing.models import Article
from briefing.store import Job

FINAL = ("succeeded", "failed")


async def wait_any(*events: asyncio.Event) -> None:
    """Return once any of `events` is set (the waits left over are cancelled, never leaked)."""
    waits = {asyncio.create_task(event.wait()) for event in events}
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


class RetryLaterError(Exception):
    """An attempt failed and may pass later: the queue runs the task again after `delay` s (on
    procrastinate through a retry strategy, on the embedded queue by holding its row back)."""

    def __init__(self, what: str, delay: float) -> None:
        super().__init__(f"{what}: retry in {delay:g} s")
        self.delay = delay


@dataclass(frozen=True)
class TaskRun:
    """The run of a task, as a task that asks for its context sees it (procrastinate's `job`)."""

    attempts: int  # earlier attempts of this task: 0 on its first run


@dataclass(frozen=True)
class TaskContext:
    """What the embedded queue passes a task registered with `pass_context` (procrastinate passes
    its own `JobContext`; the tasks read only `context.job.attempts`)."""

    job: TaskRun


@dataclass
class Outcome:
    """What a handler made of a job."""

    result_id: str | None = None
    result: dict[str, Any] | None = None
    value: Any = None  # the in-memory result, handed to an in-process caller (not stored)
    recorded: bool = (
        False  # the handler already marked the job succeeded, with its result, in one transaction
    )
    retry_in: float | None = None  # run the job again after this many seconds (a task's retry)


Handler = Callable[[Job], Awaitable[Outcome]]


class WorkQueue(Protocol):
    """Accept jobs (durably), run them in a worker, answer their state."""

    engine: str  # "local" or "procrastinate"
    running: int  # jobs this process runs right now

    def submit(self, kind: str, payload: dict[str, Any], *, article: Article | None = None) -> Job: ...

    def task(
        self,
        name: str,
        function: Callable[..., Awaitable[Any]],
        *,
        queue: str,
        retry: bool = False,
        pass_context: bool = False,
    ) -> None: ...

    def defer(
        self, task: str, args: dict[str, Any], *, queue: str, lock: str, at: datetime | None = None
    ) -> bool: ...

    def get(self, job_id: str) -> Job | None: ...

    def retry(self, job_id: str) -> Job: ...

    async def wait(self, job_id: str, timeout: float) -> Job | None: ...

    async def run_worker(self, stop: asyncio.Event) -> None: ...

    async def run_now(
        self, kind: str, payload: dict[str, Any], *, article: Article | None = None, timeout: float
    ) -> tuple[Job, Outcome | None]: ...


def error_document(error: BaseException) -> dict[str, Any]:
    """What a failed job records: enough for a client to act on, no traceback."""
    if isinstance(error, BriefingError):
        return {"type": type(error).__name__, "message": error.message, "status": error.http_status}
    return {"type": "InternalError", "message": f"unexpected {type(error).__name__}: {error}", "status": 500}
