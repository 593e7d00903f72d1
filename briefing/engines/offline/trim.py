"""Trimming a source sentence into a short item text that keeps its meaning.

Only material that carries no claim is removed: a dateline ("KYIV, Ukraine (Reuters) —"), a
leading discourse marker ("But", "Meanwhile,"), a trailing attribution (", officials said."), a
leading attribution ("X said on Tuesday that ...", kept as `attribution` so callers can name the
speaker), the quote marks around a quoted sentence, and, for very long sentences, trailing
clauses after the first one that is long enough to stand alone. Evidence always quotes the full
sentence, so trimming never affects grounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.engines.offline.classify import CONFLICT_CUES, WEAK_CONFLICT_CUES

MAX_WORDS = 32
MIN_CLAUSE_WORDS = 7

_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
DATELINE = re.compile(
    r"^(?:(?:[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+){0,3})(?:,\s*[A-Z][\w.]*(?:\s+[\w.]+){0,2})?"
    r"(?:,\s*(?:\d{1,2}\s+\w+\.?|[A-Z][a-z]{2,8}\.?\s+\d{1,2}))?"  # then a date: ", Nov. 17", ", 26 mars"
    # or, in text with no capitals to go by, a place and a date: "halverstad, june 9 —"
    rf"|[^\W\d_][\w'.\-]*(?:\s+[^\W\d_][\w'.\-]*){{0,2}},\s*{_MONTH}\s+\d{{1,2}})"
    r"\s*(?:\([^)]{1,40}\))?\s*(?:[—–]|-{1,2}|:)\s*"
)
_LEAD_MARKERS = re.compile(
    r"^(?:but|and|however|meanwhile|still|also|yet|moreover|in addition|separately|earlier|later|instead|"
    r"indeed|in a statement|in response|on \w+day)\s*,?\s+",
    re.IGNORECASE,
)
_SAY = r"(?:said|says|told [\w ]{1,30}?|added|stated|announced|confirmed|warned|noted|argued|insisted|wrote)"
_TRAILING_ATTRIBUTION = re.compile(
    rf"(?:,|\.)[\"”’']?\s+(?:{_SAY}\s+(?:(?:the|a|an|its|his|her|their)\s+(?:[^\s,]+\s+){{0,3}}[^\s,]+"
    rf"|[A-Z](?:[^\s,]*\s+){{0,4}}[^\s,]+)|(?:[^\s,]+\s+){{0,6}}?{_SAY}"
    rf"(?:\s+(?:on|in|at|outside|after|before|during)\s+[^,\"“]{{1,50}})?"
    rf"|according to (?:[^\s,]+\s+){{0,7}}[^\s,]+)\s*[.!]?$"
)
_LEADING_ATTRIBUTION = re.compile(
    rf"^(?P<who>[^,\"“]{{2,80}}?(?:,\s[^,\"“]{{2,50}},)?)\s+(?:(?:has|have|had)\s+)?{_SAY}"
    rf"(?:\s+(?:on|late on|early on)\s+\w+)?"
    # "said in its decision that …": the place or medium runs to its "that" when it has one
    rf"(?:\s+(?:in|at)\s+[^,]{{1,40}}?\s+that\b|\s+(?:in|at)\s+[^,]{{1,40}}?)?(?:\s+that|,)?\s+(?P<rest>.+)$"
)
_CLAUSE_BREAK = re.compile(
    r";|\s[—–]\s|,\s(?:which|while|although|though|whereas|as|after|before|and|but|leaving|saying|blaming|"
    r"citing|according)\s"
)
_PRONOUN_START = re.compile(r"^(?:it|they|he|she|we|i|its|their|his|her|this|that|there)\b", re.IGNORECASE)
_NOT_IN_SPEAKER = frozenset(
    {"and", "but", "or", "that", "which", "if", "when", "while", "because", "not", "would", "will", "to"}
    | {cue for cue in CONFLICT_CUES + WEAK_CONFLICT_CUES if " " not in cue}
)
_QUOTES = "\"“”‘’'"


@dataclass(frozen=True)
class Trimmed:
    text: str
    attribution: str | None = None


def match_dateline(text: str) -> re.Match[str] | None:
    """`DATELINE.match(text)`; a dateline ends with a dash or a colon, so a sentence with neither (a
    substring test) has none."""
    if "-" not in text and "—" not in text and "–" not in text and ":" not in text:
        return None
    return DATELINE.match(text)


def strip_dateline(text: str) -> str:
    dateline = match_dateline(text)
    return text[dateline.end() :] if dateline else text  # what DATELINE.sub(…, count=1) leaves


# Asides that add detail but no claim: ", who ...,", ", which ...,", "(...)", and an apposition after a
# name (", the majority owner of Parcomar SRL,"). Dropping them keeps subject, verb and object.
_ASIDES = re.compile(r",\s(?:who|which|whose|whom)\s[^,;]{3,90},(?=\s)|\s\([^()]{1,60}\)")
_NAME_APPOSITION = re.compile(r"\b([A-Z][\w'’\-]+),\s(?:the|a|an)\s[^,;\"“]{3,70},(?=\s[a-z])")
# The same, for text with no "(" (`_ASIDES`'s bracket alternative cannot match), and a test that the
# apposition can match: both start with a comma, which the regex engine finds fast, where the
# patterns above try their word-boundary alternatives at every position (~3x slower per sentence).
_CLAUSE_ASIDES = re.compile(r",\s(?:who|which|whose|whom)\s[^,;]{3,90},(?=\s)")
_APPOSITION_HINT = re.compile(r",\s(?:the|a|an)\s")


# A trailing clause that elaborates ("…, leaving fleets without limits", "…, according to …").
_TRAILING_CLAUSE = re.compile(r",\s(?:[a-z]+ing|according to|as|after|while|which)\s[^,;]*$")


def compress(text: str) -> str:
    """`text` without asides (see `_ASIDES`) and without a trailing elaborating clause; unchanged
    when too little would be left."""
    shorter = (_ASIDES if "(" in text else _CLAUSE_ASIDES).sub("", text)
    if _APPOSITION_HINT.search(shorter):
        shorter = _NAME_APPOSITION.sub(r"\1", shorter)
    if len(shorter.split()) < 5:
        return text
    body = shorter.rstrip(".")
    trailing = _TRAILING_CLAUSE.search(body)
    if trailing and len(body[: trailing.start()].split()) >= MIN_CLAUSE_WORDS + 1:
        return body[: trailing.start()] + "."
    return shorter


def trim(
    sentence: str, *, keep_attribution: bool = False, max_words: int = MAX_WORDS, asides: bool = True
) -> Trimmed:
    """Shorten `sentence` for an item; `attribution` is the speaker of a leading attribution."""
    text = strip_dateline(sentence.strip())
    text = _LEAD_MARKERS.sub("", text, count=1)
    attribution: str | None = None
    trailing = _TRAILING_ATTRIBUTION.search(text)
    if trailing and trailing.start() > 0 and len(text[: trailing.start()].split()) >= 3:
        speaker = re.sub(rf"\s*{_SAY}.*$|^[,.\"”’'\s]+(?:{_SAY}\s+)?|according to\s+", "", trailing.group(0))
        attribution = speaker.strip(" ,.") or None
        if not keep_attribution:
            text = text[: trailing.start()]
    leading = _LEADING_ATTRIBUTION.match(text)
    if (
        leading
        and len(leading.group("rest").split()) >= 4
        and len(leading.group("who").split()) <= 9
        and not any(word.strip(",").lower() in _NOT_IN_SPEAKER for word in leading.group("who").split())
        and not _PRONOUN_START.match(leading.group("rest"))
    ):
        attribution = attribution or leading.group("who")
        if not keep_attribution:
            text = leading.group("rest")
    text = _unquote(text.strip())
    if not asides:
        text = compress(text)
    words = text.split()
    if len(words) > max_words:
        text = _first_clause(text, max_words)
    text = text.rstrip(" ,;:—–-")
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    # a sentence's own end stays: "。", "！", "？" (CJK) and "।" (Devanagari) end one as "." does
    if text and text[-1] not in _ENDS and not (text[-1] in _CLOSING and text[-2:-1] in _ENDS + ","):
        text += "."
    return Trimmed(text, attribution)


_OPENING = "\"“‘'"
_ENDS = ".!?。！？।"
_CLOSING = "\"”’'"


def _marks(text: str) -> int:
    return sum(text.count(mark) for mark in '"“”')


def _unquote(text: str) -> str:
    """Quote marks stay where the sentence has them ("…serious preparation.”" keeps its ”); only a
    sentence that is one quotation loses the marks around it, and a mark left unpaired by a cut
    attribution ("We need to end this war," Verris said → “We need to end this war) is dropped."""
    body = text.rstrip(".!?,;:")
    tail = text[len(body) :]
    if body[:1] in _OPENING and body[-1:] in _CLOSING and _marks(body[1:-1]) == 0:
        return (body[1:-1].strip() + tail).strip()  # the whole sentence is a quotation
    if text[:1] in _OPENING and _marks(text) % 2 == 1:
        return text[1:].strip()
    return text


def _first_clause(text: str, max_words: int) -> str:
    """The first clause that stands alone, else the text up to the last comma within the limit, else all
    of it: a long item reads better than one cut mid-phrase."""
    for match in _CLAUSE_BREAK.finditer(text):
        head = text[: match.start()]
        if len(head.split()) >= MIN_CLAUSE_WORDS:
            return head
    commas = [match.start() for match in re.finditer(r",\s", text)]
    for position in reversed(commas):
        if MIN_CLAUSE_WORDS <= len(text[:position].split()) <= max_words:
            return text[:position]
    return text


def shorten(text: str, max_words: int) -> str:
    """Cut to a clause boundary (or a word limit) for headlines and dispute issues."""
    words = text.split()
    if len(words) <= max_words:
        return text
    for match in _CLAUSE_BREAK.finditer(text):
        head = text[: match.start()]
        if 5 <= len(head.split()) <= max_words:
            return head.rstrip(" ,;") + "."
    comma = [m.start() for m in re.finditer(",", text)]
    for position in reversed(comma):
        if 6 <= len(text[:position].split()) <= max_words:
            return text[:position] + "."
    return " ".join(words[:max_words]).rstrip(",;") + "…"
