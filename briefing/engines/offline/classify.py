"""Sentence classification into status, dispute and next-step candidates, from transparent cues.

Each sentence gets three scores from the cue lists below (word-boundary matches on the lowercased
sentence); `docs/offline.md` lists them with their weights. A sentence with a future cue scoring
>= 2 is a next-step candidate; a conflict score >= 2 makes a dispute candidate; a state score >= 1
(and no stronger future/conflict reading) makes a status candidate. The cues are English-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from briefing.engines.offline.tables import MONTHS
from briefing.models import Certainty

# Future and intention cues → certainty of the next step; weight 2 unless listed as weak.
FUTURE_CUES: dict[str, Certainty] = {
    "is scheduled to": "confirmed",
    "are scheduled to": "confirmed",
    "scheduled for": "confirmed",
    "is due to": "confirmed",
    "are due to": "confirmed",
    "is set to": "confirmed",
    "are set to": "confirmed",
    "will be held": "confirmed",
    "takes effect": "confirmed",
    "will take effect": "confirmed",
    "will": "planned",
    "plans to": "planned",
    "plan to": "planned",
    "planned to": "planned",
    "intends to": "planned",
    "intend to": "planned",
    "aims to": "planned",
    "is preparing to": "planned",
    "expects to": "expected",
    "expect to": "expected",
    "are preparing to": "planned",
    "pledged to": "planned",
    "vowed to": "planned",
    "promised to": "planned",
    "is going to": "planned",
    "are going to": "planned",
    "to be held": "planned",
    "would": "planned",
    "next step": "planned",
    "deadline": "planned",
    "wants to": "planned",
    "seeks to": "planned",
    "has until": "confirmed",
    "must": "confirmed",
    "requires": "confirmed",
    "is required to": "confirmed",
    "are required to": "confirmed",
    "needs to": "expected",
    "need to": "expected",
    "would need": "expected",
    "is asked to": "planned",
    "are asked to": "planned",
    "is ready to": "possible",
    "are ready to": "possible",
    "have until": "confirmed",
    "is expected to": "expected",
    "are expected to": "expected",
    "expected to": "expected",
    "is likely to": "expected",
    "are likely to": "expected",
    "forecast": "expected",
    "projected to": "expected",
    "anticipated": "expected",
    "could": "possible",
    "may": "possible",
    "might": "possible",
    "considering": "possible",
    "is weighing": "possible",
    "hopes to": "possible",
    "hope to": "possible",
    "should consider": "possible",
}
WEAK_FUTURE_CUES = frozenset({"would", "could", "may", "might", "deadline", "forecast"})
# A reporting time ("said on Tuesday") is when something was said, not when it will happen.
_SAID_WHEN = re.compile(
    r"\b(?=[sta])(?:said|says|told \w+|announced|confirmed|ruled|added)\s+(?:late |early )?on \w+day\b"
)

# Future time expressions: they add 1 to the future score and fill NextStep.when.
WHEN_PATTERN = re.compile(
    # the lookahead lists the first letters of the alternatives: most positions fail on one char test
    r"\b(?=[nleiwbout0-9])"
    r"(?:next (?:week|month|year|spring|summer|fall|autumn|winter|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)|later (?:this|next) (?:week|month|year)|(?:early|late) next (?:week|month|year)|"
    r"in (?:the )?coming (?:days|weeks|months|years)|within (?:\w+ )?(?:days|weeks|months|years)|"
    r"by (?:the end of )?(?:(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)(?: \d{1,2})?|20\d\d|next \w+|the end of the (?:week|month|year)|\w+day)|"
    r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"until (?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"(?: \d{1,2})?|"
    r"on (?:january|february|march|april|may|june|july|august|september|october|november|december) \d{1,2}|"
    r"in (?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"(?: 20\d\d)?|in 20\d\d|\d+ (?:days|weeks|months)(?= to\b)|tomorrow|tonight|"
    r"this (?:week|weekend|month|spring|summer|fall|autumn|winter))\b",
    re.IGNORECASE,
)

# Conflict cues (weight 2) and weaker contrast cues (weight 1).
CONFLICT_CUES: tuple[str, ...] = (
    "accused",
    "accuses",
    "accusing",
    "accusation",
    "denied",
    "denies",
    "deny",
    "denial",
    "opposed",
    "opposes",
    "opposition to",
    "rejected",
    "rejects",
    "reject",
    "criticized",
    "criticised",
    "criticizes",
    "criticism",
    "disputed",
    "disputes",
    "dispute",
    "sued",
    "sue",
    "suing",
    "lawsuit",
    "protest",
    "protests",
    "protested",
    "protesters",
    "condemned",
    "condemns",
    "blamed",
    "blames",
    "challenged",
    "challenge",
    "contested",
    "contests",
    "objected",
    "objections",
    "objection",
    "refused",
    "refuses",
    "clash",
    "clashed",
    "clashes",
    "disagree",
    "disagreed",
    "disagreement",
    "standoff",
    "rift",
    "feud",
    "vetoed",
    "veto",
    "boycott",
    "boycotted",
    "on strike",
    "walkout",
    "appealed",
    "appeal",
    "countered",
    "slammed",
    "at odds",
    "row over",
    "unfair",
    "illegal",
    "unlawful",
    "violated",
    "violation",
    "violations",
    "complained",
    "complaint",
    "demanded",
    "demands",
    "dismissed",
    "pushback",
    "backlash",
    "fight over",
    "fought",
    "resisted",
    # more ways news text states a disagreement (verb forms, nouns, lawsuits, vetoes, rebuttals)
    "disagrees",
    "rejecting",
    "rejection",
    "denying",
    "disputing",
    "contesting",
    "challenging",
    "challenges",
    "opposing",
    "oppose",
    "objects",
    "objecting",
    "criticising",
    "criticizing",
    "criticise",
    "criticize",
    "condemn",
    "condemning",
    "condemnation",
    "accuse",
    "accusations",
    "refute",
    "refuted",
    "refutes",
    "rebuffed",
    "rebuffs",
    "denounced",
    "denounces",
    "decried",
    "decries",
    "lambasted",
    "hit back",
    "hits back",
    "pushed back",
    "pushes back",
    "push back",
    "baseless",
    "unfounded",
    "untrue",
    "fabricated",
    "vetoes",
    "lawsuits",
    "sues",
    "legal challenge",
    "legal action",
    "dissent",
    "dissented",
    "dissenting",
    "retorted",
    "voted against",
    "campaigned against",
    "lobbied against",
    "came under fire",
    "drew criticism",
    "outrage",
    # a verdict on the other side's number or terms contests it
    "too small",
    "too low",
    "too high",
    "too little",
    "too late",
    "not negotiable",
    "do not work",
    "does not work",
    "an insult",
    "unfairly",
    # an open point named as such
    "sticking point",
    "no agreement",
    "has split",
    "have split",
    "at odds",
    "divided over",
    "puts the figure",
    "put the figure",
    "own count",
    "own figures",
)
WEAK_CONFLICT_CUES: tuple[str, ...] = (
    "but",
    "however",
    "argued",
    "argues",
    "warned",
    "warns",
    "although",
    "despite",
    "concern",
    "concerns",
    "critics",
    "opponents",
    "should",
    "split",
    "divided",
    "question",
    "questioned",
    "doubt",
    "doubts",
    "claim",
    "claims",
    "claimed",
    "alleged",
    "allegation",
    "allegations",
    "instead",
    "rather than",
    "whether",
    "wrong",
    "false",
    "unacceptable",
    "arguing",
    "refuse",
    "demand",
    "insist",
    "controversy",
    "controversial",
    "tension",
    "tensions",
    "opposition",
    "maintains",
    "maintained",
    "contends",
    "contended",
    "misleading",
    "inaccurate",
    "wrongly",
    "differ",
    "differed",
    "counter",
    "resistance",
    # one side's advocate speaking: a lawyer's or prosecutor's statement argues a case
    "lawyer",
    "lawyers",
    "attorney",
    "prosecutors",
    "prosecutor",
)
# Stances (weight 2, like conflict cues): a party that wants, proposes or calls for something takes
# a side; in news, the other side is usually a sentence away.
STANCE_CUES: tuple[str, ...] = (
    "wants",
    "want",
    "wanted",
    "seeking",
    "sought",
    "pushed for",
    "push for",
    "called for",
    "calls for",
    "proposed",
    "proposes",
    "urged",
    "urges",
    "insists",
    "insisted",
    "should have",
    "undervalues",
    "infringes",
    "in favour of",
    "in favor of",
    "against",
)
# A quoted claim that denies something ("The law does not give him the power") is a position
# in a dispute: weight 1, like the weak cues.
_NEGATION = frozenset(
    {"not", "never", "no", "nothing", "cannot", "won't", "don't", "doesn't", "isn't", "didn't"}
)

# State cues: something that is, or has happened (weight 1 each, capped at 3).
STATE_CUES: tuple[str, ...] = (
    "is on hold",
    "on hold",
    "remains",
    "remain",
    "remained",
    "has been",
    "have been",
    "had been",
    "is currently",
    "currently",
    "announced",
    "confirmed",
    "approved",
    "agreed",
    "signed",
    "suspended",
    "halted",
    "paused",
    "closed",
    "reopened",
    "launched",
    "passed",
    "killed",
    "injured",
    "arrested",
    "charged",
    "so far",
    "as of",
    "to date",
    "still",
    "ongoing",
    "continues to",
    "continue to",
    "has not",
    "have not",
    "stalled",
    "completed",
    "began",
    "started",
    "ended",
    "voted",
    "rose",
    "fell",
    "increased",
    "decreased",
    "reached",
    "is under",
    "are under",
    "postponed",
    "delayed",
    "won",
    "lost",
    "took effect",
    "in effect",
    "is closed",
    "are closed",
    "was found",
    "were found",
    "has risen",
    "has fallen",
    "now",
    "has",
    "have",
    "is",
    "are",
    "was",
    "were",
)
STATE_FIGURE_WEIGHT = 1.5
WEAK_STATE_CUES = frozenset({"has", "have", "is", "are", "was", "were", "now"})

# Tense: a regular past form, an irregular one, or a perfect ("has been", "have grown").
_IRREGULAR_PAST = frozenset(
    [
        "broke",
        "took",
        "gave",
        "made",
        "came",
        "went",
        "held",
        "left",
        "met",
        "paid",
        "sold",
        "bought",
        "set",
        "hit",
        "lost",
        "won",
        "rose",
        "fell",
        "grew",
        "began",
        "ran",
        "struck",
        "spent",
        "sent",
        "brought",
        "kept",
        "found",
        "led",
        "saw",
        "chose",
        "drew",
        "fought",
        "froze",
        "stood",
        "wrote",
    ]
)
_PERFECT = frozenset({"has", "have", "had"})
# Figures (amounts, percentages, counts, dates) mark a factual statement: +0.5 to the state score.
_FIGURE = re.compile(r"\d")


class _CueIndex:
    """Finds cues (one or more words) in a sentence's word list, leftmost-longest, without overlaps.

    Word-level dictionary lookups instead of one big regex alternation: ~4x faster per sentence.
    """

    def __init__(self, cues: Iterable[str]) -> None:
        by_first: dict[str, list[tuple[int, list[str], str]]] = {}
        for cue in cues:
            first, *rest = cue.split()
            by_first.setdefault(first, []).append((1 + len(rest), rest, cue))  # (length, words after, cue)
        self._by_first = {
            first: sorted(entries, key=lambda entry: entry[0], reverse=True)
            for first, entries in by_first.items()
        }
        self._firsts = frozenset(self._by_first)

    def find(self, words: list[str], present: set[str]) -> list[tuple[int, str]]:
        """Cues in `words`; `present` is set(words), shared by the indexes of one sentence."""
        by_first = self._by_first
        hits = self._firsts & present
        if not hits:
            return []
        found: list[tuple[int, str]] = []
        free_from = 0
        for index in _positions(words, hits):
            if index < free_from:
                continue
            for size, rest, text in by_first[words[index]]:
                if size == 1 or words[index + 1 : index + size] == rest:
                    found.append((index, text))
                    free_from = index + size
                    break
        return found


def _positions(words: list[str], hits: set[str]) -> list[int]:
    """The indexes of the words in `hits`, in order; one hit word (the common case) is found by
    `list.index`, in C, instead of a test per word."""
    if len(hits) > 1:
        return [index for index, word in enumerate(words) if word in hits]
    (word,) = hits
    found: list[int] = []
    index = -1
    for _ in range(words.count(word)):
        index = words.index(word, index + 1)
        found.append(index)
    return found


_WORDS = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_FUTURE = _CueIndex(FUTURE_CUES)
_CONFLICT = _CueIndex(CONFLICT_CUES + STANCE_CUES)
_WEAK_CONFLICT = _CueIndex(WEAK_CONFLICT_CUES)
_STATE = _CueIndex(STATE_CUES)
# A cue right after these words is past or a noun ("had promised to", "Saxony's plans to"), not a step.
_NOT_FUTURE_AFTER = frozenset({"had", "have", "has", "been", "its", "their", "the", "his", "her", "our"})
# "would" / "could" after these is hypothetical or describes a thing, not a planned event:
# "whether it would seek", "a paragraph that would require", "if accurate, would suggest".
_HYPOTHETICAL_AFTER = frozenset({"whether", "if", "which", "who", "accurate", "true", "otherwise"})
# A thing "that would …" is a description; a report "said that … would" is reported future.
_THAT_REPORTED = frozenset({"said", "says", "added", "announced", "confirmed", "told", "stated", "expects"})
# After "would" / "will", these verbs state a consequence or an opinion ("the deal would give the
# company excess power", "the law would destroy 4,000 jobs"), not an event anyone plans.
_CONSEQUENCE_VERBS = frozenset(
    re.findall(
        r"\w+",
        "give gives benefit burden destroy cost suggest require mean hurt harm help allow make create "
        "affect undermine damage threaten leave lead cause put deprive weaken hand amount drive stand",
    )
)
_NEGATED = frozenset({"not", "never", "no"})
# "disagrees with the ruling and will appeal": a legal step announced by one side is still a next step.
_LEGAL_STEPS = frozenset({"appeal", "challenge", "sue", "contest", "file", "seek", "ask"})
_DETERMINERS = frozenset({"the", "an", "a", "its", "their", "any", "this"})
_PROCEDURE_VERBS = frozenset({"must", "can", "may", "will", "would", "is", "was", "has", "had", "needs"})
_MODAL_MONTH = re.compile(r"\bMay\b")
# "would" after a reporting verb is reported future ("said the city would appeal"): full weight.
_REPORTING = frozenset({"said", "says", "told", "announced", "confirmed", "added", "expects", "expected"})


@dataclass(frozen=True, slots=True)
class Cues:
    """The features of one sentence; scores are sums of the matched cues' weights."""

    future: float
    conflict: float
    state: float
    certainty: Certainty | None
    when: str | None
    quote_only: bool
    contested: bool = False  # a conflict cue comes before the first future cue

    @property
    def is_next_step(self) -> bool:
        """A contested prediction with no date ("disputes ... says it will cost jobs") is a position."""
        return self.future >= 2 and (not self.contested or self.when is not None)

    @property
    def is_dispute(self) -> bool:
        return self.conflict >= 2

    @property
    def is_status(self) -> bool:
        """A fact or state, stated rather than quoted (a next-step sentence can also be one)."""
        return self.state >= 1 and not self.quote_only


_DEADLINE = re.compile(r"\b(?:has|have) (?:\w+ )?(?:\d+|\w+) (?:days|weeks|months|hours) to\b")
_MONTHS = {name: number for number, name in enumerate(MONTHS, start=1)}
_MONTH_NAMES = frozenset(_MONTHS)
_DATE = re.compile(
    r"\b(?:on |until |by |from |starting |before |after )?(?P<month>"
    + "|".join(MONTHS)
    + r")\s(?P<day>\d{1,2})\b",
    re.IGNORECASE,
)
_RANK = {"confirmed": 0, "planned": 1, "expected": 2, "possible": 3}


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


# A regular past form: a word of 5 or more letters ending in -ed (one regex search per sentence).
# The literal "ed" comes first, so the regex engine jumps to each "ed" instead of trying a
# lookbehind at every position (~5x faster); the 3 letters before it are checked by a lookbehind.
# (Equivalent to "(?<![a-z0-9])[a-z0-9]{3,}ed(?![a-z0-9])" for a yes/no search.)
_REGULAR_PAST = re.compile(r"ed(?<=[a-z0-9]{3}ed)(?![a-z0-9])")


def _is_past(words: list[str], present: set[str], lower: str) -> bool:
    if not _IRREGULAR_PAST.isdisjoint(present):
        return True
    if _REGULAR_PAST.search(lower):
        return True
    if not _PERFECT & present:
        return False
    for index, word in enumerate(words):
        if word in _PERFECT:
            for following in words[index + 1 : index + 3]:  # "has risen", "has already risen"
                if len(following) >= 5 and following.endswith(("en", "wn", "un")):
                    return True
    return False


def _dated_future(sentence: str, published: date | None) -> str | None:
    """A calendar date after the article's publication date ("opens on February 3"), as written."""
    if published is None:
        return None
    for match in _DATE.finditer(sentence):
        month = _MONTHS[match.group("month").lower()]
        try:
            when = date(published.year, month, int(match.group("day")))
        except ValueError:
            continue
        if published < when <= published + timedelta(days=366):
            return match.group().strip()
    return None


def _future_reading(cue: str, at: int, words: list[str], sentence: str) -> bool:
    """Whether the cue at `at` reads as a future event, not a month ("on May 12"), a refusal ("will
    not accept", a stance), a hypothesis ("whether it would seek") or a consequence ("the law would
    destroy jobs")."""
    if cue == "may":
        return not _is_month_may(sentence, words, at)
    following = words[at + 1] if at + 1 < len(words) else ""
    if cue in ("will", "would") and (following in _NEGATED or following == "have"):
        return False  # "will not accept" is a position; "would have reduced" is past
    if cue in ("would", "could", "might"):
        previous = words[at - 1] if at else ""
        if previous in _HYPOTHETICAL_AFTER:
            return False
        if previous == "that" and not _THAT_REPORTED.intersection(words[:at]):
            return False  # "a paragraph that would require …"
    if cue in ("will", "would") and following in _CONSEQUENCE_VERBS:
        return False
    # a rule for any case ("any settlement must start from …") is not an event
    return "any" not in words[max(0, at - 3) : at]


def _is_month_may(sentence: str, words: list[str], at: int) -> bool:
    """ "may" at word `at` is the month when the sentence writes "May" there (the modal is lower case
    mid-sentence)."""
    months = [match.start() for match in _MODAL_MONTH.finditer(sentence)]
    if not months:
        return False
    occurrence = words[:at].count("may")  # which "may" of the sentence this is
    capitals = [m for m in re.finditer(r"\b[Mm]ay\b", sentence)]
    if occurrence >= len(capitals):
        return False
    match = capitals[occurrence]
    return match.group() == "May"


def _past_year(when: str, published: date | None, before: str) -> bool:
    """A bare year that is past: before the article's year, or right after a past form ("the border
    recognised in 2014"); `before` is the sentence up to the time expression."""
    found = re.fullmatch(r"in (20\d\d)", when.strip().lower())
    if not found:
        return False
    if published is not None and int(found.group(1)) < published.year:
        return True
    last = before.rstrip().rsplit(None, 1)[-1].lower() if before.strip() else ""
    return last.endswith("ed") or last in _IRREGULAR_PAST


def classify(sentence: str, published: date | None = None) -> Cues:
    """The cue scores of one sentence; `published` (the article's date) lets a later calendar date
    count as a scheduled next step."""
    lower = sentence.lower()
    words = _WORDS.findall(lower)
    future = 0.0
    certainty: Certainty | None = None
    first_future = len(words)
    present = set(words)
    # where the first reporting verb is: only needed to weigh "would", so only looked for then
    reported_at = (
        next((i for i, word in enumerate(words) if word in _REPORTING), len(words))
        if "would" in present and not _REPORTING.isdisjoint(present)
        else len(words)
    )
    strong = 0
    for at, cue in _FUTURE.find(words, present):
        previous = words[at - 1] if at else ""
        if previous in _NOT_FUTURE_AFTER or previous.endswith(("'s", "’s")):
            continue  # past ("had promised to") or a noun ("Saxony's plans to")
        if not _future_reading(cue, at, words, sentence):
            continue
        weak = cue in WEAK_FUTURE_CUES and not (cue == "would" and reported_at < at)
        strong += not weak
        future += 1 if weak else 2
        first_future = min(first_future, at)
        cue_certainty = FUTURE_CUES[cue]
        if certainty is None or (not weak and _RANK[cue_certainty] < _RANK[certainty]):
            certainty = cue_certainty
    if ("days" in present or "weeks" in present or "months" in present) and _DEADLINE.search(lower):
        future += 2
        certainty = "confirmed"
    when: str | None = None
    dated = _dated_future(sentence, published) if not _MONTH_NAMES.isdisjoint(present) else None
    if dated:
        future += 2
        when = dated
        certainty = certainty or "confirmed"
    elif future:  # a time only matters for a next step (and the search is the costliest cue)
        # `_SAID_WHEN` needs a lower-case "day" ("on Tuesday"): without one the sub changes nothing
        when_match = WHEN_PATTERN.search(_SAID_WHEN.sub(_blank, sentence) if "day" in sentence else sentence)
        when = when_match.group() if when_match else None
        if when and not strong and when.lower().startswith("on "):
            when = None  # "fell … on Wednesday": a weak modal elsewhere does not make the day future
        if when and _past_year(when, published, sentence[: when_match.start()] if when_match else ""):
            when = None  # "the border recognised in 2014"
        future += 1 if when else 0
    strong_conflicts = _CONFLICT.find(words, present)
    if strong_conflicts and first_future < len(words):
        # "Northwind said it would appeal": a side's next step, not a dispute, when the only
        # conflict cue is the legal step the future cue announces
        strong_conflicts = [
            (at, cue)
            for at, cue in strong_conflicts
            if not (cue in _LEGAL_STEPS and first_future < at <= first_future + 2)
        ]
    # "The appeal must be filed within 30 days": the procedure of a legal step, said of it as a thing
    strong_conflicts = [
        (at, cue)
        for at, cue in strong_conflicts
        if not (
            cue in _LEGAL_STEPS
            and 0 < at < len(words) - 1
            and words[at - 1] in _DETERMINERS
            and words[at + 1] in _PROCEDURE_VERBS
        )
    ]
    conflict = 2.0 * len(strong_conflicts) + 1.0 * len(_WEAK_CONFLICT.find(words, present))
    contested = (
        bool(strong_conflicts)
        and strong_conflicts[0][0] < first_future
        and (first_future + 1 >= len(words) or words[first_future + 1] not in _LEGAL_STEPS)
    )
    state = sum(0.34 if cue in WEAK_STATE_CUES else 1.0 for _, cue in _STATE.find(words, present))
    # the score is capped at 3: once there, the tense and figure tests cannot change it (same order of
    # additions as without the cap test, so the same sums)
    if state < 3.0 and _is_past(words, present, lower):
        state += 1.0  # tense: something has happened
    if state < 3.0 and _FIGURE.search(lower):
        state += STATE_FIGURE_WEIGHT
    state = min(state, 3.0)
    quote_only = (
        sentence[:1] in "\"“‘'`"
        or sentence.count('"') % 2 == 1
        or sentence.count("“") != sentence.count("”")
        or sentence.count("``") != sentence.count("''")
    )
    if quote_only and any(word in _NEGATION or word.endswith("n't") for word in words):
        conflict += 1.0
    if not _CLAIM_VERBS.isdisjoint(present):
        conflict += _contrast(words)
    if not _OFFERS.isdisjoint(present) and _OFFER_VS_ASK.search(lower):
        conflict += 2.0  # one side's offer against the other's demand, in one sentence
    return Cues(future, conflict, state, certainty, when, quote_only, contested)


# An offer set against a demand ("has offered 4.5 percent; the union is asking for 9 percent").
_OFFERS = frozenset({"offered", "offer", "offers"})
_ASKS = r"(?:asking for|asks for|is seeking|are seeking|seeks|demanding|demands|wants|is calling for)"
_OFFER_VS_ASK = re.compile(
    rf"\b(?:offered|offers|offer of)\b.{{0,120}}\b{_ASKS}\b|\b{_ASKS}\b.{{0,120}}\b(?:offered|offers)\b"
)

# A figure somebody states ("The ministry says 1,900 nursing posts are empty."): two of them in a
# row, from different sides, for the same thing, contest it (`contests_figure`).
_STATED_FIGURE = re.compile(
    r"\b(?:says?|said|estimates?|estimated|puts?|counts?|counted|according to)\b[^.;]{0,80}?"
    r"(?<![\w.,])(?P<number>\d[\d,.]*)(?:\s?(?:percent|per cent|%))?\s(?P<unit>(?:[a-z]+\s){0,2}[a-z]{3,})"
)
_ATTRIBUTION_HEAD = re.compile(r"^(?:[\w'’.-]+\s){0,6}?(?=says?\b|said\b|estimates?\b|puts?\b|counts?\b)")


_DIGIT = re.compile(r"\d")
_CLAUSE_END = re.compile(r"[,;.:!?\"“”]| (?:and|but|while|because|after|since)\b")


def figure_issue(sentence: str) -> str | None:
    """ "How many nursing posts are empty": the question a stated figure answers, or None."""
    found = _STATED_FIGURE.search(sentence)
    if found is None or not found.group("unit"):
        return None
    rest = _CLAUSE_END.split(sentence[found.end() :], maxsplit=1)[0]
    words = rest.split()
    if len(words) > 8:
        return None
    return " ".join(["How many", found.group("unit"), *words]).strip()


def contests_figure(sentence: str, previous: str) -> bool:
    """`sentence` states a different figure than `previous` for the same thing, and someone else
    states it: "The ministry says 1,900 posts are empty." / "The union says 3,200 posts are empty."."""
    if not (_DIGIT.search(sentence) and _DIGIT.search(previous)):
        return False  # no figure on one side (the common case: two plain tests, no regex)
    mine, theirs = _STATED_FIGURE.search(sentence), _STATED_FIGURE.search(previous)
    if mine is None or theirs is None or mine.group("number") == theirs.group("number"):
        return False
    units = set(mine.group("unit").split()) & set(theirs.group("unit").split())
    if not any(len(word) >= 4 for word in units):
        return False
    head, other = _ATTRIBUTION_HEAD.match(sentence), _ATTRIBUTION_HEAD.match(previous)
    return head is None or other is None or head.group().strip().lower() != other.group().strip().lower()


# Verbs that report a claim; two of them on either side of "but" / "while" ("The ministry said the
# water was safe, but residents said …"), or one after a leading "But" / "However" (a counter-claim
# to the sentence before), state two sides of a disagreement.
_CLAIM_VERBS = frozenset(
    {"said", "says", "argued", "argues", "insisted", "insists", "maintained", "maintains", "contended"}
    | {"contends", "claimed", "claims", "countered", "counters", "told", "believes", "believe"}
)
_CONTRASTS = frozenset({"but", "while", "whereas"})
_STANCE_MODALS = frozenset({"should", "must", "cannot", "can't", "shouldn't", "mustn't", "never"})
_COUNTER_LEADS = frozenset({"but", "however", "yet"})


def _contrast(words: list[str]) -> float:
    """1.0 when the sentence sets one claim against another (see `_CLAIM_VERBS`), else 0.0."""
    if words and words[0] in _COUNTER_LEADS:
        return 1.0
    if "however" in words and not _CLAIM_VERBS.isdisjoint(words):
        return 1.0  # "The ministry, however, said …": a counter-claim
    claims = [index for index, word in enumerate(words) if word in _CLAIM_VERBS]
    if claims and not _STANCE_MODALS.isdisjoint(words[claims[0] + 1 :]):
        return 1.0  # "said the mission should leave", "insists the law cannot apply": a stance
    if len(claims) < 2:
        return 0.0
    return 1.0 if any(word in _CONTRASTS for word in words[claims[0] + 1 : claims[-1]]) else 0.0


_CLAUSES = re.compile(r",\s|;\s|\s[—–]\s|:\s|\s(?=but\s)")


def conflict_focus(text: str, min_words: int = 6) -> str:
    """The clause of `text` that carries its conflict cue, widened to at least `min_words` words.

    "Dobrescu, who was re-elected in 2024, denied the charges, saying ..." → "denied the charges";
    gold dispute issues name the contested point, not the whole sentence around it.
    """
    clauses = [clause for clause in _CLAUSES.split(text) if clause.strip()]
    if len(clauses) < 2:
        return text
    scored = []
    for index, clause in enumerate(clauses):
        words = _WORDS.findall(clause.lower())
        present = set(words)
        scored.append((len(_CONFLICT.find(words, present)), index))  # weak cues ("but") do not focus
    best = max(scored, key=lambda item: (item[0], -item[1]))
    if best[0] == 0:
        return text
    start = end = best[1]
    if start > 0 and clauses[start].strip()[:1].islower():
        start -= 1  # a continuation ("a step the union has rejected") needs the clause it continues
    while len(" ".join(clauses[start : end + 1]).split()) < min_words and (
        start > 0 or end < len(clauses) - 1
    ):
        if end < len(clauses) - 1:
            end += 1
        else:
            start -= 1
    focus = ", ".join(clause.strip(" ,;") for clause in clauses[start : end + 1]).strip()
    focus = focus[0].upper() + focus[1:]
    return focus if focus.endswith((".", "!", "?")) else focus.rstrip(".") + "."
