"""The web pages: paste text or a URL and read the brief (its sections, with the evidence marked in
the article); the brief history with search; the digests and one digest, readable on a phone.

Every page is rendered by Jinja2 with autoescaping; links go only to http(s) addresses; the
middleware adds the Content-Security-Policy (with this response's nonce) and the Host check.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.bodies import validation_error
from api.deps import DigestsDep, get_service
from api.highlight import highlight
from api.schemas import ArticleIn
from api.service import BriefService
from api.session import SESSION_COOKIE
from briefing.digests import render as digest_render
from briefing.errors import BriefingError, NotFoundError
from briefing.limits import MAX_ID
from briefing.models import Actor, Brief, BriefOptions, Dispute, NextStep, StatusItem
from briefing.store.history import MAX_QUERY_CHARS
from briefing.store.keys import hash_key

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
PAGE_SIZE = 20
MAX_OFFSET = 1_000_000


def link_url(value: str | None) -> str | None:
    """An address the page may link to: http(s) with a host; anything else (javascript:, data:) is not."""
    url = (value or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


templates.env.globals.update(
    link_url=link_url,
    item_sources=digest_render.item_sources,
    item_text=digest_render.item_text,
    ref_label=digest_render.ref_label,
    ref_title=digest_render.ref_title,
    ref_url=digest_render.ref_url,
    ref_href=digest_render.ref_href,
    ref_anchor=digest_render.ref_anchor,
    unfound_quotes=digest_render.unfound_quotes,
    unsupported_note=digest_render.unsupported_note,
)


def _next(target: str) -> str:
    """Only same-site paths: the login form must not become an open redirect."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, service: Annotated[BriefService, Depends(get_service)], next: str = "/"
) -> Response:
    if not service.auth_required():
        return RedirectResponse(_next(next), status_code=303)
    return templates.TemplateResponse(request, "login.html", {"next": _next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    service: Annotated[BriefService, Depends(get_service)],
    key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the key like the Bearer header, then start a signed, expiring session naming the key
    by its digest (the key itself never goes into the cookie).

    (The middleware has already refused a cross-site post of this form by its Origin.)
    """
    target = _next(next)
    if not service.auth_required():
        return RedirectResponse(target, status_code=303)
    key = key.strip()
    if not key or not service.key_valid(key):
        context = {"next": target, "error": "That key is not valid (unknown or revoked)."}
        return templates.TemplateResponse(request, "login.html", context, status_code=403)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        request.app.state.sessions.issue(hash_key(key)),
        max_age=int(service.settings.session_max_age),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    secure = request.url.scheme == "https"
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    return response


@router.get("/", response_class=HTMLResponse)
def index(request: Request, service: Annotated[BriefService, Depends(get_service)]) -> Response:
    return _index(request, service)


def _index(request: Request, service: BriefService, error: str | None = None, status: int = 200) -> Response:
    recent = service.store.search_briefs(limit=10)
    return templates.TemplateResponse(
        request, "index.html", {"recent": recent, "error": error}, status_code=status
    )


@router.post("/", response_class=HTMLResponse)
async def submit(
    request: Request,
    service: Annotated[BriefService, Depends(get_service)],
    text: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
) -> Response:
    try:
        article = await service.article_from(ArticleIn(text=text or None, url=url.strip() or None))
    except ValidationError as error:
        return await asyncio.to_thread(_index, request, service, validation_error(error).message, 422)
    except BriefingError as error:
        return await asyncio.to_thread(_index, request, service, error.message, error.http_status)
    try:
        options = BriefOptions()
        cached = await service.cached(article, options)
        if cached is not None and cached.id:
            return RedirectResponse(f"/briefs/{cached.id}", status_code=303)
        finished, _ = await service.brief_now(article, options)
        if finished.status == "queued":
            finished = await service.queue.wait(finished.id, service.settings.wait_seconds) or finished
    except BriefingError as error:
        return await asyncio.to_thread(_index, request, service, error.message, error.http_status)
    if finished.status == "succeeded" and finished.result_id:
        return RedirectResponse(f"/briefs/{finished.result_id}", status_code=303)
    return RedirectResponse(f"/jobs/{finished.id}", status_code=303)


@router.get("/briefs", response_class=HTMLResponse)
def history_page(
    request: Request,
    service: Annotated[BriefService, Depends(get_service)],
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="words to look for")] = "",
    source: Annotated[str, Query(max_length=255)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """Every stored brief, newest first, searched on the server and shown a page at a time."""
    page = service.store.search_briefs(text=q, source=source, limit=PAGE_SIZE, offset=offset)
    filters = {k: v for k, v in (("q", q.strip()), ("source", source.strip())) if v}
    context = {
        "page": page,
        "q": q,
        "source": source,
        "sources": service.store.brief_sources(),
        "newer": _page_link("/briefs", filters, max(0, offset - PAGE_SIZE)) if offset else None,
        "older": _page_link("/briefs", filters, page.next_offset) if page.next_offset else None,
    }
    return templates.TemplateResponse(request, "history.html", context)


def _page_link(path: str, filters: dict[str, str], offset: int) -> str:
    query = urlencode({**filters, **({"offset": offset} if offset else {})})
    return f"{path}?{query}" if query else path


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    job_id: str, request: Request, service: Annotated[BriefService, Depends(get_service)]
) -> Response:
    job = service.queue.get(job_id)
    if job is None:
        raise NotFoundError(f"no job with id {job_id!r}")
    if job.status == "succeeded" and job.result_id:
        return RedirectResponse(f"/briefs/{job.result_id}", status_code=303)
    return templates.TemplateResponse(request, "job.html", {"job": job})


@router.get("/briefs/{brief_id}", response_class=HTMLResponse)
def brief_page(
    brief_id: str, request: Request, service: Annotated[BriefService, Depends(get_service)]
) -> Response:
    brief = service.store.get_brief_by_id(brief_id)
    if brief is None:
        raise NotFoundError(f"no brief with id {brief_id!r}")
    article = service.store.get_article(brief.article_id or "")
    if article is not None:  # as the server's grounding mode shows it (strict drops what is unbacked)
        brief = service.present(brief, article, BriefOptions())
    segments = highlight(article.text, brief) if article else []
    context = {"brief": brief, "article": article, "segments": segments, "sections": sections(brief)}
    return templates.TemplateResponse(request, "brief.html", context)


@router.get("/digests", response_class=HTMLResponse)
async def digests_page(
    request: Request, digests: DigestsDep, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
) -> Response:
    """The digests, newest first, a page at a time (linked from the home page)."""
    items = await asyncio.to_thread(digests.repo.list_digests, limit=PAGE_SIZE + 1, offset=offset)
    context = {
        "digests": items[:PAGE_SIZE],
        "newer": _page_link("/digests", {}, max(0, offset - PAGE_SIZE)) if offset else None,
        "older": _page_link("/digests", {}, offset + PAGE_SIZE) if len(items) > PAGE_SIZE else None,
    }
    return templates.TemplateResponse(request, "digests/list.html", context)


@router.get("/digests/{digest_id}", response_class=HTMLResponse)
async def digest_page(
    request: Request, digest_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], digests: DigestsDep
) -> Response:
    """One digest as a page of its own (not the email inside a frame), so it reflows on a phone."""
    digest = await asyncio.to_thread(digests.repo.get_digest, digest_id)
    deliveries = await asyncio.to_thread(digests.repo.list_deliveries, digest_id=digest_id)
    context = {"digest": digest, "deliveries": deliveries}
    return templates.TemplateResponse(request, "digests/show.html", context)


@dataclass
class Row:
    """One item of a brief section: the item, its evidence numbers, and the quotes not found."""

    item: Actor | StatusItem | Dispute | NextStep
    numbers: list[tuple[int, bool]] = field(default_factory=list)  # (evidence number, found in the text)
    unfound: list[tuple[int, str]] = field(default_factory=list)  # (evidence number, quote)


@dataclass
class Section:
    key: str  # actors, status, disputes, next_steps: the element id and which fields the page shows
    title: str
    rows: list[Row]


SECTIONS = [
    ("actors", "Key actors"),
    ("status", "Status"),
    ("disputes", "Disputes"),
    ("next_steps", "Next steps"),
]


def sections(brief: Brief) -> list[Section]:
    """The brief's items under their headings, numbered like the marks in the article.

    The numbering walks the items in `Brief.items()` order, the order `highlight` numbers the
    evidence in, so [3] beside an item is the mark with a 3 in the article.
    """
    number = 0
    result: list[Section] = []
    for key, title in SECTIONS:
        rows: list[Row] = []
        for item in getattr(brief, key):
            row = Row(item)
            for evidence in item.evidence:
                number += 1
                found = evidence.grounded is not False and evidence.start is not None
                row.numbers.append((number, found))
                if evidence.grounded is False:
                    row.unfound.append((number, evidence.quote))
            rows.append(row)
        result.append(Section(key, title, rows))
    return result
