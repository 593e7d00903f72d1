"""How long ago a sentence's development happened, from its date and tense cues, to put status
items newest first.

News states its newest development with the day ("on Tuesday", "June 2", "today") and older
background with a past marker ("last month", "in 2019", "had agreed"). `days_ago` turns those cues
into an estimate in days before publication; a sentence with no cue gets `None`, and `order_key`
places it after the dated developments of the last days and before dated background.
"""

from __future__ import annotations

import re
from datetime import date

from briefing.engines.offline.tables import MONTHS
from briefing.engines.offline.trim import strip_dateline

_MONTH_NUMBER = {name[:3]: number for number, name in enumerate(MONTHS, start=1)}
_SHORT_MONTHS = "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Matched on the lower-cased sentence; the lookahead lists the first letters of the alternatives, so
# most positions fail on one character test.
_CUE = re.compile(
    r"\b(?=[tycmwfsjandolie0-9])(?:(?P<today>today|tonight|this morning|this afternoon|this evening)|"
    r"(?P<yesterday>yesterday)|(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"(?P<month>" + "|".join(MONTHS) + "|" + _SHORT_MONTHS + r")\.?\s(?P<day>\d{1,2})\b|"
    r"(?P<last>last (?:week|month|year|spring|summer|autumn|fall|winter))|"
    r"(?P<ago>(?P<count>\d+|a|an|one|two|three|four|five|six|ten) (?P<unit>days?|weeks?|months?|years?) ago)|"
    r"in (?P<year>(?:19|20)\d\d)\b|"
    r"(?P<now>now|currently|so far|as of|to date))"
)
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_LAST_DAYS = {"week": 7, "month": 30, "year": 365}
_PAST_PERFECT = re.compile(r"\bhad (?:\w+ )?(?:\w+ed|been|\w+en)\b")
UNDATED = 3.0
"""Where a sentence without a time cue sits: after the last days' news, before older background."""


def days_ago(text: str, published: date | None, *, states: bool = True) -> float | None:
    """Estimated days between the sentence's development and publication (0 = the news day), from
    the first time cue that says when it happened (a dateline is when it was filed, not a cue); None
    without one. `states=False` ignores the cues of a lasting state ("now", "so far"): an event's
    date only."""
    text = strip_dateline(text).lower()
    for match in _CUE.finditer(text):
        if not states and match.group("now"):
            continue
        found = _days(match, published)
        if found is not None:
            return found
    if "had " in text and _PAST_PERFECT.search(text):
        return 30.0  # "had agreed": background to the news
    return None


def _days(match: re.Match[str], published: date | None) -> float | None:
    if match.group("today") or match.group("now"):
        return 0.0
    if match.group("yesterday"):
        return 1.0
    if weekday := match.group("weekday"):
        if published is None:
            return 1.0
        return float((published.weekday() - _WEEKDAYS.index(weekday)) % 7)
    if month := match.group("month"):
        if published is None:
            return None
        try:
            when = date(published.year, _MONTH_NUMBER[month[:3]], int(match.group("day")))
        except ValueError:
            return None
        if when > published:
            when = date(published.year - 1, when.month, when.day) if (when - published).days > 31 else None
        return None if when is None else float((published - when).days)
    if last := match.group("last"):
        unit = last.split()[1]
        return float(_LAST_DAYS.get(unit, 180))
    if match.group("ago"):
        count = match.group("count")
        number = int(count) if count.isdigit() else _COUNTS[count]
        return float(number * _UNIT_DAYS[match.group("unit").rstrip("s")])
    if year := match.group("year"):
        if published is None or int(year) >= published.year:
            return None
        return float(365 * (published.year - int(year)))
    return None


def order_key(text: str, published: date | None) -> float:
    """Sort key, smallest first: the newest development leads."""
    found = days_ago(text, published)
    return UNDATED if found is None else found
