"""Grounding: find every evidence quote in the text it claims to come from.

A brief never states what the article does not say: each quote is located (exactly, then after
normalizing case, whitespace, quote marks and dashes, then fuzzily with rapidfuzz for small
differences) and its character offsets recorded. Every quote carries found / not found; an item is
grounded only when it has evidence and all of it was found. Strict mode drops every unfound quote
and every item left with none. This runs on every brief, whatever engine made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from briefing.models import Brief, Evidence, GroundingMode

_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        "\u00a0": " ",
        "\u2026": "...",
    }
)
MIN_FUZZY_CHARS = 16


@dataclass(frozen=True)
class NormalizedText:
    """Text folded for matching, with a map from each folded character back to the original."""

    text: str
    origin: list[int]

    @classmethod
    def of(cls, original: str) -> NormalizedText:
        chars: list[str] = []
        origin: list[int] = []
        previous_space = True
        for index, char in enumerate(original):
            folded = char.translate(_TRANSLATE).lower()
            for piece in folded:
                if piece.isspace():
                    if previous_space:
                        continue
                    piece = " "
                    previous_space = True
                else:
                    previous_space = False
                chars.append(piece)
                origin.append(index)
        while chars and chars[-1] == " ":
            chars.pop()
            origin.pop()
        return cls("".join(chars), origin)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets [start, end) of the folded range [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> str:
    return NormalizedText.of(text).text


class Locator:
    """Locates quotes in one text; build it once per text and reuse it for every quote."""

    def __init__(self, text: str, *, min_score: float = 90.0) -> None:
        self.text = text
        self.min_score = min_score
        self._folded: NormalizedText | None = None

    @property
    def _normalized(self) -> NormalizedText:
        """Folded lazily: most quotes match exactly, and folding a long text costs more than finding them."""
        if self._folded is None:
            self._folded = NormalizedText.of(self.text)
        return self._folded

    def locate(self, quote: str) -> tuple[int, int] | None:
        quote = quote.strip()
        if not quote:
            return None
        position = self.text.find(quote)
        if position >= 0:
            return position, position + len(quote)
        needle = fold(quote).strip(" .,;:'\"")
        if not needle:
            return None
        haystack = self._normalized.text
        position = haystack.find(needle)
        if position >= 0:
            return self._normalized.span(position, position + len(needle))
        if len(needle) < MIN_FUZZY_CHARS or len(needle) > len(haystack):
            return None
        alignment = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=self.min_score)
        if alignment is None or alignment.dest_end <= alignment.dest_start:
            return None
        return self._normalized.span(alignment.dest_start, alignment.dest_end)


def ground_brief(
    brief: Brief,
    texts: str | Mapping[str, str],
    *,
    mode: GroundingMode = "flag",
    min_score: float = 90.0,
    in_place: bool = False,
) -> Brief:
    """Return a copy of `brief` with every quote located, items flagged, and `grounded_ratio` set.

    `texts` is the article text, or for a multi-article story a mapping article id → text (each
    evidence item is checked against the article named by its `article_id`). `in_place` skips the
    copy for a caller that owns a fresh brief (the copy costs more than grounding a short article).
    """
    if not in_place:
        brief = brief.model_copy(deep=True)
    locators: dict[str | None, Locator] = {}
    if isinstance(texts, str):
        locators[None] = Locator(texts, min_score=min_score)
    else:
        for article_id, text in texts.items():
            locators[article_id] = Locator(text, min_score=min_score)

    def locate(evidence: Evidence) -> None:
        locator = locators.get(evidence.article_id) or locators.get(None)
        if locator is None and len(locators) == 1:
            locator = next(iter(locators.values()))
        found = locator.locate(evidence.quote) if locator else None
        evidence.grounded = found is not None
        evidence.start, evidence.end = found if found else (None, None)
        if found and locator is not None and locator.text[found[0] : found[1]] != evidence.quote:
            evidence.quote = locator.text[found[0] : found[1]]

    for item in brief.items():
        for evidence in item.evidence:
            locate(evidence)
    count_grounding(brief)
    if mode == "strict":
        drop_unfound(brief)
    else:
        warn_unfound(brief)
    return brief


def _mark_items(brief: Brief) -> None:
    for item in brief.items():
        item.grounded = bool(item.evidence) and all(evidence.grounded for evidence in item.evidence)


def count_grounding(brief: Brief) -> None:
    """Set every item's `grounded` (it has evidence and all of it was found) and the meta counts."""
    _mark_items(brief)
    items = brief.items()
    quotes = [evidence for item in items for evidence in item.evidence]
    brief.meta.quotes_total = len(quotes)
    brief.meta.quotes_found = sum(bool(evidence.grounded) for evidence in quotes)
    brief.meta.grounded_ratio = sum(bool(item.grounded) for item in items) / len(items) if items else None


def _unfound_counts(brief: Brief) -> tuple[int, int, int]:
    """(unfound quotes, items holding one, items with no evidence at all)."""
    items = brief.items()
    quotes = sum(evidence.grounded is False for item in items for evidence in item.evidence)
    holding = sum(any(evidence.grounded is False for evidence in item.evidence) for item in items)
    bare = sum(not item.evidence for item in items)
    return quotes, holding, bare


def warn_unfound(brief: Brief) -> None:
    """Flag mode: one warning that counts unfound quotes and the items they are in, exactly."""
    brief.meta.warnings = [w for w in brief.meta.warnings if not w.startswith("grounding:")]
    quotes, holding, bare = _unfound_counts(brief)
    if quotes:
        brief.meta.warnings.append(
            f"grounding: {quotes} of {brief.meta.quotes_total} quote(s) not found in the article, "
            f"in {holding} item(s)"
        )
    if bare:
        brief.meta.warnings.append(f"grounding: {bare} item(s) have no evidence")


def drop_unfound(brief: Brief) -> None:
    """Strict mode: drop every quote not found in the article, then every item left with no quote."""
    brief.meta.warnings = [w for w in brief.meta.warnings if not w.startswith("grounding:")]
    quotes, _, _ = _unfound_counts(brief)
    for item in brief.items():
        item.evidence = [evidence for evidence in item.evidence if evidence.grounded]
    before = len(brief.items())
    brief.actors = [item for item in brief.actors if item.evidence]
    brief.status = [item for item in brief.status if item.evidence]
    brief.disputes = [item for item in brief.disputes if item.evidence]
    brief.next_steps = [item for item in brief.next_steps if item.evidence]
    dropped = before - len(brief.items())
    if quotes or dropped:
        brief.meta.warnings.append(
            f"grounding: dropped {quotes} quote(s) not found in the article and {dropped} item(s) "
            "left without evidence"
        )
    count_grounding(brief)
