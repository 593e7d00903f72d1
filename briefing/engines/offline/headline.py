"""A headline of 3-14 words from a statement of the article: what happened, without the
attribution, the dateline, the day of saying or the asides, cut where a phrase ends.

Headlines are shown as the page title, in the list of recent briefs and as digest story titles, so
one that is page chrome or a fragment is worse than a plain one. Rules only; see docs/offline.md.
"""

from __future__ import annotations

import re

from briefing.engines.offline.trim import compress, strip_dateline, trim

MAX_WORDS = 14
MIN_WORDS = 3

_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# The day of the event or of saying ("on Tuesday", "late on Friday night", "On Monday,").
_DAY = re.compile(
    rf"^(?:(?:late|early) )?on {_WEEKDAY}(?: (?:night|morning|evening|afternoon))?,?\s+|"
    rf",?\s+(?:(?:late|early) )?(?:on )?{_WEEKDAY}(?: (?:night|morning|evening|afternoon))?(?=[\s,.;]|$)",
    re.IGNORECASE,
)
_CLAUSE = re.compile(
    r";|:\s|\s[—–]\s|,\s(?:which|while|although|though|whereas|as|after|before|and|but|leaving|saying|"
    r"blaming|citing|according|amid|with|despite|in a)\s|\s(?:after|as|amid|while|because|despite|"
    r"following|saying|citing|but)\s"
)
# A phrase may end before one of these; a headline never ends on one.
_PREPOSITION = re.compile(
    r"\s(?=(?:of|in|at|for|on|with|to|from|by|along|over|under|into|across|against|near|between|"
    r"during|since|until|without|within|through|about|amid|after|before)\s)"
)
_DANGLING = frozenset(
    re.findall(
        r"\w+",
        "a an the and or but of in at for on with to from by as that which who its their his her our "
        "is are was were be been has have had will would than de la el los las del y en du le des et der "
        "die das und along over under into across against near between during since until without "
        "within through about amid after before",
    )
)


_SAY = r"(?:said|says|told [^,]{1,30}|added|reported|announced|confirmed|stated)"
# ", a U.S. official said Tuesday" / ", officials told reporters on Friday night" at the end.
_TRAILING_SAY = re.compile(
    rf",\s+(?:[^,\"“]{{1,60}}\s)?(?:{_SAY}|according to [^,]{{2,60}})"
    rf"(?:\s+(?:on\s+)?{_WEEKDAY}(?:\s+(?:night|morning|evening|afternoon))?)?\s*$",
    re.IGNORECASE,
)
# "The operator said it will cut …" → "The operator will cut …".
_SAID_PRONOUN = re.compile(
    rf"^(?P<who>[^,\"“]{{2,60}}?)\s+(?:said|says|announced|confirmed)(?:\s+(?:on\s+)?{_WEEKDAY})?"
    r"(?:\s+that)?\s+(?:it|they)\s+(?P<rest>(?:will|would|is|are|was|were|has|have|had|plans|intends)\b.+)$",
    re.IGNORECASE,
)


def make_headline(sentence: str, max_words: int = MAX_WORDS) -> str:
    """A headline from one sentence (see the module docstring); empty when nothing usable is left."""
    text = trim(strip_dateline(sentence), max_words=60, asides=False).text.rstrip(".!? ")
    text = _TRAILING_SAY.sub("", text)
    said = _SAID_PRONOUN.match(text)
    if said:
        rest = said.group("rest")
        rest = re.sub(r"^would\b", "will", rest)
        text = f"{said.group('who')} {rest}"
    text = _DAY.sub(lambda match: " " if not match.group().startswith(("O", "o")) else "", text).strip()
    text = compress(text).rstrip(".!? ")
    text = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", text))
    text = fit(text, max_words)
    words = text.split()
    if len(words) < MIN_WORDS:
        return ""
    return text[0].upper() + text[1:]


def fit(text: str, max_words: int = MAX_WORDS) -> str:
    """`text` cut to at most `max_words` words where a clause or a phrase ends, never mid-phrase
    when a boundary exists; no trailing function word or punctuation."""
    text = text.strip().rstrip(".!?;:, ")
    if len(text.split()) <= max_words:
        return tidy(text)
    for pattern in (_CLAUSE, re.compile(r",\s"), _PREPOSITION):
        heads = [text[: match.start()] for match in pattern.finditer(text)]
        fitting = [head for head in heads if 5 <= len(head.split()) <= max_words]
        if fitting:
            return tidy(fitting[-1] if pattern is _PREPOSITION else fitting[0])
    return tidy(" ".join(text.split()[:max_words]))


def tidy(text: str) -> str:
    """No trailing function word ("… along the"), dash or comma, and no unclosed bracket or quote."""
    end = "." if text.endswith(".") and not text.endswith("..") else ""
    words = text.rstrip(" ,;:—–-.").split() if end else text.rstrip(" ,;:—–-").split()
    while len(words) > MIN_WORDS and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    text = " ".join(words).rstrip(" ,;:—–-")
    if text.count("(") > text.count(")"):
        text = text[: text.rfind("(")].rstrip()
    for opening, closing in (("“", "”"), ("‘", "’")):
        if text.count(opening) > text.count(closing):
            text += closing
    if text.count('"') % 2:
        text += '"'
    return text + end
