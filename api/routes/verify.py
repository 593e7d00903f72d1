"""POST /v1/verify: check any claims (a summary from another tool, say) against an article."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.routes.briefs import ERRORS
from briefing.verify import MAX_CLAIMS, VerifyReport, verify_claims

router = APIRouter(prefix="/v1", tags=["verify"])


class VerifyIn(BaseModel):
    article: str = Field(min_length=1, max_length=2_000_000, description="The article text.")
    claims: list[str] = Field(
        min_length=1, max_length=MAX_CLAIMS, description="Claims, a sentence or a few each."
    )


@router.post("/verify", response_model=VerifyReport, responses=ERRORS)
async def verify(body: VerifyIn) -> VerifyReport:
    """Each claim's verdict, score (higher = better supported), reasons and evidence sentences.

    The check is CPU work, so it runs in a worker thread, off the event loop.
    """
    return await asyncio.to_thread(verify_claims, body.article, body.claims)
