"""Claim check of whole briefs: every item against its found evidence, headline and summary against
the article, and the strict view that keeps only what is backed.

The pipeline (every engine), digest story merges, the service, the CLI and the evals all call
`check_brief` / `present_brief`, so a brief means the same thing wherever it is read. The facts
themselves are checked in `briefing.claims` (what it catches and what it cannot is written there).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from briefing.claims import Source, analyse, check_claim, grade, select_evidence, verify_claim
from briefing.errors import InputError
from briefing.grounding import count_grounding, drop_unfound, ground_brief
from briefing.models import Actor, Brief, Dispute, GroundingMode, NextStep, StatusItem, _Item, normalize_text

FALLBACK_HEADLINE_CHARS = 120


def item_claim(item: _Item) -> str:
    """The words an item asserts, as one text (what the claim check reads)."""
    if isinstance(item, Actor):
        parts = [item.name, item.role or "", item.stance or ""]
    elif isinstance(item, StatusItem):
        parts = [item.text]
    elif isinstance(item, Dispute):
        parts = [item.issue, *(p.position for p in item.positions)]
    elif isinstance(item, NextStep):
        parts = [item.action, item.when or ""]
    else:  # pragma: no cover - every item kind is listed above
        parts = []
    return ". ".join(part.strip().rstrip(".") for part in parts if part and part.strip())


def _groups(brief: Brief) -> list[list[str]]:
    return [[actor.name, *actor.aliases] for actor in brief.actors]


def check_item(item: _Item, source: Source, groups: list[list[str]], actors: dict[str, bool]) -> None:
    """Set `supported` and `reasons` of one grounded item.

    Parties of a dispute and the `who` of a next step must be in the item's evidence or be an actor
    of the brief with found evidence (the check does not prove the quote makes them a party).
    """
    item.second_opinion = None  # a fresh offline verdict; the LLM's, if asked, comes after
    quotes = [evidence.quote for evidence in item.evidence if evidence.grounded]
    if not quotes:
        item.supported = False
        item.reasons = ["no evidence found in the article"]
        return
    confirmed = isinstance(item, NextStep) and item.certainty == "confirmed"
    reasons = check_claim(item_claim(item), quotes, source=source, aliases=groups, confirmed=confirmed)
    people = [*item.parties, *(p.party for p in item.positions)] if isinstance(item, Dispute) else []
    if isinstance(item, NextStep) and item.who:
        people.append(item.who)
    for person in dict.fromkeys(people):
        group = next((g for g in groups if person in g), None)
        if any(_names(name, quote) for name in group or [person] for quote in quotes):
            continue
        if group is None or not actors.get(group[0]):
            reasons.append(f'name "{person}" not in its evidence nor a grounded actor of the brief')
        elif isinstance(item, NextStep) and person == item.who:
            others = [g[0] for g in groups if g is not group and any(_names(n, q) for n in g for q in quotes)]
            if others:  # the quote says who acts, and it is someone else
                reasons.append(f'who "{person}" is not named in its evidence, which names "{others[0]}"')
    item.supported = not reasons
    item.reasons = reasons


def _names(name: str, quote: str) -> bool:
    """`name` stands in `quote` as words of its own: "Lee" is not in "Leeds", and a name is never
    found across the join of two quotes."""
    name = name.strip()
    if not name:
        return False
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", quote, re.IGNORECASE) is not None


def check_text(text: str, source: Source) -> list[str]:
    """Headline or summary against the whole article (facts) and its best sentences (polarity)."""
    spans = select_evidence(text, source)
    sentences = [source.text[start:end] for start, end in spans] or [source.text]
    return check_claim(text, sentences, source=source, context=source.text, evidence_name="the article")


def _article_text(texts: str | Mapping[str, str]) -> str:
    return texts if isinstance(texts, str) else "\n\n".join(texts.values())


def check_brief(brief: Brief, texts: str | Mapping[str, str]) -> Brief:
    """Claim-check a grounded brief in place (items, headline, summary, `supported_ratio`, warnings)."""
    source = analyse(_article_text(texts))
    brief.meta.verify = "offline"
    groups = _groups(brief)
    actors = {actor.name: any(e.grounded for e in actor.evidence) for actor in brief.actors}
    items = brief.items()
    for item in items:
        check_item(item, source, groups, actors)
    brief.meta.headline_reasons = check_text(brief.headline, source)
    brief.meta.summary_reasons = check_text(brief.summary, source)
    brief.meta.headline_supported = not brief.meta.headline_reasons
    brief.meta.summary_supported = not brief.meta.summary_reasons
    return summarize_claims(brief)


def summarize_claims(brief: Brief) -> Brief:
    """`supported_ratio` and the `claims:` warnings from the items' verdicts (after any change)."""
    items = brief.items()
    brief.meta.supported_ratio = sum(bool(i.supported) for i in items) / len(items) if items else None
    brief.meta.warnings = [w for w in brief.meta.warnings if not w.startswith("claims:")]
    unsupported = sum(item.supported is False and item.evidence != [] for item in items)
    if unsupported:
        brief.meta.warnings.append(f"claims: {unsupported} item(s) state facts their evidence does not back")
    for part, reasons in (("headline", brief.meta.headline_reasons), ("summary", brief.meta.summary_reasons)):
        if reasons:
            brief.meta.warnings.append(f"claims: the {part} states what the article does not: {reasons[0]}")
    return brief


def _lead(source: Source, sentences: int) -> str:
    return " ".join(source.text[start:end].strip() for start, end in source.sentences[:sentences])


def _fallback_headline(source: Source) -> str:
    first = _lead(source, 1)
    if len(first) <= FALLBACK_HEADLINE_CHARS:
        return first
    cut = first[:FALLBACK_HEADLINE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:—- ") + " …"


def strict_view(brief: Brief, texts: str | Mapping[str, str]) -> Brief:
    """Strict mode: only found quotes, only supported items, a supported headline and summary."""
    drop_unfound(brief)
    before = len(brief.items())
    brief.actors = [item for item in brief.actors if item.supported is not False]
    brief.status = [item for item in brief.status if item.supported is not False]
    brief.disputes = [item for item in brief.disputes if item.supported is not False]
    brief.next_steps = [item for item in brief.next_steps if item.supported is not False]
    dropped = before - len(brief.items())
    brief.meta.warnings = [w for w in brief.meta.warnings if not w.startswith("claims:")]
    if dropped:
        brief.meta.warnings.append(f"claims: dropped {dropped} item(s) their evidence does not back")
    source = analyse(_article_text(texts))
    if brief.meta.headline_supported is False:
        reason = brief.meta.headline_reasons[0] if brief.meta.headline_reasons else "unsupported"
        brief.headline = _fallback_headline(source)
        brief.meta.headline_supported, brief.meta.headline_reasons = True, []
        brief.meta.warnings.append(f"claims: headline replaced by the article's first sentence ({reason})")
    if brief.meta.summary_supported is False:
        reason = brief.meta.summary_reasons[0] if brief.meta.summary_reasons else "unsupported"
        brief.summary = _lead(source, 2)
        brief.meta.summary_supported, brief.meta.summary_reasons = True, []
        brief.meta.warnings.append(
            f"claims: summary replaced by the article's first two sentences ({reason})"
        )
    count_grounding(brief)
    items = brief.items()
    brief.meta.supported_ratio = sum(bool(i.supported) for i in items) / len(items) if items else None
    return brief


def _clean(brief: Brief) -> bool:
    return (
        all(item.grounded and item.supported for item in brief.items())
        and brief.meta.headline_supported is not False
        and brief.meta.summary_supported is not False
    )


def present_brief(
    brief: Brief, texts: str | Mapping[str, str], mode: GroundingMode, *, min_score: float = 90.0
) -> Brief:
    """A stored (flagged) brief as a request asked to see it; checks briefs stored before the check."""
    unchecked = brief.meta.headline_supported is None or any(i.supported is None for i in brief.items())
    if unchecked:
        brief = ground_brief(brief, texts, mode="flag", min_score=min_score)
        check_brief(brief, texts)
    if mode == "strict" and not _clean(brief):
        brief = strict_view(brief if unchecked else brief.model_copy(deep=True), texts)
    return brief


# --- verify anything: free-standing claims against an article ---------------------------------

MAX_CLAIMS = 200
MAX_CLAIM_CHARS = 5_000


class ClaimEvidence(BaseModel):
    quote: str
    start: int
    end: int


class ClaimVerdict(BaseModel):
    part: str | None = Field(
        None, description="For a checked brief: headline, summary, actors, status, disputes or next_steps."
    )
    text: str
    verdict: Literal["supported", "unsupported", "unverifiable"]
    score: float = Field(
        ge=0, le=1, description="Higher = better supported; more unsupported content scores lower."
    )
    reasons: list[str] = Field(default_factory=list)
    evidence: list[ClaimEvidence] = Field(default_factory=list)


class VerifyReport(BaseModel):
    score: float = Field(ge=0, le=1, description="The lowest claim score.")
    claims: list[ClaimVerdict]


def _article_for_check(article: str) -> str:
    text = normalize_text(article)
    if not text:
        raise InputError("article: must not be empty or whitespace", fields=["article"])
    return text


def verify_claims(article: str, claims: Sequence[str]) -> VerifyReport:
    """Check claims (a sentence or a few each) against an article; used by POST /v1/verify and the CLI."""
    text = _article_for_check(article)
    if not claims or len(claims) > MAX_CLAIMS:
        raise InputError(f"claims: give 1 to {MAX_CLAIMS} claims (got {len(claims)})", fields=["claims"])
    for index, claim in enumerate(claims):
        if not claim.strip():
            raise InputError(f"claims[{index}]: must not be empty or whitespace", fields=["claims"])
        if len(claim) > MAX_CLAIM_CHARS:
            raise InputError(f"claims[{index}]: longer than {MAX_CLAIM_CHARS} characters", fields=["claims"])
    source = analyse(text)
    quote = _quoter(article, text)
    verdicts = []
    for claim in claims:
        result = verify_claim(claim.strip(), source)
        verdicts.append(
            ClaimVerdict(
                text=claim.strip(),
                verdict=result.verdict,
                score=result.score,
                reasons=result.reasons,
                evidence=quote(result.evidence),
            )
        )
    return VerifyReport(score=min(v.score for v in verdicts), claims=verdicts)


def _quoter(article: str, text: str) -> Callable[[Sequence[tuple[int, int]]], list[ClaimEvidence]]:
    """Evidence spans of the normalized `text` as quotes with offsets into the article as sent; in
    the (unexpected) case it cannot be aligned with its normalized text, of the normalized text."""
    span_in_article = _article_spans(article, text)
    quoted = article if span_in_article is not None else text

    def quote(spans: Sequence[tuple[int, int]]) -> list[ClaimEvidence]:
        evidence = []
        for start, end in spans:
            if span_in_article is not None:
                start, end = span_in_article(start, end)
            evidence.append(ClaimEvidence(quote=quoted[start:end], start=start, end=end))
        return evidence

    return quote


QUOTE_SHOWN_CHARS = 80


def verify_brief(article: str, brief: Brief) -> VerifyReport:
    """A brief checked as the pipeline checks it: its headline and summary against the article, each
    item against its own quotes (an invented quote is a finding, and so is a `who` no quote or
    grounded actor backs). Used by `briefing verify ARTICLE BRIEF.json`."""
    text = _article_for_check(article)
    brief = check_brief(ground_brief(brief, text), text)
    source = analyse(text)
    quote = _quoter(article, text)

    def verdict(part: str, claim: str, spans: list[tuple[int, int]], reasons: list[str]) -> ClaimVerdict:
        found, score = grade(claim, [text[start:end] for start, end in spans], reasons)
        return ClaimVerdict(
            part=part, text=claim, verdict=found, score=score, reasons=reasons, evidence=quote(spans)
        )

    verdicts: list[ClaimVerdict] = []
    for part, claim, reasons in (
        ("headline", brief.headline, brief.meta.headline_reasons),
        ("summary", brief.summary, brief.meta.summary_reasons),
    ):
        if claim.strip():
            verdicts.append(verdict(part, claim.strip(), select_evidence(claim, source), list(reasons or [])))
    for part in ("actors", "status", "disputes", "next_steps"):
        for item in getattr(brief, part):
            spans = [
                (e.start, e.end)
                for e in item.evidence
                if e.grounded and e.start is not None and e.end is not None
            ]
            unfound = [
                f'quote "{_shown(e.quote)}" not found in the article' for e in item.evidence if not e.grounded
            ]
            verdicts.append(verdict(part, item_claim(item), spans, [*unfound, *(item.reasons or [])]))
    if not verdicts:
        raise InputError("brief: nothing to check (no headline, summary or items)", fields=["claims"])
    return VerifyReport(score=min(v.score for v in verdicts), claims=verdicts)


def _shown(quote: str) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= QUOTE_SHOWN_CHARS else quote[: QUOTE_SHOWN_CHARS - 1] + "…"


def _article_spans(article: str, text: str) -> Callable[[int, int], tuple[int, int]] | None:
    """Map a span of `text` (the article as `normalize_text` made it, which the check reads) to the
    same words in `article` as the caller sent it, so `start`/`end` index the caller's own text
    (CRLF, runs of spaces, trailing blanks and decomposed accents included).

    Normalizing composes accents (NFC) and drops or merges whitespace only, so every other
    character of `text` is found, in order, in `article`; each composed character maps to the
    whole run of code points it came from. None when `text` cannot be aligned with `article`.
    """
    if article == text:
        return lambda start, end: (start, end)
    # NFC, one base character with its combining marks at a time, remembering where each came from
    composed, first, last = [], [], []
    index = 0
    while index < len(article):
        stop = index + 1
        while stop < len(article) and unicodedata.combining(article[stop]):
            stop += 1
        piece = unicodedata.normalize("NFC", article[index:stop])
        composed.append(piece)
        first += [index] * len(piece)
        last += [stop] * len(piece)
        index = stop
    nfc = "".join(composed)
    starts: list[int] = []
    ends: list[int] = []
    at = 0
    for char in text:
        while at < len(nfc) and nfc[at] != char and not (char.isspace() and nfc[at].isspace()):
            if not nfc[at].isspace():  # normalize_text did more than compose and fold whitespace
                return None
            at += 1
        if at == len(nfc):
            return None
        starts.append(first[at])
        ends.append(last[at])
        at += 1

    def span(start: int, end: int) -> tuple[int, int]:
        return (starts[start], ends[end - 1]) if end > start else (starts[start], starts[start])

    return span


def report_markdown(report: VerifyReport) -> str:
    """The report for a reader: one line per claim with its verdict, reasons and evidence."""
    lines = [f"# Claim check: lowest score {report.score:.2f}", ""]
    for claim in report.claims:
        part = f"{claim.part}: " if claim.part else ""
        lines.append(f"- **{claim.verdict}** ({claim.score:.2f}): {part}{claim.text}")
        lines += [f"  - {reason}" for reason in claim.reasons]
        lines += [f"  > {' '.join(e.quote.split())}" for e in claim.evidence]
    return "\n".join(lines) + "\n"
