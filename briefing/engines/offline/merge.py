"""Merging several briefs (one story's articles, or one long article's chunks) into one brief.

Actors are united when their names or aliases meet (exactly, or as near spellings), their salience
summed (1 / rank in each input brief) so actors present across articles rise; items are de-duplicated
by rapidfuzz similarity, keeping every evidence quote together with the article it came from; the
headline and summary come from the most central input brief — the one whose summary shares most
with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from rapidfuzz import fuzz

from briefing.models import Actor, Brief, BriefMeta, Dispute, Evidence, NextStep, StatusItem

SAME_ITEM = 82.0
SAME_NAME = 90.0
MAX_ACTORS = 10
MAX_STATUS = 8
MAX_DISPUTES = 5
MAX_NEXT_STEPS = 6
MAX_EVIDENCE = 3

Item = TypeVar("Item", StatusItem, Dispute, NextStep)


def merge_briefs(briefs: Sequence[Brief], *, prompt_version: str | None = None) -> Brief:
    if not briefs:
        return Brief(
            headline="",
            summary="",
            meta=BriefMeta(engine="offline", cost_usd=0.0, warnings=["nothing to merge"]),
        )
    briefs = [_with_article_ids(brief) for brief in briefs]
    central = _most_central(briefs)
    article_ids = {brief.article_id for brief in briefs}
    warnings: list[str] = []
    for brief in briefs:
        warnings.extend(w for w in brief.meta.warnings if w not in warnings)
    as_of = [brief.meta.as_of for brief in briefs if brief.meta.as_of is not None]
    meta = BriefMeta(
        engine="offline",
        prompt_version=prompt_version,
        as_of=max(as_of) if as_of else None,
        chunks=sum(brief.meta.chunks for brief in briefs),
        cost_usd=0.0,
        warnings=warnings,
    )
    return Brief(
        article_id=briefs[0].article_id if len(article_ids) == 1 else None,
        headline=central.headline,
        summary=central.summary,
        actors=_merge_actors(briefs),
        status=_merge_items([b.status for b in briefs], lambda i: i.text, MAX_STATUS),
        disputes=_merge_items([b.disputes for b in briefs], lambda i: i.issue, MAX_DISPUTES),
        next_steps=_merge_items([b.next_steps for b in briefs], lambda i: i.action, MAX_NEXT_STEPS),
        meta=meta,
    )


def _with_article_ids(brief: Brief) -> Brief:
    """A copy whose evidence all names its article (inputs are left untouched)."""
    brief = brief.model_copy(deep=True)
    for item in brief.items():
        for evidence in item.evidence:
            if evidence.article_id is None:
                evidence.article_id = brief.article_id
    return brief


def _most_central(briefs: list[Brief]) -> Brief:
    def closeness(brief: Brief) -> float:
        return sum(
            fuzz.token_set_ratio(brief.summary, other.summary) for other in briefs if other is not brief
        )

    return max(briefs, key=lambda brief: (closeness(brief), -briefs.index(brief)))


def _names(actor: Actor) -> set[str]:
    return {actor.name.lower(), *(alias.lower() for alias in actor.aliases)}


def _merge_actors(briefs: list[Brief]) -> list[Actor]:
    merged: list[tuple[float, int, Actor]] = []
    for brief in briefs:
        for rank, actor in enumerate(brief.actors):
            salience = 1.0 / (rank + 1)
            for position, (score, first, existing) in enumerate(merged):
                if _same_actor(existing, actor):
                    if len(actor.name.split()) > len(existing.name.split()):
                        existing.aliases = _union(existing.aliases, [existing.name], actor.name)
                        existing.name = actor.name
                    existing.aliases = _union(existing.aliases, [actor.name, *actor.aliases], existing.name)
                    existing.role = existing.role or actor.role
                    existing.evidence = (existing.evidence + actor.evidence)[:MAX_EVIDENCE]
                    merged[position] = (score + salience, first, existing)
                    break
            else:
                merged.append((salience, len(merged), actor.model_copy(deep=True)))
    merged.sort(key=lambda entry: (-entry[0], entry[1]))
    return [actor for _, _, actor in merged[:MAX_ACTORS]]


def _same_actor(left: Actor, right: Actor) -> bool:
    """Shared name or alias, a surname-only form ("Okafor" / "Daniel Okafor"), or a near spelling."""
    if _names(left) & _names(right):
        return True
    a, b = left.name.lower().split(), right.name.lower().split()
    if a and b and a[-1] == b[-1] and (len(a) == 1 or len(b) == 1 or a[0][0] == b[0][0]) and len(a[-1]) > 2:
        return True
    return fuzz.ratio(left.name.lower(), right.name.lower()) >= SAME_NAME


def _union(aliases: list[str], more: list[str], name: str) -> list[str]:
    result = list(aliases)
    for alias in more:
        if alias.lower() != name.lower() and alias.lower() not in {a.lower() for a in result}:
            result.append(alias)
    return result


def _merge_items(groups: list[list[Item]], key: Callable[[Item], str], limit: int) -> list[Item]:
    """Round-robin over the inputs (most salient first), folding near-duplicates into one item."""
    merged: list[Item] = []
    longest = max((len(group) for group in groups), default=0)
    for rank in range(longest):
        for group in groups:
            if rank >= len(group):
                continue
            item = group[rank]
            for existing in merged:
                if fuzz.token_set_ratio(key(existing), key(item)) >= SAME_ITEM:
                    _absorb(existing, item)
                    break
            else:
                if len(merged) < limit:
                    merged.append(item.model_copy(deep=True))
    return merged


def _absorb(existing: StatusItem | Dispute | NextStep, item: StatusItem | Dispute | NextStep) -> None:
    quotes = {(e.article_id, e.quote) for e in existing.evidence}
    extra: list[Evidence] = [e for e in item.evidence if (e.article_id, e.quote) not in quotes]
    existing.evidence = (existing.evidence + extra)[:MAX_EVIDENCE]
    if isinstance(existing, Dispute) and isinstance(item, Dispute):
        existing.parties = _union(existing.parties, item.parties, "")
        known = {p.party for p in existing.positions}
        existing.positions += [p for p in item.positions if p.party not in known]
    if isinstance(existing, NextStep) and isinstance(item, NextStep):
        existing.who = existing.who or item.who
        existing.when = existing.when or item.when
        existing.certainty = existing.certainty or item.certainty
