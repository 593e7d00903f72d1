"""The offline engine: a grounded brief from rules and statistics, with no LLM and no network.

Pipeline: split sentences → drop markup and wire boilerplate → actors → TF-IDF TextRank centrality
→ headline and summary from the most central sentences → cue classification of every sentence into
status / dispute / next-step candidates → trimmed items that quote their source sentence. Every
evidence quote is a sentence of the article, so the brief is grounded by construction.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

from briefing.clean import is_chrome_line
from briefing.config import Settings
from briefing.engines.offline.actors import ActorExtractor, ActorInfo, ActorSet
from briefing.engines.offline.classify import Cues, classify, conflict_focus, contests_figure, figure_issue
from briefing.engines.offline.headline import fit, make_headline, tidy
from briefing.engines.offline.issues import (
    answers_previous,
    claim_issue,
    contests_claim,
    counters_previous,
    opposes,
    phrase_issue,
    two_claims,
)
from briefing.engines.offline.merge import merge_briefs
from briefing.engines.offline.recase import Recaser
from briefing.engines.offline.recency import days_ago, order_key
from briefing.engines.offline.sentences import Sentence, SentenceSplitter, is_lower_case
from briefing.engines.offline.summarize import centrality
from briefing.engines.offline.trim import Trimmed, shorten, strip_dateline, trim
from briefing.engines.offline.untokenize import looks_tokenized, untokenize
from briefing.models import (
    Actor,
    Article,
    Brief,
    BriefMeta,
    BriefOptions,
    Dispute,
    Evidence,
    NextStep,
    Position,
    StatusItem,
)

ENGINE_VERSION = "offline-1"
MAX_STATUS = 6
MAX_DISPUTES = 4
ISSUE_WORDS = 16  # an issue that no rule phrases is cut at a clause to this length
MAX_EXTRA_DISPUTES = 4  # more disputes when their sentences state the contested point
DISPUTE_CANDIDATES = 14  # the extras are looked for among the best candidates only (speed)
MAX_NEXT_STEPS = 5
HEADLINE_WORDS = 14
SUMMARY_WORDS = 40
SUMMARY_SENTENCES = 3
SUMMARY_SENTENCE_WORDS = 80
DISPUTE_WORDS = 40
ITEM_WORDS = 32  # status and next-step texts longer than this are cut at a clause
DISPUTE_CUE_WEIGHT = 0.25
STATUS_WEIGHTS = (3.0, 1.0, 1.5)  # centrality, lead position, state cues

# Bylines, credits and page furniture: not part of the story.
_BYLINE = re.compile(r"^By [A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+){0,3}(?:\s*(?:,|and|;|\|)\s*[A-Z][^.]{0,60})?$")
_CREDITS = re.compile(
    r"^\(?(?:reporting|editing|writing|additional reporting|compiled|research) by\b|"
    r"^(?:sign up|subscribe|click here|read more|advertisement|share this|follow us)\b",
    re.IGNORECASE,
)
_CREDIT_PHRASES = (
    "all rights reserved",
    "copyright",
    "contributed reporting",
    "contributed to this report",
    "editing by",
)
_PRONOUN = re.compile(r"^(?:He|She)\b|\b(?:he|she) (?:said|says|added|told|warned|argued)\b")
# What the second alternative needs, as a pattern that starts with a literal: the regex engine finds
# it fast, where `_PRONOUN` tries its word boundary at every position (~5x slower per sentence).
_PRONOUN_HINT = re.compile(r"he (?:said|says|added|told|warned|argued)\b")
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "said",
        "with",
        "was",
        "as",
        "by",
        "it",
        "at",
        "from",
        "his",
        "her",
    ]
)


@cache
def rules_version() -> str:
    """ "offline-1" plus a hash of this package's source (cue lists, tables, weights and code) and of
    the pipeline's cleaning step, so a cached brief is rebuilt whenever any rule changes."""
    digest = hashlib.sha256()
    cleaning = Path(__file__).parents[2] / "clean.py"  # the pipeline's cleaning shapes the brief too
    for path in [*sorted(Path(__file__).parent.glob("*.py")), cleaning]:
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return f"{ENGINE_VERSION}+{digest.hexdigest()[:10]}"


class OfflineEngine:
    """Rule-based engine; the default when no LLM endpoint is configured."""

    name = "offline"

    def __init__(self, settings: Settings, model: str | None = None) -> None:
        self.settings = settings
        self._splitter = SentenceSplitter()
        self._actors = ActorExtractor()
        self._recaser: Recaser | None = None  # built on the first all-lower-case article
        # The rules are CPU-bound: they run on this engine's own thread, never on the event loop
        # (one thread, so the splitter and extractor are never used by two threads at once).
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="offline-engine")

    @property
    def model(self) -> str | None:
        return None

    @property
    def prompt_version(self) -> str | None:
        return rules_version()

    async def brief(self, article: Article, options: BriefOptions) -> Brief:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self.build, article)

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief:
        version = self.prompt_version
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, lambda: merge_briefs(briefs, prompt_version=version)
        )

    async def aclose(self) -> None:
        """Stop the engine's thread (called once, by the Briefer that built it)."""
        self._thread.shutdown(wait=False, cancel_futures=True)

    def build(self, article: Article) -> Brief:
        """The synchronous core of `brief` (CPU only; used directly by benchmarks).

        A PTB-tokenized article is briefed as written (`untokenize`), its quotes mapped back to
        the submitted text."""
        if not looks_tokenized(article.text):
            return self._build(article)
        view = untokenize(article.text)
        title = untokenize(article.title).text if article.title else article.title
        brief = self._build(article.model_copy(update={"text": view.text, "title": title}))
        for item in brief.items():
            for evidence in item.evidence:
                if evidence.start is not None and evidence.end is not None:
                    evidence.start, evidence.end = view.span(evidence.start, evidence.end)
                    evidence.quote = article.text[evidence.start : evidence.end]
        return brief

    def _build(self, article: Article) -> Brief:
        warnings: list[str] = []
        language = (article.language or "").lower() or None
        english = _looks_english(article.text) if language is None else language.startswith("en")
        text = article.text
        if len(text) > MAX_CHARS:  # offsets of what is read are those of the whole text
            text = text[:MAX_CHARS]
        sentences = self._splitter.split(text, "en" if english else language)
        sentences = [s for s in sentences if not _is_boilerplate(s.text)]
        title_line = _title_line(sentences, article.text)
        content = [s for s in sentences if not s.is_noise and s is not title_line and not _is_heading(s.text)]
        if len(content) > MAX_SENTENCES or len(text) < len(article.text):
            read = content[:MAX_SENTENCES]
            warnings.append(
                f"offline engine: the article is very long ({len(article.text):,} characters); only its "
                f"first {len(read):,} sentences were briefed"
            )
            content = read
        noise = sum(1 for s in sentences if s.is_noise)
        if noise:
            warnings.append(
                f"offline engine: skipped {noise} fragment(s) that look like markup, tables or symbols"
            )
        if not english:
            warnings.append(
                "offline engine: status, dispute and next-step cues are English-only; "
                f"this article ({language or 'detected as not English'}) gets a lead-based brief"
            )
        meta = BriefMeta(
            engine=self.name, model=None, prompt_version=self.prompt_version, cost_usd=0.0, warnings=warnings
        )
        given_title = title_line.text if title_line is not None else (article.title or "").strip()
        if is_chrome_line(given_title):
            given_title = ""
        given_title = fit(given_title) if len(given_title.split()) > HEADLINE_WORDS else given_title
        if not content:
            meta.warnings.append("offline engine: the article has no sentences to brief")
            headline = (
                given_title or shorten(article.text.strip(), HEADLINE_WORDS).strip() or "(empty article)"
            )
            return Brief(article_id=article.id, headline=headline, summary="", meta=meta)
        if any(len(s.text) > 300 and len(s.text.split()) > 150 for s in content):  # 151 words: 301+ chars
            meta.warnings.append(
                "offline engine: some sentences are very long (missing punctuation?); items may be long"
            )

        cased = self._cased(content) if english and is_lower_case(article.text) else content
        actors = self._actors.extract(cased)
        named = _named_with_pronouns(cased, actors)
        scores = centrality([strip_dateline(s.text) for s in content], english=english)
        summary = _summary(content, scores)
        brief = Brief(
            article_id=article.id,
            headline=given_title or _headline(content, scores),
            summary=summary,
            actors=[_actor_item(info, content) for info in actors.actors],
            meta=meta,
        )
        if english:
            published = article.published_at.date() if article.published_at else None
            _fill_items(brief, content, scores, named, published)
        if "\n" in text:
            _on_one_line(brief)
        return brief

    def _cased(self, content: list[Sentence]) -> list[Sentence]:
        """Lower-case text with its names capitalized, for finding actors (offsets unchanged)."""
        if self._recaser is None:
            self._recaser = Recaser()
        return self._recaser.recase(content)


_LINE_BREAKS = re.compile(r"[ \t]*\n\s*")


def _on_one_line(brief: Brief) -> None:
    """A sentence of hard-wrapped text spans lines; what the brief says in its own words reads as
    one line (its quotes stay verbatim, line breaks and all, so that they ground)."""

    def flat(value: str | None) -> str | None:
        return _LINE_BREAKS.sub(" ", value) if value and "\n" in value else value

    brief.headline = flat(brief.headline) or brief.headline
    brief.summary = flat(brief.summary) or brief.summary
    for actor in brief.actors:
        actor.role = flat(actor.role)
        actor.stance = flat(actor.stance)
    for status in brief.status:
        status.text = flat(status.text) or status.text
    for dispute in brief.disputes:
        dispute.issue = flat(dispute.issue) or dispute.issue
        for position in dispute.positions:
            position.position = flat(position.position) or position.position
    for step in brief.next_steps:
        step.action = flat(step.action) or step.action
        step.who, step.when = flat(step.who), flat(step.when)


# A brief reads at most this much of an article: the summary's sentence graph grows with the
# square of the sentences (a 5 MB text would need a 25 GB matrix), and no news article is longer.
# The longest gold article has 225 sentences.
MAX_SENTENCES = 1000
MAX_CHARS = 200_000


def _title_line(sentences: list[Sentence], text: str) -> Sentence | None:
    """A first line without final punctuation, followed by the body (after a blank line, or on the
    next line of a short piece: "Fire at Lyon plant" / "A fire broke out …"), is its own headline."""
    if len(sentences) < 2:
        return None
    if len(sentences) == 2:  # a short piece: the title may sit on the line right above the body
        separate = "\n" in text[sentences[0].end : sentences[1].start]
    else:
        separate = sentences[0].paragraph != sentences[1].paragraph
    if not separate:
        return None
    first = sentences[0]
    if first.text[-1:] in '.!?"”' or not 3 <= len(first.text.split()) <= 25 or is_chrome_line(first.text):
        return None
    return first


def _looks_english(text: str) -> bool:
    words = [word.strip(".,;:!?\"“”'()") for word in text[:2000].lower().split()]
    words = [word for word in words if word.isalpha()]  # letters only: no numbers, symbols or URLs
    if len(words) < 12:
        return True  # too little to tell; English rules do no harm on a fragment
    return sum(1 for word in words if word in _ENGLISH_WORDS) / len(words) >= 0.08


def _summary(content: list[Sentence], scores: list[float]) -> str:
    """The most central sentences, lightly trimmed, in article order, up to about SUMMARY_WORDS words."""
    ranked = sorted(range(len(content)), key=lambda i: (-scores[i], i))
    usable = (i for i in ranked if len(content[i].text.split()) >= 6 and not _is_quote(content[i].text))
    chosen = _most_central(content, usable) or _most_central(content, ranked)  # else every sentence
    return " ".join(chosen[i] for i in sorted(chosen))


def _most_central(content: list[Sentence], ranked: Iterable[int]) -> dict[int, str]:
    """The first of `ranked` (best first), trimmed, up to the summary's length; `ranked` is read
    only as far as needed (a generator tests only the sentences it reaches)."""
    chosen: dict[int, str] = {}
    words = 0
    for index in ranked:
        if words >= SUMMARY_WORDS or len(chosen) == SUMMARY_SENTENCES:
            break
        text = trim(content[index].text, max_words=SUMMARY_SENTENCE_WORDS).text
        chosen[index] = text
        words += len(text.split())
    return chosen


def _headline(content: list[Sentence], scores: list[float]) -> str:
    """From the more central of the first two statements (not quotes, not chrome): attribution,
    dateline, day and asides removed, cut where a phrase ends to 3-14 words."""
    lead = [
        i
        for i in range(min(3, len(content)))
        if len(content[i].text.split()) >= 5 and not _is_quote(content[i].text)
    ][:2] or [0]
    for index in sorted(lead, key=lambda i: (-scores[i], i)):
        headline = make_headline(content[index].text, HEADLINE_WORDS)
        if headline:
            return headline
    return fit(content[0].text, HEADLINE_WORDS) or content[0].text


def _is_heading(text: str) -> bool:
    """A section heading ("THE CASE", "REACTIONS"): all capitals, short, no sentence."""
    return text.isupper() and len(text.split()) <= 8 and text[-1:] not in ".!?"


def _is_boilerplate(text: str) -> bool:
    if _BYLINE.match(text) or _CREDITS.match(text):
        return True
    lower = text.lower()
    return any(phrase in lower for phrase in _CREDIT_PHRASES)


def _is_quote(text: str) -> bool:
    return text[:1] in "\"“‘'`" or text.count('"') % 2 == 1


def _actor_item(info: ActorInfo, content: list[Sentence]) -> Actor:
    sentence = next((s for s in content if s.index == info.evidence_sentence), content[0])
    return Actor(
        name=info.name,
        role=info.role,
        aliases=info.aliases,
        evidence=[Evidence(quote=sentence.text, start=sentence.start, end=sentence.end)],
    )


@dataclass(frozen=True)
class _Named:
    """Actors named in one sentence, in order of appearance; `pronoun` is who "he"/"she" refers to."""

    names: list[str]
    pronoun: str | None = None


def _named_with_pronouns(content: list[Sentence], actors: ActorSet) -> dict[int, _Named]:
    """Actors per sentence; a sentence led by "He"/"She" (or "..., she said") names the last person."""
    forms = {info.name: [info.name, *info.aliases, info.name.split()[-1]] for info in actors.actors}
    persons = {info.name for info in actors.actors if info.kind == "person"}
    named: dict[int, _Named] = {}
    last_person: tuple[str, int] | None = None
    for sentence in content:
        at = {name: _first_at(sentence.text, forms[name]) for name in actors.in_sentence(sentence.index)}
        pronoun = _pronoun(sentence.text)
        resolved: str | None = None
        if pronoun and last_person and sentence.index - last_person[1] <= 3 and not persons & set(at):
            resolved = last_person[0]
            at.setdefault(resolved, pronoun.start())
        ordered = sorted(at, key=lambda name: (at[name], name))
        named[sentence.index] = _Named(ordered, resolved)
        here = [name for name in ordered if name in persons]
        if here:
            last_person = (here[-1], sentence.index)
    return named


def _pronoun(text: str) -> re.Match[str] | None:
    """`_PRONOUN.search(text)`, searched only in a sentence led by "He"/"She" or with "he said" & co."""
    if text.startswith(("He", "She")) or _PRONOUN_HINT.search(text):
        return _PRONOUN.search(text)
    return None


def _first_at(text: str, forms: list[str]) -> int:
    positions = [text.find(form) for form in forms if form]
    found = [position for position in positions if position >= 0]
    return min(found) if found else len(text)


def _fill_items(
    brief: Brief,
    content: list[Sentence],
    scores: list[float],
    named: dict[int, _Named],
    published: date | None = None,
) -> None:
    """Classify every sentence, then keep the best candidates of each kind (see docs/offline.md).

    A sentence may feed more than one kind ("The union rejected the offer and will strike on Monday"
    is a dispute and a next step); within a kind, candidates rank by centrality, lead position, the
    actors they name and the strength of their cues.
    """
    top = max(scores) or 1.0
    status: list[tuple[float, int, Sentence]] = []
    disputes: list[tuple[float, int, Sentence, Cues]] = []
    steps: list[tuple[float, int, Sentence, Cues]] = []
    for position, sentence in enumerate(content):
        cues = classify(sentence.text, published)
        if (
            not cues.is_dispute
            and position
            and (
                contests_figure(sentence.text, content[position - 1].text)
                or contests_claim(sentence.text, content[position - 1].text)
            )
        ):
            cues = replace(cues, conflict=cues.conflict + 2.0)  # two sides' claims on one thing
        central = scores[position] / top
        lead = 1.0 / (1 + 0.15 * position)
        actors = 0.3 * min(3, len(named[sentence.index].names))
        if cues.is_next_step and not (cues.quote_only and _bare_quote(cues)):
            weight = central + 0.5 * lead + actors + 0.25 * min(cues.future, 4) + (0.5 if cues.when else 0.0)
            steps.append((weight - (0.5 if cues.quote_only else 0.0), position, sentence, cues))
        if cues.is_dispute:
            weight = central + lead + actors + DISPUTE_CUE_WEIGHT * min(cues.conflict, 6)
            disputes.append((weight, position, sentence, cues))
        if cues.is_status:
            w_central, w_lead, w_state = STATUS_WEIGHTS
            weight = w_central * central + w_lead * lead + actors + w_state * cues.state
            status.append((weight, position, sentence))

    trimmed_items: dict[int, Trimmed] = {}

    def item_text(sentence: Sentence) -> Trimmed:
        """Status and next-step texts trim a sentence the same way: once per sentence."""
        if sentence.index not in trimmed_items:
            trimmed_items[sentence.index] = trim(sentence.text, max_words=ITEM_WORDS, asides=False)
        return trimmed_items[sentence.index]

    aliases = {actor.name: [actor.name, *actor.aliases] for actor in brief.actors}
    for _, _, sentence, cues in sorted(steps, key=_rank_key)[:MAX_NEXT_STEPS]:
        trimmed = item_text(sentence)
        names = named[sentence.index]
        speaker = _attributed_actor(trimmed.attribution, names)
        # "She said the MNSU would meet the HSE": the one who acts is named in what was said
        acting = [
            name
            for name in names.names
            if name != speaker and any(_named(trimmed.text, alias) for alias in aliases.get(name, [name]))
        ]
        who = acting[0] if speaker and acting else speaker or (names.names[0] if names.names else None)
        brief.next_steps.append(
            NextStep(
                action=trimmed.text,
                who=who,
                when=cues.when,
                certainty=cues.certainty,
                evidence=_evidence(sentence),
            )
        )
    extra = 0
    for _, position, sentence, _ in sorted(disputes, key=_rank_key)[:DISPUTE_CANDIDATES]:
        if len(brief.disputes) - extra >= MAX_DISPUTES and extra >= MAX_EXTRA_DISPUTES:
            break
        dispute, phrased = _dispute(sentence, content[max(0, position - 2) : position], named)
        if _repeats(dispute, brief.disputes):
            continue  # a sentence already quoted by a two-sided dispute, or the same issue again
        if len(brief.disputes) >= MAX_DISPUTES:
            if not phrased or extra >= MAX_EXTRA_DISPUTES:
                continue  # past the usual count, only a sentence that states what is contested
            extra += 1
        brief.disputes.append(dispute)
    brief.status.extend(_status_items(status, item_text, published))


def _status_items(
    status: list[tuple[float, int, Sentence]],
    item_text: Callable[[Sentence], Trimmed],
    published: date | None,
) -> list[StatusItem]:
    """The best status candidates, newest development first (`recency`); the article's newest dated
    development is always one of them. (Dropping the items that repeat the summary was measured and
    left out: docs/offline.md, Quality.)"""
    ranked = sorted(status, key=_rank_key)
    dated = [
        (days, rank)
        for rank, entry in enumerate(ranked[:NEWEST_AMONG])
        if (days := days_ago(entry[2].text, published, states=False)) is not None
    ]
    order = list(range(len(ranked)))
    if dated:
        newest = min(dated)[1]
        order.remove(newest)
        order.insert(0, newest)
    seen: set[str] = set()
    chosen: list[tuple[float, int, StatusItem]] = []
    for rank in order:
        if len(chosen) == MAX_STATUS:
            break
        sentence = ranked[rank][2]
        text = item_text(sentence).text
        if text.lower() in seen or len(text.split()) < 4:
            continue
        seen.add(text.lower())
        chosen.append(
            (order_key(sentence.text, published), rank, StatusItem(text=text, evidence=_evidence(sentence)))
        )
    return [item for _, _, item in sorted(chosen, key=lambda entry: entry[:2])]


NEWEST_AMONG = 16  # the newest development is looked for among this many best status candidates (speed)


def _dispute(sentence: Sentence, before: list[Sentence], named: dict[int, _Named]) -> tuple[Dispute, bool]:
    """A dispute item, and whether a rule phrased its issue; `before` is the (up to two) sentences
    before it. A sentence that rejects "the claim" or "that account", or answers with a counter-claim
    ("But residents said …"), takes its issue from the claim in the sentence before, and quotes both."""
    previous = before[-1] if before else None
    trimmed = trim(sentence.text, max_words=DISPUTE_WORDS, asides=False)
    names = named[sentence.index]
    speaker = _attributed_actor(trimmed.attribution, names) or (names.names[0] if names.names else None)
    if previous is not None and contests_figure(sentence.text, previous.text):
        asked = figure_issue(previous.text)
        if asked is not None:
            prior = named[previous.index]
            return Dispute(
                issue=asked,
                parties=list(dict.fromkeys(prior.names[:2] + names.names[:2]))[:4],
                positions=[],
                evidence=_evidence(previous) + _evidence(sentence),
            ), True
    if previous is not None and (
        answers_previous(sentence.text)
        or counters_previous(sentence.text, previous.text)
        or contests_claim(sentence.text, previous.text)
    ):
        claim = trim(previous.text, max_words=DISPUTE_WORDS, asides=False)
        prior = named[previous.index]
        claimant = _attributed_actor(claim.attribution, prior) or (prior.names[0] if prior.names else None)
        positions = [
            Position(party=p, position=t.text) for p, t in ((claimant, claim), (speaker, trimmed)) if p
        ]
        parties = list(dict.fromkeys(prior.names[:2] + names.names[:2]))
        issue = claim_issue(previous.text, claim.text)
        return Dispute(
            issue=issue,
            parties=parties[:4],
            positions=positions if claimant != speaker else positions[:1],
            evidence=_evidence(previous) + _evidence(sentence),
        ), issue.startswith("Whether ")
    speaker = _attributed_actor(trimmed.attribution, names)
    pointer = _LEADING_POINTER.match(sentence.text)
    if pointer and previous is not None:
        return _pointing_dispute(sentence, previous, trimmed, named, pointer)
    phrased = phrase_issue(sentence.text, trimmed.text)
    opposing = opposes(sentence.text)
    if speaker is None and opposing and names.names and _leads(sentence.text, names.names[0]):
        speaker = names.names[0]  # "Boreal rejected the suggestion …": the subject takes the position
    if phrased and speaker:
        phrased = _own_pronoun(phrased, speaker)
    dispute = Dispute(
        issue=tidy(phrased or shorten(conflict_focus(trimmed.text), ISSUE_WORDS)),
        parties=names.names[:3],
        positions=[Position(party=speaker, position=trimmed.text)] if speaker else [],
        evidence=_evidence(sentence),
    )
    if (sides := two_claims(sentence.text)) is not None:
        _two_positions(dispute, sides, names)
    if len(dispute.parties) < 2 and opposing:
        _add_opposed_side(dispute, speaker or (names.names[0] if names.names else None), before, named)
    return dispute, phrased is not None


_OWN_PRONOUN = re.compile(r"^Whether (?P<pronoun>it|its) ")


def _own_pronoun(issue: str, speaker: str) -> str:
    """ "X denied that it …" is about X: "Whether it was trying …" → "Whether X was trying …"."""
    match = _OWN_PRONOUN.match(issue)
    if not match:
        return issue
    possessive = f"{speaker}'" if speaker.endswith("s") else f"{speaker}'s"
    name = possessive if match.group("pronoun") == "its" else speaker
    return f"Whether {name} {issue[match.end() :]}"


def _two_positions(dispute: Dispute, sides: tuple[str, str, str, str], names: _Named) -> None:
    """ "X said A, but Y said B": X holds A and Y holds B, when both are actors of ours."""
    first, one, second, other = sides
    holders = [_named_in(first, names), _named_in(second, names)]
    if None in holders or holders[0] == holders[1]:
        return
    dispute.positions = [
        Position(party=party, position=text.rstrip(".") + ".")
        for party, text in zip(holders, (one, other), strict=True)
        if party
    ]
    for party in holders:
        if party and party not in dispute.parties:
            dispute.parties.append(party)


def _named_in(text: str, names: _Named) -> str | None:
    """The actor of ours that `text` (a subject phrase) names, if any."""
    lower = text.lower()
    return next((name for name in names.names if name.split()[-1].lower() in lower), None)


def _named(text: str, name: str) -> bool:
    """`name` stands in `text` as words of its own ("MNSU", not the "Lee" of "Leeds")."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def _leads(text: str, name: str) -> bool:
    """The actor is named at the start of the sentence (after its dateline): its subject."""
    return strip_dateline(text).startswith(name.split()[0])


def _add_opposed_side(
    dispute: Dispute, speaker: str | None, before: list[Sentence], named: dict[int, _Named]
) -> None:
    """A one-sided rejection, accusation or lawsuit ("Boreal rejected the suggestion that …") has an
    opposed side the sentence does not name: the nearest other actor of the sentences before, with
    its own words as its position when that sentence is attributed to it."""
    for earlier in reversed(before):
        others = [
            name for name in named[earlier.index].names if name != speaker and name not in dispute.parties
        ]
        if not others:
            continue
        claim = trim(earlier.text, max_words=DISPUTE_WORDS, asides=False)
        party = _attributed_actor(claim.attribution, named[earlier.index])
        party = party if party in others else others[0]
        dispute.parties.append(party)
        if party == _attributed_actor(claim.attribution, named[earlier.index]):
            dispute.positions.insert(0, Position(party=party, position=claim.text))
            dispute.evidence.insert(0, _evidence(earlier)[0])
        return


# A sentence that starts with a pronoun ("They also said they opposed …") continues the one before.
_LEADING_POINTER = re.compile(r"^(?:They|It|He|She|This|These|Those|That)\b(?P<also>\s+also)?")
_SUBJECT_SAID = re.compile(
    r"^(?P<who>[A-Z][^\"“]{2,80}?)\s+(?:said|told|announced|argued|warned|insisted|stated)\b"
)
_SUBJECT_PRONOUN = re.compile(r"^(?:They|It|He|She)\b(?:\s+also)?")


def _pointing_dispute(
    sentence: Sentence, previous: Sentence, trimmed: Trimmed, named: dict[int, _Named], pointer: re.Match[str]
) -> tuple[Dispute, bool]:
    """A dispute stated in a sentence that points back: the pronoun is resolved to the subject of the
    sentence before ("They also said they opposed …" → "The foreign ministers … opposed …"), that
    sentence is quoted too, and its actors are parties."""
    before = named[previous.index]
    claim = trim(previous.text, max_words=DISPUTE_WORDS, asides=False)
    said = _SUBJECT_SAID.match(strip_dateline(previous.text))
    antecedent = claim.attribution or (said.group("who") if said else None)
    antecedent = antecedent or (before.names[0] if before.names else None)
    text = sentence.text
    if antecedent and _SUBJECT_PRONOUN.match(text):
        rest = _SUBJECT_PRONOUN.sub("", text, count=1).strip()
        rest = re.sub(r"^said (?:that )?(?:they|it|he|she)\s+", "", rest)
        text = f"{antecedent} {rest}"
    resolved = trim(text, max_words=DISPUTE_WORDS, asides=False)
    phrased = phrase_issue(text, resolved.text)
    parties = list(dict.fromkeys(before.names[:2] + named[sentence.index].names[:2])) or (
        [antecedent] if antecedent else []
    )
    party = _attributed_actor(claim.attribution, before) or (before.names[0] if before.names else antecedent)
    return (
        Dispute(
            issue=tidy(phrased or shorten(resolved.text, ISSUE_WORDS + 4)),  # the whole resolved clause
            parties=parties[:4],
            positions=[Position(party=party, position=resolved.text)] if party else [],
            evidence=_evidence(previous) + _evidence(sentence),
        ),
        phrased is not None,
    )


def _bare_quote(cues: Cues) -> bool:
    """A quotation is a next step only when it announces one ("We will vote on Monday"); a wish or
    a need ("We need to end this war") is a position."""
    return cues.certainty not in ("confirmed", "planned")


def _repeats(dispute: Dispute, kept: list[Dispute]) -> bool:
    quotes = {evidence.quote for evidence in dispute.evidence}
    issue = dispute.issue.lower()
    return any(
        issue == other.issue.lower() or quotes <= {evidence.quote for evidence in other.evidence}
        for other in kept
    )


def _rank_key(entry: tuple[float, int, object] | tuple[float, int, object, object]) -> tuple[float, int]:
    """Highest weight first; earlier sentence first among equals (deterministic)."""
    return -entry[0], entry[1]


def _evidence(sentence: Sentence) -> list[Evidence]:
    return [Evidence(quote=sentence.text, start=sentence.start, end=sentence.end)]


def _attributed_actor(attribution: str | None, named: _Named) -> str | None:
    """The actor named in the sentence's attribution ("..., Peskov said"), if it is one of ours."""
    if not attribution:
        return None
    lower = attribution.lower().strip()
    if lower in {"he", "she"}:
        return named.pronoun
    for name in named.names:  # a whole name first: "Union president Orla Brennan" is not the union
        if name.lower() in lower:
            return name
    for name in named.names:
        if name.split()[-1].lower() in lower:
            return name
    return None
