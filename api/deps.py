"""FastAPI dependencies: settings and the per-app service (tests swap them via `create_app(settings)`)."""

from __future__ import annotations

from fastapi import Request

from api.service import BriefService
from briefing.config import Settings
from briefing.store import Store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_service(request: Request) -> BriefService:
    return request.app.state.service


def get_store(request: Request) -> Store:
    return request.app.state.service.store
