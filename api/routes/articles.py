"""Article ingest (for digests) and listing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from api.bodies import parse_model, read_article_body
from api.deps import get_service
from api.routes.briefs import ERRORS
from api.schemas import ArticleIn, ArticleOut, DateTimeQuery, ErrorOut, Limit, Offset, Page
from api.service import BriefService
from briefing.errors import NotFoundError
from briefing.models import Article
from briefing.services import history

router = APIRouter(prefix="/v1/articles", tags=["articles"])

ARTICLE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ArticleIn"}},
        "text/plain": {"schema": {"type": "string"}},
        "text/html": {"schema": {"type": "string"}},
    },
}


@router.post(
    "",
    response_model=ArticleOut,
    status_code=201,
    responses={200: {"model": ArticleOut, "description": "Already stored"}, **ERRORS},
    openapi_extra={"requestBody": ARTICLE_BODY},
    summary="Store an article (idempotent: the same text gets the same id)",
    description=(
        "A text stored before answers 200 with the stored article: metadata it lacked (title, source, "
        "url, published_at, language) is filled in from this request and named in `filled`; a field "
        "it already has with another value is kept and reported in `conflicts`, never overwritten."
    ),
)
async def ingest_article(
    request: Request, service: Annotated[BriefService, Depends(get_service)]
) -> JSONResponse:
    _, fields = await read_article_body(request)
    article = await service.article_from(parse_model(ArticleIn, fields))
    ingested = await service.store_article(article)
    body = ArticleOut.model_validate(ingested.model_dump()).model_dump(mode="json")
    return JSONResponse(
        body,
        status_code=201 if ingested.created else 200,
        headers={"Location": f"/v1/articles/{ingested.article.id}"},
    )


@router.get("", response_model=Page[Article], summary="Articles, newest first")
def list_articles(
    service: Annotated[BriefService, Depends(get_service)],
    since: DateTimeQuery | None = None,
    until: DateTimeQuery | None = None,
    source: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Article]:
    items = history.list_articles(
        service.store, since=since, until=until, source=source, limit=limit + 1, offset=offset
    )
    return Page[Article].of(items, limit=limit, offset=offset)


@router.get("/{article_id}", response_model=Article, responses={404: {"model": ErrorOut}})
def get_article(article_id: str, service: Annotated[BriefService, Depends(get_service)]) -> Article:
    article = service.store.get_article(article_id)
    if article is None:
        raise NotFoundError(f"no article with id {article_id!r}")
    return article
