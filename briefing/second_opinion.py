"""The LLM's second opinion on the claim check (`BRIEFING_VERIFY=llm` or `llm-all`).

The offline check (`briefing.verify`) reads words; it cannot see a meaning change in the same
words, and it flags a fact a quote states in other words. With `llm`, the configured model judges
the items the offline check flags; with `llm-all`, every item with found evidence. One call per
brief (all its items at once), through the process's shared LLM client (its retry policy, its
bound on calls in flight), with the templates in `prompts/verify/`.

The rules that keep it safe:
- an item changes verdict only when the model names it explicitly: "supported" clears an item the
  offline check flagged (its offline reasons stay, for the record), "unsupported" flags an item the
  offline check passed (with the model's reason);
- a reply that is still invalid after the repair round, an unreachable endpoint or the deadline
  means no second opinion at all: the offline verdicts stand and `meta.warnings` says why (an
  unreachable endpoint leaves `meta.verify` as it was, so a later request asks again);
- items without a found quote are never sent: nothing can back them.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from pydantic import BaseModel, ConfigDict

from briefing.config import Settings
from briefing.engines.llm_schema import strict_json_schema
from briefing.errors import LLMError, LLMOutputError
from briefing.llm import LLMClient, Messages
from briefing.models import Actor, Brief, Dispute, NextStep, SecondOpinion, StatusItem, VerifyMode, _Item
from briefing.pricing import model_info
from briefing.prompts import Prompts
from briefing.verify import summarize_claims
from briefing.verify_modes import COVERS as COVERS  # re-exported: the mode rules live there
from briefing.verify_modes import needs_second_opinion as needs_second_opinion

VERIFY_TEMPLATES = ("verify/system.j2", "verify/user.j2", "verify/repair.j2")
REASON_CHARS = 300


class ItemVerdict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: int
    verdict: Literal["supported", "unsupported"]
    reason: str


class Verdicts(BaseModel):
    """The reply the model is asked for: one verdict per numbered statement."""

    model_config = ConfigDict(extra="forbid")

    verdicts: list[ItemVerdict]


def statement(item: _Item) -> str:
    """What the item asserts, in words a reader checks (the who, when and certainty included)."""
    if isinstance(item, Actor):
        text = item.name + (f" ({item.role})" if item.role else "")
        return text + (f". Stance: {item.stance}" if item.stance else "")
    if isinstance(item, StatusItem):
        return item.text
    if isinstance(item, Dispute):
        parts = [item.issue]
        if item.parties:
            parts.append("Parties: " + ", ".join(item.parties))
        parts += [f"{p.party}: {p.position}" for p in item.positions]
        return ". ".join(parts)
    if isinstance(item, NextStep):
        text = (f"{item.who}: " if item.who else "") + item.action
        if item.when:
            text += f" (when: {item.when})"
        return text + (f" [stated as {item.certainty}]" if item.certainty else "")
    raise TypeError(f"not a brief item: {type(item).__name__}")  # pragma: no cover


def targets(brief: Brief, mode: VerifyMode) -> list[_Item]:
    """The items the model judges: flagged ones (`llm`) or all (`llm-all`), with found evidence."""
    if mode == "offline":
        return []
    found = [item for item in brief.items() if any(e.grounded for e in item.evidence)]
    return found if mode == "llm-all" else [item for item in found if item.supported is False]


def apply_verdicts(items: list[_Item], reply: Verdicts, model: str | None) -> tuple[int, int, int]:
    """Store each named verdict on its item; returns (cleared, flagged, unanswered) counts.

    Numbers outside 1..len(items) are ignored and the first verdict for a number wins, so a
    muddled reply can only leave items as the offline check had them.
    """
    answered: dict[int, ItemVerdict] = {}
    for verdict in reply.verdicts:
        if 1 <= verdict.item <= len(items):
            answered.setdefault(verdict.item, verdict)
    cleared = flagged = 0
    for number, item in enumerate(items, start=1):
        verdict = answered.get(number)
        if verdict is None:
            continue
        reason = " ".join(verdict.reason.split())[:REASON_CHARS]
        item.second_opinion = SecondOpinion(verdict=verdict.verdict, reason=reason, model=model)
        if verdict.verdict == "supported" and item.supported is False:
            item.supported = True
            cleared += 1
        elif verdict.verdict == "unsupported" and item.supported is not False:
            item.supported = False
            item.reasons = [*item.reasons, f"second opinion: {reason or 'unsupported'}"]
            flagged += 1
    return cleared, flagged, len(items) - len(answered)


class LLMVerifier:
    """Asks the shared client for a second opinion on a brief's items (see the module docstring)."""

    def __init__(self, settings: Settings, client: LLMClient) -> None:
        self.settings = settings
        self.mode: VerifyMode = settings.verify
        self.client = client
        self.prompts = Prompts(settings.prompts_dir, templates=VERIFY_TEMPLATES)
        self.info = model_info(client.model, settings)
        self.schema = strict_json_schema(Verdicts)
        self.system_prompt = self.prompts.render("verify/system.j2")

    def messages(self, items: list[_Item]) -> Messages:
        rows = [
            {
                "number": number,
                "statement": statement(item),
                "quotes": [" ".join(e.quote.split()) for e in item.evidence if e.grounded],
                "findings": item.reasons if item.supported is False else [],
            }
            for number, item in enumerate(items, start=1)
        ]
        return [
            {"role": "system", "content": self.system_prompt},
            {"role": "user", "content": self.prompts.render("verify/user.j2", items=rows)},
        ]

    async def review(self, brief: Brief) -> Brief:
        """Judge the brief's target items in place; never raises for the model's failures."""
        meta = brief.meta
        meta.warnings = [w for w in meta.warnings if not w.startswith("verify:")]
        items = targets(brief, self.mode)
        if not items:
            meta.verify = self.mode
            return brief
        try:
            async with asyncio.timeout(self.settings.llm_deadline):
                reply = await self.client.structured(
                    self.messages(items),
                    Verdicts,
                    schema=self.schema,
                    schema_name="verdicts",
                    repair=lambda problem: self.prompts.render("verify/repair.j2", error=problem),
                    what="set of verdicts",
                )
        except (LLMError, TimeoutError) as error:
            meta.verify_calls += getattr(error, "attempts", 0)
            if isinstance(error, LLMError):
                why = error.message
            else:
                why = f"no answer within {self.settings.llm_deadline:g}s (BRIEFING_LLM_DEADLINE)"
            if isinstance(error, LLMOutputError):
                meta.verify = self.mode  # the model answered, unusably: asking again costs the same
            meta.warnings.append(f"verify: no second opinion from the LLM ({why}); offline verdicts stand")
            return brief
        meta.verify = self.mode
        self._count(brief, reply.usage.calls, reply.usage.prompt_tokens, reply.usage.completion_tokens)
        cleared, flagged, unanswered = apply_verdicts(items, reply.value, self.client.model)
        summarize_claims(brief)
        if cleared:
            meta.warnings.append(f"verify: the LLM found {cleared} flagged item(s) backed by their evidence")
        if flagged:
            meta.warnings.append(f"verify: the LLM found {flagged} item(s) unsupported that passed offline")
        if unanswered:
            meta.warnings.append(
                f"verify: the LLM gave no verdict on {unanswered} of {len(items)} item(s); "
                "they keep the offline verdict"
            )
        return brief

    def _count(self, brief: Brief, calls: int, prompt_tokens: int, completion_tokens: int) -> None:
        meta = brief.meta
        meta.verify_calls += calls
        meta.verify_prompt_tokens += prompt_tokens
        meta.verify_completion_tokens += completion_tokens
        cost = self.info.cost(prompt_tokens, completion_tokens)
        if cost is not None:
            meta.verify_cost_usd = round((meta.verify_cost_usd or 0.0) + cost, 8)
