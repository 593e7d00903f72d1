"""FastAPI dependencies: the process's runtime objects, built once in the lifespan and injected.

Routes take these aliases (`StoreDep`, `BrieferDep`, `QueueDep`, `ServiceDep`, `DigestsDep`, ...)
instead of building anything themselves; tests swap them via `create_app(settings)`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.service import BriefService
from briefing.config import Settings
from briefing.digests.feeds import FeedPoller
from briefing.digests.service import DigestService
from briefing.pipeline import Briefer
from briefing.queue import WorkQueue
from briefing.runtime import Runtime
from briefing.store import Store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_service(request: Request) -> BriefService:
    return request.app.state.service


def get_store(request: Request) -> Store:
    return request.app.state.runtime.store


def get_briefer(request: Request) -> Briefer:
    return request.app.state.runtime.briefer


def get_queue(request: Request) -> WorkQueue:
    return request.app.state.service.queue


def get_digests(request: Request) -> DigestService:
    return request.app.state.runtime.digests


def get_feeds(request: Request) -> FeedPoller:
    return request.app.state.runtime.feeds


SettingsDep = Annotated[Settings, Depends(get_settings)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ServiceDep = Annotated[BriefService, Depends(get_service)]
StoreDep = Annotated[Store, Depends(get_store)]
BrieferDep = Annotated[Briefer, Depends(get_briefer)]
QueueDep = Annotated[WorkQueue, Depends(get_queue)]
DigestsDep = Annotated[DigestService, Depends(get_digests)]
FeedsDep = Annotated[FeedPoller, Depends(get_feeds)]
