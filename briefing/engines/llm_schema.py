"""The shape the LLM is asked to reply in, and its conversion to a `Brief`.

The draft is deliberately smaller than `Brief`: evidence is a list of quote strings (offsets and
`grounded` are grounding's job, `meta` is ours), so the model spends its tokens on content.
Validation is lenient (missing lists default to empty) while the schema sent as
`response_format` is strict-mode compatible: every property required, nulls spelled as anyOf,
no additional properties.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from briefing.models import (
    Actor,
    Brief,
    BriefMeta,
    Certainty,
    Dispute,
    Evidence,
    NextStep,
    Position,
    StatusItem,
)


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftPosition(_Draft):
    party: str
    position: str


class DraftActor(_Draft):
    name: str
    role: str | None = None
    aliases: list[str] = Field(default_factory=list)
    stance: str | None = None
    evidence: list[str] = Field(default_factory=list)


class DraftStatus(_Draft):
    text: str
    evidence: list[str] = Field(default_factory=list)


class DraftDispute(_Draft):
    issue: str
    parties: list[str] = Field(default_factory=list)
    positions: list[DraftPosition] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)


class DraftNextStep(_Draft):
    action: str
    who: str | None = None
    when: str | None = None
    certainty: Certainty | None = None
    evidence: list[str] = Field(default_factory=list)


class DraftBrief(_Draft):
    """What the model writes; converted to a `Brief` by `draft_to_brief`."""

    headline: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    actors: list[DraftActor] = Field(default_factory=list)
    status: list[DraftStatus] = Field(default_factory=list)
    disputes: list[DraftDispute] = Field(default_factory=list)
    next_steps: list[DraftNextStep] = Field(default_factory=list)


def _strict(node: Any) -> Any:
    """Rewrite a pydantic JSON schema into OpenAI strict-mode form (in place, recursively)."""
    if isinstance(node, dict):
        for key in ("default", "title", "minLength", "description", "minimum", "maximum"):
            node.pop(key, None)
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            node["additionalProperties"] = False
        for value in node.values():
            _strict(value)
    elif isinstance(node, list):
        for value in node:
            _strict(value)
    return node


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s JSON schema in strict `response_format` form; bounds and lengths are left to pydantic.

    Popping keywords by name is safe only while no field is named like one (true of every model here)."""
    return _strict(copy.deepcopy(model.model_json_schema()))


def draft_json_schema() -> dict[str, Any]:
    """The strict JSON schema of `DraftBrief`, ready for `response_format`."""
    return strict_json_schema(DraftBrief)


def _evidence(quotes: list[str], article_id: str | None) -> list[Evidence]:
    seen: set[str] = set()
    result = []
    for quote in quotes:
        quote = quote.strip()
        if quote and quote not in seen:
            seen.add(quote)
            result.append(Evidence(quote=quote, article_id=article_id))
    return result


def draft_to_brief(
    draft: DraftBrief,
    meta: BriefMeta,
    *,
    article_id: str | None = None,
    quote_source: dict[str, str | None] | None = None,
) -> Brief:
    """A `Brief` (ungrounded) from a draft.

    `quote_source` maps a quote to the article it came from, so merged story briefs keep each
    evidence item's `article_id`; quotes not in it get `article_id`.
    """

    def evidence(quotes: list[str]) -> list[Evidence]:
        items = _evidence(quotes, article_id)
        if quote_source:
            for item in items:
                item.article_id = quote_source.get(item.quote, article_id)
        return items

    return Brief(
        article_id=article_id,
        headline=draft.headline.strip(),
        summary=draft.summary.strip(),
        actors=[
            Actor(
                name=actor.name,
                role=actor.role,
                aliases=actor.aliases,
                stance=actor.stance,
                evidence=evidence(actor.evidence),
            )
            for actor in draft.actors
        ],
        status=[StatusItem(text=item.text, evidence=evidence(item.evidence)) for item in draft.status],
        disputes=[
            Dispute(
                issue=item.issue,
                parties=item.parties,
                positions=[Position(party=p.party, position=p.position) for p in item.positions],
                evidence=evidence(item.evidence),
            )
            for item in draft.disputes
        ],
        next_steps=[
            NextStep(
                action=item.action,
                who=item.who,
                when=item.when,
                certainty=item.certainty,
                evidence=evidence(item.evidence),
            )
            for item in draft.next_steps
        ],
        meta=meta,
    )


def brief_to_draft(brief: Brief) -> DraftBrief:
    """The draft view of a brief: what the reduce prompt shows the model."""
    quotes = lambda item: [evidence.quote for evidence in item.evidence]  # noqa: E731
    return DraftBrief(
        headline=brief.headline,
        summary=brief.summary,
        actors=[
            DraftActor(name=a.name, role=a.role, aliases=a.aliases, stance=a.stance, evidence=quotes(a))
            for a in brief.actors
        ],
        status=[DraftStatus(text=s.text, evidence=quotes(s)) for s in brief.status],
        disputes=[
            DraftDispute(
                issue=d.issue,
                parties=d.parties,
                positions=[DraftPosition(party=p.party, position=p.position) for p in d.positions],
                evidence=quotes(d),
            )
            for d in brief.disputes
        ],
        next_steps=[
            DraftNextStep(action=n.action, who=n.who, when=n.when, certainty=n.certainty, evidence=quotes(n))
            for n in brief.next_steps
        ],
    )
