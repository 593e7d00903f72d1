"""POST /v1/verify: check any claims (a summary from another tool, say) against an article."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.routes.briefs import ERRORS
from briefing.verify import MAX_CLAIM_CHARS, MAX_CLAIMS, VerifyReport, verify_claims

router = APIRouter(prefix="/v1", tags=["verify"])


# Published, not enforced by pydantic: verify_claims refuses blank text with a message naming the
# claim, and the schema says the same so clients (and schemathesis) know it up front.
NOT_BLANK = {"pattern": "\\S"}
Claim = Annotated[str, Field(max_length=MAX_CLAIM_CHARS, json_schema_extra=NOT_BLANK)]


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, as on every other body

    article: str = Field(
        min_length=1, max_length=2_000_000, description="The article text.", json_schema_extra=NOT_BLANK
    )
    claims: list[Claim] = Field(
        min_length=1, max_length=MAX_CLAIMS, description="Claims, a sentence or a few each."
    )


@router.post("/verify", response_model=VerifyReport, response_model_exclude_none=True, responses=ERRORS)
async def verify(body: VerifyIn) -> VerifyReport:
    """Each claim's verdict, score (higher = better supported), reasons and evidence sentences.

    The check is CPU work, so it runs in a worker thread, off the event loop.
    """
    return await asyncio.to_thread(verify_claims, body.article, body.claims)
