"""The web page: paste text or a URL, read the brief with its evidence marked in the article."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.bodies import validation_error
from api.deps import get_service
from api.highlight import highlight
from api.schemas import ArticleIn
from api.service import BriefService
from api.session import SESSION_COOKIE
from briefing.errors import BriefingError, NotFoundError
from briefing.models import Brief, BriefOptions
from briefing.store.keys import hash_key

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


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
    recent = service.store.list_briefs(limit=20)
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
        return _index(request, service, validation_error(error).message, 422)
    except BriefingError as error:
        return _index(request, service, error.message, error.http_status)
    try:
        options = BriefOptions()
        cached = await service.cached(article, options)
        if cached is not None and cached.id:
            return RedirectResponse(f"/briefs/{cached.id}", status_code=303)
        finished, _ = await service.brief_now(article, options)
        if finished.status == "queued":
            finished = await service.queue.wait(finished.id, service.settings.wait_seconds) or finished
    except BriefingError as error:
        return _index(request, service, error.message, error.http_status)
    if finished.status == "succeeded" and finished.result_id:
        return RedirectResponse(f"/briefs/{finished.result_id}", status_code=303)
    return RedirectResponse(f"/jobs/{finished.id}", status_code=303)


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
    return templates.TemplateResponse(
        request,
        "brief.html",
        {"brief": brief, "article": article, "segments": segments, "labels": _labels(brief)},
    )


@dataclass
class ItemRow:
    """One item in the page's list: its words, evidence numbers, and what could not be checked."""

    section: str
    text: str
    grounded: bool | None
    numbers: list[int]
    unfound: list[tuple[int, str]] = field(default_factory=list)  # (evidence number, quote)
    supported: bool | None = None
    reasons: list[str] = field(default_factory=list)


def _labels(brief: Brief) -> list[ItemRow]:
    """The item list beside the article, numbered like the marks in the article."""
    rows: list[ItemRow] = []
    number = 0
    sections = [
        ("Actor", [(f"{a.name}" + (f" — {a.role}" if a.role else ""), a) for a in brief.actors]),
        ("Status", [(s.text, s) for s in brief.status]),
        ("Dispute", [(d.issue, d) for d in brief.disputes]),
        ("Next step", [(n.action + (f" ({n.when})" if n.when else ""), n) for n in brief.next_steps]),
    ]
    for section, items in sections:
        for text, item in items:
            row = ItemRow(section, text, item.grounded, [], supported=item.supported, reasons=item.reasons)
            for evidence in item.evidence:
                number += 1
                row.numbers.append(number)
                if evidence.grounded is False:
                    row.unfound.append((number, evidence.quote))
            rows.append(row)
    return rows
