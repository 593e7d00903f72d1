"""The interactive API docs (Swagger UI, ReDoc): offline, with this response's CSP nonce on their scripts.

FastAPI's default pages load their JavaScript and CSS from a CDN, so they are blank without
network (and under our policy). The assets come from the installed `fastapi-offline` package
(Swagger UI 5, ReDoc 2), mounted at /docs/assets; the pages are FastAPI's own
`get_swagger_ui_html` / `get_redoc_html`. Their inline start-up scripts carry the nonce of the
Content-Security-Policy every HTML response has (see `api.middleware.PAGE_POLICY`).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.middleware import PAGE_POLICY

router = APIRouter(include_in_schema=False)
ASSETS_URL = "/docs/assets"


def assets_dir() -> Path:
    """The Swagger UI and ReDoc files shipped inside the installed fastapi-offline package."""
    return Path(str(files("fastapi_offline") / "static"))


def mount_assets(app: FastAPI) -> None:
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")


def with_nonce(page: HTMLResponse, nonce: str) -> HTMLResponse:
    """The same page with `nonce` on every script element, so the policy lets exactly those run.

    ReDoc also searches in a worker it makes from a blob, which the page policy alone would block.
    """
    body = bytes(page.body).decode("utf-8").replace("<script", f'<script nonce="{nonce}"')
    policy = PAGE_POLICY.format(nonce=nonce) + "; worker-src 'self' blob:"
    return HTMLResponse(body, status_code=page.status_code, headers={"Content-Security-Policy": policy})


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
    )
    return with_nonce(page, request.state.csp_nonce)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}/openapi.json",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
    return with_nonce(page, request.state.csp_nonce)
