"""The interactive API docs (Swagger UI, ReDoc) with this response's CSP nonce on their scripts.

The pages' inline start-up scripts would otherwise be blocked by the Content-Security-Policy
every HTML response carries (see `api.middleware.PAGE_POLICY`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


def with_nonce(page: HTMLResponse, nonce: str) -> HTMLResponse:
    """The same page with `nonce` on every script element, so the policy lets exactly those run."""
    body = bytes(page.body).decode("utf-8").replace("<script", f'<script nonce="{nonce}"')
    return HTMLResponse(body, status_code=page.status_code)


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(openapi_url="/openapi.json", title=f"{request.app.title} - Swagger UI")
    return with_nonce(page, request.state.csp_nonce)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    page = get_redoc_html(openapi_url="/openapi.json", title=f"{request.app.title} - ReDoc")
    return with_nonce(page, request.state.csp_nonce)
