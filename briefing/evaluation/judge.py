"""Optional LLM judge: faithfulness, coverage and concision on a 1–5 rubric (prompts/judge/).

The judge runs at temperature 0; `repeat` asks it the same question several times and reports the
spread (max − min per case), so a judge that answers differently to the same input is visible
instead of silently adding noise. The deterministic metrics never depend on it.
"""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

import httpx2
from pydantic import BaseModel, Field

from briefing.config import Settings
from briefing.engines.llm_schema import strict_json_schema
from briefing.errors import BriefingError, ConfigError
from briefing.llm import LLMClient
from briefing.models import Brief
from briefing.prompts import Prompts

if TYPE_CHECKING:
    from briefing.evaluation.runner import CaseRun

CRITERIA = ("faithfulness", "coverage", "concision")
JUDGE_TEMPLATES = ("judge/system.j2", "judge/user.j2")


class Verdict(BaseModel):
    score: int = Field(ge=1, le=5)
    rationale: str = ""


class Judgement(BaseModel):
    faithfulness: Verdict
    coverage: Verdict
    concision: Verdict


def brief_as_text(brief: Brief) -> str:
    """The brief as the judge reads it: plain lines, no evidence offsets."""
    lines = [f"Headline: {brief.headline}", f"Summary: {brief.summary}"]
    for actor in brief.actors:
        lines.append(f"Actor: {actor.name}" + (f" ({actor.role})" if actor.role else ""))
    lines += [f"Status: {item.text}" for item in brief.status]
    lines += [f"Dispute: {item.issue}" for item in brief.disputes]
    for step in brief.next_steps:
        who = f"{step.who}: " if step.who else ""
        when = f" ({step.when})" if step.when else ""
        lines.append(f"Next step: {who}{step.action}{when}")
    return "\n".join(lines)


class Judge:
    """Scores briefs through the same LLM client as the engine: one retry policy, one bound on calls
    in flight, one repair round for an invalid verdict."""

    def __init__(self, settings: Settings, http_client: httpx2.AsyncClient | None = None) -> None:
        if not settings.llm_configured:
            raise ConfigError("the LLM judge needs an endpoint: set OPENAI_API_KEY and/or OPENAI_BASE_URL")
        self.settings = settings
        self.prompts = Prompts(settings.prompts_dir, templates=JUDGE_TEMPLATES)
        self.client = LLMClient(settings.model_copy(update={"llm_temperature": 0.0}), http_client=http_client)
        self.schema = strict_json_schema(Judgement)

    async def judge(self, article: str, brief: Brief) -> Judgement:
        system = self.prompts.render("judge/system.j2")
        user = self.prompts.render("judge/user.j2", article=article, brief=brief_as_text(brief))
        reply = await self.client.structured(
            [{"role": "system", "content": system}, {"role": "user", "content": user}],
            Judgement,
            schema=self.schema,
            schema_name="judgement",
            repair=lambda problem: (
                f"That verdict is not valid: {problem}. Reply again with only the "
                "corrected JSON object: each criterion a score from 1 to 5 and a rationale."
            ),
            what="verdict",
        )
        return reply.value

    async def aclose(self) -> None:
        await self.client.aclose()


async def _judge_case(judge: Judge, run: CaseRun, repeat: int) -> dict[str, Any]:
    assert run.brief is not None
    judgements: list[Judgement] = []
    errors: list[str] = []
    for _ in range(max(1, repeat)):
        try:
            judgements.append(await judge.judge(run.case.article, run.brief))
        except BriefingError as error:  # recorded per case; the run goes on
            errors.append(f"{type(error).__name__}: {error}")
    entry: dict[str, Any] = {"errors": errors}
    for criterion in CRITERIA:
        scores = [getattr(j, criterion).score for j in judgements]
        entry[criterion] = {
            "scores": scores,
            "mean": statistics.fmean(scores) if scores else None,
            "spread": (max(scores) - min(scores)) if scores else None,
            "rationales": [getattr(j, criterion).rationale for j in judgements],
        }
    return entry


async def judge_runs(
    runs: list[CaseRun], settings: Settings, http_client: httpx2.AsyncClient | None, *, repeat: int = 1
) -> dict[str, Any]:
    """Judge every case that has a brief `repeat` times; per-case scores, rationales and spread."""
    judge = Judge(settings, http_client)
    try:
        cases = {run.case.id: await _judge_case(judge, run, repeat) for run in runs if run.brief is not None}
    finally:
        await judge.aclose()
    summary: dict[str, float | None] = {}
    for criterion in CRITERIA:
        means = [c[criterion]["mean"] for c in cases.values() if c[criterion]["mean"] is not None]
        spreads = [c[criterion]["spread"] for c in cases.values() if c[criterion]["spread"] is not None]
        summary[f"judge_{criterion}"] = statistics.fmean(means) if means else None
        summary[f"judge_{criterion}_spread_max"] = float(max(spreads)) if spreads else None
    return {"repeat": max(1, repeat), "model": settings.model, "aggregate": summary, "cases": cases}
