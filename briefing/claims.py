"""The offline claim check: are the facts a statement asserts backed by the text it cites?

Grounding proves a quote is in the article; this proves the item's own words say no more than its
quotes. It is deterministic, needs no model and runs on every brief (any engine, merges and digest
stories), on `POST /v1/verify` and `briefing verify`, in strict mode and in the evals.

What it checks, fact by fact (each missing fact is one reason):

* numbers and quantities: digits ("1,250", "4-2", "7.8"), written numbers ("twelve", "three
  million"), percentages, money with its scale ("7.8 billion reais", "$1.2bn"); a scaled number
  must match the scaled value ("7.8 million" is not "7.8 billion"), and an amount given in a
  currency must be in the evidence's currency for it ("18 million dollars" is not "18 million euros");
* ordinals ("fifth", "3rd");
* dates: weekdays, months, years, clock times ("3 p.m." = "15:00");
* proper names (capitalized mid-sentence words and acronyms; in all-lower-case or title-case
  claims, the words the article capitalizes). A name must be in the evidence, or be an alias of an
  actor whose name or alias is; in a lower-case claim, a word the article never uses is a finding;
* polarity: the claim negates what the evidence affirms ("did not block" vs "blocked") or the
  reverse, and opposite verbs ("rejected" vs "approved", "rose" vs "fell");
* who did what: two names in the claim in the reverse order of the evidence around the same verb;
* certainty: a next step marked `confirmed` whose evidence hedges ("may", "expected", "plans").

What it cannot see: a change of meaning in the same words ("the deal was blocked by the court"
vs "the court's block was lifted" when both use the same facts), paraphrased numbers ("50 percent"
in a claim where the quote says "half" is caught as a missing number; "half" or "a quarter" in a
claim is not read as a number), relative dates ("tomorrow"), causality, and anything a
quote implies but does not state. Those need a model (`BRIEFING_VERIFY=llm`).

Claims may come lower-cased or PTB-tokenized ("the company 's shares fell 5 % ."); they are
detokenized before the check, and names are then recognised by the article's own casing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, chain, repeat
from operator import itemgetter
from typing import Literal, NamedTuple

Verdict = Literal["supported", "unsupported", "unverifiable"]

# --- tokenization ------------------------------------------------------------------------------

_PTB = [
    (re.compile(r"-lrb-|-LRB-"), "("),
    (re.compile(r"-rrb-|-RRB-"), ")"),
    (re.compile(r"-lsb-|-LSB-"), "["),
    (re.compile(r"-rsb-|-RSB-"), "]"),
    (re.compile(r"-lcb-|-LCB-"), "{"),
    (re.compile(r"-rcb-|-RCB-"), "}"),
    (re.compile(r"``|''"), '"'),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m|’s)\b", re.IGNORECASE), r"\1"),
    (re.compile(r" ([,.;:!?%)\]}])"), r"\1"),
    (re.compile(r"([(\[{$€£]) "), r"\1"),
    (re.compile(r"(\d) ([.,]) ?(\d)"), r"\1\2\3"),
    (re.compile(r"(\d): (\d\d)\b"), r"\1:\2"),  # a clock time: "23 : 52"
    (re.compile(r"\b([ap])\. ?m\.", re.IGNORECASE), r"\1.m."),  # "7:05 p . m ."
]


# Each substitution above needs one of these in the text; none of them can create another's.
_PTB_MARK = re.compile(r"-[lr][rsc]b-|``|''| n't| '| ’| [,.;:!?%)\]}]|[(\[{$€£] |\d [.,]", re.IGNORECASE)


@lru_cache(maxsize=4096)
def detokenize(text: str) -> str:
    """Undo PTB-style tokenization ("shares fell 5 % ." → "shares fell 5%.") so facts read as usual."""
    if " " not in text or not _PTB_MARK.search(text):
        return text
    for pattern, replacement in _PTB:
        text = pattern.sub(replacement, text)
    return text


def _fold_long(text: str) -> str:
    """`_fold` for a whole text, same length as the text when it is ASCII (offsets line up)."""
    return _fold.__wrapped__(text)


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """Lower case without accents and with plain quotes, for comparing words."""
    text = text.replace("’", "'").replace("‘", "'")
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        # few distinct marks per text: one `replace` each is far faster than `translate` on a long text
        for mark in [c for c in set(decomposed) if unicodedata.combining(c)]:
            decomposed = decomposed.replace(mark, "")
    return decomposed.lower()


_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,:]\d+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9])|\n+")

# Auxiliary and modal verbs: stop words, and the words a negation may follow ("did not", "may not").
AUXILIARIES = frozenset(
    {"is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do", "does"}
    | {"did", "will", "would", "shall", "should", "can", "could", "may", "might", "must"}
)
STOPWORDS = AUXILIARIES | frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "after",
        "before",
        "between",
        "during",
        "than",
        "then",
        "that",
        "this",
        "these",
        "those",
        "there",
        "here",
        "it",
        "its",
        "it's",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "their",
        "our",
        "we",
        "us",
        "you",
        "your",
        "i",
        "me",
        "my",
        "mine",
        "not",
        "no",
        "nor",
        "so",
        "such",
        "also",
        "only",
        "just",
        "very",
        "more",
        "most",
        "less",
        "least",
        "much",
        "many",
        "some",
        "any",
        "each",
        "every",
        "all",
        "both",
        "either",
        "neither",
        "other",
        "another",
        "who",
        "whom",
        "whose",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "while",
        "though",
        "although",
        "because",
        "since",
        "until",
        "unless",
        "up",
        "down",
        "out",
        "off",
        "again",
        "further",
        "once",
        "said",
        "says",
        "say",
        "told",
        "according",
        "than",
        "too",
        "yet",
        "still",
        "even",
        "new",
        "mr",
        "mrs",
        "ms",
        "dr",
        "per",
        "via",
        "against",
        "among",
        "amid",
        "within",
        "without",
        "across",
        "along",
        "around",
        "through",
        "whether",
        "now",
        "today",
        "yesterday",
        "tomorrow",
    ]
)

_CONTENT_MIN = 3


# Irregular past forms of verbs the news uses, to their present ("did not fall" / "fell").
_IRREGULAR = {
    form: base
    for base, forms in {
        "fall": "fell fallen", "rise": "rose risen", "win": "won", "lose": "lost", "begin": "began begun",
        "take": "took taken", "give": "gave given", "sell": "sold", "buy": "bought", "pay": "paid",
        "meet": "met", "hold": "held", "keep": "kept", "bring": "brought", "strike": "struck",
        "spend": "spent", "send": "sent", "build": "built", "tell": "told",
        "find": "found", "choose": "chose chosen", "grow": "grew grown", "know": "knew known",
        "write": "wrote written", "break": "broke broken", "speak": "spoke spoken", "freeze": "froze frozen",
        "fight": "fought", "seek": "sought", "catch": "caught", "drive": "drove driven",
        "withdraw": "withdrew withdrawn", "overtake": "overtook overtaken", "forbid": "forbade forbidden",
        "undertake": "undertook undertaken", "rebuild": "rebuilt", "uphold": "upheld",
    }.items()
    for form in forms.split()
}  # fmt: skip


def _unsuffixed(word: str) -> str:
    """`word` without a possessive and one inflection ending, irregular pasts as their verb."""
    word = word[:-2] if word.endswith("'s") else word
    word = _IRREGULAR.get(word, word)
    for suffix in ("ations", "ation", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _same_word(a: str, b: str) -> bool:
    """One word in two forms ("approved" / "approves"), not two words with one stem ("office" /
    "officer", which `_stem` cuts to the same six letters)."""
    return a == b or _unsuffixed(a) == _unsuffixed(b)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem: enough to see "approved" and "approval" as one word, never a dictionary."""
    return _unsuffixed(word)[:6]


class _Tok(NamedTuple):
    text: str
    low: str
    start: int
    initial: bool  # first word of a sentence, or after an opening quote or colon


_new_tok = tuple.__new__  # builds a `_Tok` without the Python-level `__new__` (a tenth of the time)


_OPENERS = frozenset('.!?:"“‘(\n—')


# Each word with the gap before it (what lies between words can never start one); the gap is
# possessive and the text's end ends the scan, so a long run of punctuation costs linear time.
_GAP_TOKEN = re.compile(r"([\W_]*+)(" + _TOKEN.pattern + r"|\Z)")


@lru_cache(maxsize=2048)
def _tokens(text: str) -> tuple[_Tok, ...]:
    """Words with their folded form and whether they open a sentence (cached: quotes repeat).

    Built list by list (words, folds, offsets, openers), not word by word: this runs on every quote.
    """
    pairs = _GAP_TOKEN.findall(text)
    while pairs and not pairs[-1][1]:
        pairs.pop()  # the text's end
    if not pairs:
        return ()
    gaps, words = zip(*pairs, strict=True)
    joined = "\0".join(words)  # a word has no NUL
    if joined.isascii():
        lows = joined.lower().split("\0")
    else:
        lows = [word.lower() if word.isascii() else _fold(word) for word in words]
    starts = list(accumulate(map(len, chain.from_iterable(pairs))))[::2]
    initials = [True, *[gap.rstrip(" \t")[-1:] in _OPENERS for gap in gaps[1:]]]
    return tuple(map(_new_tok, repeat(_Tok), zip(words, lows, starts, initials, strict=True)))


_LOW = itemgetter(1)  # a `_Tok`'s folded form


class _Text:
    """A claim or an evidence text with its words' derived forms, each computed once (texts repeat:
    one quote backs several items, and the polarity, name and order checks read the same words)."""

    __slots__ = (
        "_datelines",
        "_folded",
        "_prefixes",
        "_stems_at",
        "bare_lows",
        "bare_set",
        "low_set",
        "lows",
        "negation_targets",
        "stems",
        "text",
        "tokens",
    )  # fmt: skip

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokens = _tokens(text)
        self.lows = lows = list(map(_LOW, tokens))
        self.bare_lows = bare = (
            [low[:-2] if low.endswith("'s") else low for low in lows] if "'s" in "\0".join(lows) else lows
        )
        self.bare_set = frozenset(bare)
        self.low_set = frozenset(lows)
        self.stems = list(map(_stem, lows))
        negated = not self.low_set.isdisjoint(NEGATIONS) or _NEG_SUFFIX in " ".join(lows)
        self.negation_targets = _negation_targets(tokens) if negated else []
        self._stems_at: dict[str, list[int]] | None = None
        self._folded: str | None = None
        self._prefixes: frozenset[str] | None = None
        self._datelines: list[tuple[int, int]] | None = None

    @property
    def stems_at(self) -> dict[str, list[int]]:
        if self._stems_at is None:
            places: dict[str, list[int]] = {}
            for index, stem in enumerate(self.stems):
                places.setdefault(stem, []).append(index)
            self._stems_at = places
        return self._stems_at

    @property
    def datelines(self) -> list[tuple[int, int]]:
        """`_dateline_ends` of the text (the spare-number and the spare-name rules both skip them)."""
        if self._datelines is None:
            self._datelines = _dateline_ends(self.text)
        return self._datelines

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = _fold(self.text)
        return self._folded

    @property
    def prefixes(self) -> frozenset[str]:
        if self._prefixes is None:
            self._prefixes = frozenset(_prefix(w) for w in self.bare_set if len(w) >= 5)
        return self._prefixes


@lru_cache(maxsize=2048)
def _text(text: str) -> _Text:
    return _Text(text)


# --- facts -------------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "dozen": 12,
}  # fmt: skip
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20,
}  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTH_ABBR = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_MONTH_NAMES = frozenset(_MONTHS) | frozenset(_MONTH_ABBR)
_WRITTEN = "|".join(sorted(_UNITS, key=len, reverse=True))
_DAY_OR_ORDINAL = re.compile(r"\b(" + "|".join([*_WEEKDAYS, *_ORDINALS]) + r")s?\b")
_WRITTEN_HINTS = tuple(_UNITS)  # an ASCII text without these has no written number
_SCALE = r"(?:[\s-]?(?P<scale>thousand|million|billion|trillion|mln|mn|bn|tn|[kmb])\b)?"
# A number ("1,250", "7.8", "3rd", "5 million") not preceded by a word character or a dot. The
# pattern opens with the first digit (the look-behind after it) so the regex engine skips ahead to
# digits instead of trying every position; it matches what
# `(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)` does.
_NUMBER = re.compile(
    r"(?P<num>\d(?<![\w.]\d)(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?))(?P<ord>st|nd|rd|th)?" + _SCALE,
    re.IGNORECASE,
)
_WRITTEN_NUMBER = re.compile(
    r"\b(?=[otfsenhzd])(?P<num>(?:" + _WRITTEN + r")(?:[- ](?:" + _WRITTEN + r"))*)\b(?P<ord>)" + _SCALE
)
_DIGIT = re.compile(r"\d")
_CURRENCY = frozenset("$€£¥₹")
_RANGE_TO = re.compile(
    r"\s?(?:-|–|to)\s?[$€£]?\d+(?:[.,]\d+)*\s?(?P<scale>thousand|million|billion|trillion|mln|mn|bn|tn)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s?(?P<ap>a\.?m\.?|p\.?m\.?)(?!\w)|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b",
    re.IGNORECASE,
)
# Where a clock time can begin: each `_TIME` match starts with a match of this one (which the regex
# engine finds fast, skipping ahead to digits); a text without one has no time.
_TIME_START = re.compile(r"\d(?:\d?(?:[:.]\d\d)?\s?[ap]\.?m|\d?:\d)", re.IGNORECASE)
# Every weekday, ordinal and month word holds one of these: without them the regexes cannot match.
_DAY_HINTS = ("day", *_ORDINALS)
_MONTH_HINTS = tuple(month[:3] for month in _MONTHS)
# Ambiguous words: "may" and "march" are dates only capitalized mid-sentence or beside a day number.
_MONTH_WORD = re.compile(
    r"\b(?=[jfmasond])(?P<w>"
    + "|".join(_MONTHS)
    + r"|(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?)(?!\w)"
)


def _written_value(text: str) -> float | None:
    total = 0.0
    for part in re.split(r"[- ]", text.lower()):
        if part == "hundred":
            total = (total or 1) * 100
        elif part in _UNITS:
            total += _UNITS[part]
        else:
            return None
    return total


@dataclass
class Facts:
    """The checkable facts of one text (a claim, a quote, or a whole article)."""

    numbers: list[tuple[str, float, float | None]] = field(default_factory=list)  # (shown, value, raw)
    ordinals: set[int] = field(default_factory=set)
    ordinal_shown: dict[int, str] = field(default_factory=dict)
    weekdays: set[str] = field(default_factory=set)
    months: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    times: set[tuple[int, int]] = field(default_factory=set)
    time_shown: dict[tuple[int, int], str] = field(default_factory=dict)
    # the currencies each amount is written in ("18 million euros": {18e6: {"euro"}}); an amount
    # written with none has no entry
    money: dict[float, set[str]] = field(default_factory=dict)

    def number_values(self) -> set[float]:
        # a number's raw value is kept only when it has no scale, where it equals its value
        return {round(value, 6) for _, value, _ in self.numbers}

    @cached_property
    def values(self) -> frozenset[float]:
        """Number values and years, as the check compares them (computed once: Facts are cached)."""
        return frozenset(self.number_values() | {float(y) for y in self.years})

    @cached_property
    def raw_values(self) -> frozenset[float]:
        return frozenset(self.number_values())


# Currencies by family: a symbol, ISO code or word before or after an amount says which it is in.
_CURRENCY_WORDS = {
    "dollar": "dollar dollars usd cad aud nzd hkd sgd", "euro": "euro euros eur",
    "pound": "pound pounds sterling gbp", "yen": "yen jpy", "yuan": "yuan renminbi cny rmb",
    "real": "reais brl", "rupee": "rupee rupees inr", "peso": "peso pesos mxn ars clp cop",
    "shilling": "shilling shillings kes ugx tzs",
    "crown": "crown crowns krona kronor krone kroner sek nok dkk czk",
    "franc": "franc francs chf", "rand": "rand zar", "naira": "naira ngn", "lira": "lira try",
    "zloty": "zloty zlotys pln", "rouble": "rouble roubles ruble rubles rub",
    "forint": "forint forints huf",
    "dinar": "dinar dinars", "dirham": "dirham dirhams aed", "riyal": "riyal riyals sar", "won": "krw",
}  # fmt: skip
_CURRENCY_OF = {word: family for family, words in _CURRENCY_WORDS.items() for word in words.split()}
_SYMBOLS = {"$": "dollar", "€": "euro", "£": "pound", "¥": "yen", "₹": "rupee", "R$": "real"}
_CURRENCY_CODES = frozenset(word for word in _CURRENCY_OF if len(word) == 3 and word.isalpha())
_MONEY_BEFORE = re.compile(
    r"(?:(?P<sym>R\$|[$€£¥₹])|\b(?P<code>[A-Z]{3})\s?|(?<![A-Za-z])(?:US|C|A|NZ|HK|S|CA|AU)(?P<dollar>\$))\s?$"
)
_MONEY_AFTER = re.compile(
    r"\s?(?:(?:US|U\.S\.|Canadian|Australian|Hong Kong|New Zealand|Singapore|Kenyan|Swiss)\s)?"
    r"(?P<word>[A-Za-z]{3,9})\b"
)


def _currency(text: str, start: int, end: int) -> str | None:
    """The currency family an amount at text[start:end] is written in, or None."""
    before = _MONEY_BEFORE.search(text, max(0, start - 5), start)
    if before:
        if before.group("sym"):
            return _SYMBOLS[before.group("sym")]
        if before.group("dollar"):
            return "dollar"
        code = before.group("code").lower()
        if code in _CURRENCY_CODES:
            return _CURRENCY_OF[code]
    after = _MONEY_AFTER.match(text, end)
    if after:
        word = after.group("word").lower()
        if word in _CURRENCY_OF and (len(word) != 3 or after.group("word").isupper() or word == "yen"):
            return _CURRENCY_OF[word]
    return None


MAX_NUMBER_CHARS = 24  # digits (with separators) a quantity can have: "1,000,000,000,000.25"


@lru_cache(maxsize=2048)
def extract_facts(text: str, *, claim: bool = False) -> Facts:
    """Numbers, ordinals, weekdays, months, years and times of `text` (see the module docstring)."""
    facts = Facts()
    low = text.lower()
    time_spans: list[tuple[int, int]] = []
    digits = _DIGIT.search(text) is not None  # times and numbers in digits need a digit
    start = _TIME_START.search(text) if digits else None
    for match in _TIME.finditer(text, start.start()) if start else ():
        if match.group("h24") is not None:
            hour, minute = int(match.group("h24")), int(match.group("m24"))
        else:
            hour, minute = int(match.group("h")) % 12, int(match.group("m") or 0)
            if match.group("ap").lower().startswith("p"):
                hour += 12
            if hour > 23:
                continue
        facts.times.add((hour, minute))
        facts.time_shown[(hour, minute)] = match.group().strip()
        time_spans.append(match.span())
    matches = list(_NUMBER.finditer(text)) if digits else []
    # the word regexes run on the lower-cased text (fast); offsets agree unless lower() changed a length
    same = len(low) == len(text)
    if not text.isascii() or any(hint in low for hint in _WRITTEN_HINTS):
        matches += _WRITTEN_NUMBER.finditer(low if same else text.lower())
    for match in matches:
        if any(start <= match.start() < end for start, end in time_spans):
            continue
        shown = (text[match.start() : match.end()] if same else match.group()).strip()
        raw_text = match.group("num")
        if raw_text[0].isdigit():
            if len(raw_text) > MAX_NUMBER_CHARS:
                continue  # an order number or a hash, not a quantity (and past a float's range)
            raw = float(raw_text.replace(",", ""))
            written = False
        else:
            value = _written_value(raw_text)
            if value is None:
                continue
            raw, written = value, True
        if match.group("ord"):
            if not written:
                facts.ordinals.add(int(raw))
                facts.ordinal_shown[int(raw)] = shown
            continue
        scale_word = (match.group("scale") or "").lower()
        currency = _currency(text, match.start(), match.end())
        if len(scale_word) == 1 and (
            written
            or match.end("num") != match.start("scale")
            or (text[match.start() - 1 : match.start()] not in _CURRENCY and currency is None)
        ):
            scale_word = ""  # "$5m", "€7.8b", "18m euros": a one-letter scale only glued to money
        scale = _SCALES.get(scale_word)
        if scale is None and not written:
            ahead = _RANGE_TO.match(text, match.end())
            if ahead:  # "85-95 million": the scale of a range's second number is the first's too
                scale = _SCALES.get(ahead.group("scale").lower())
        if written and claim and raw == 1 and scale is None:
            continue  # "one of", "no one": too common to be a quantity claim
        if not written and scale is None and "." not in raw_text and "," not in raw_text:
            number = int(raw)
            before = low[max(0, match.start() - 1) : match.start()]
            if 1800 <= number <= 2199 and before not in {"$", "€", "£"}:
                facts.years.add(number)
                continue
        value = raw * scale if scale else raw
        facts.numbers.append((shown, value, None if scale else raw))
        if currency is not None:
            facts.money.setdefault(round(value, 6), set()).add(currency)
    days = any(hint in low for hint in _DAY_HINTS)  # substring tests are far cheaper than the regexes
    for word in set(_DAY_OR_ORDINAL.findall(low)) if days else ():
        if word in _ORDINALS:
            facts.ordinals.add(_ORDINALS[word])
            facts.ordinal_shown.setdefault(_ORDINALS[word], word)
        else:
            facts.weekdays.add(word)
    for match in _MONTH_WORD.finditer(low) if any(hint in low for hint in _MONTH_HINTS) else ():
        word = text[match.start() : match.end()] if same else match.group("w")
        name = _MONTH_ABBR.get(word.lower().rstrip("."), word.lower())
        if name in {"may", "march"} or (len(word) <= 4 and not word.endswith(".")):
            tail = text[match.end() : match.end() + 4]
            head = text[max(0, match.start() - 3) : match.start()]
            before = text[max(0, match.start() - 4) : match.start()]
            capital_mid = word[0].isupper() and not re.search(r"(^|[.!?]\s+)$", before)
            if not (capital_mid or re.match(r"\s?\d", tail) or re.search(r"\d\s?$", head)):
                continue
        facts.months.add(name)
    return facts


# --- names -------------------------------------------------------------------------------------

_NOT_NAMES = (
    frozenset(_WEEKDAYS) | frozenset(_MONTHS) | frozenset(_MONTH_ABBR) | STOPWORDS | {"i"} | _CURRENCY_CODES
)


@dataclass
class Source:
    """An article analysed once: its sentences, vocabulary, and the words it capitalizes."""

    text: str
    sentences: list[tuple[int, int]]
    words: frozenset[str]
    stems: frozenset[str]
    proper: frozenset[str]
    lowered: frozenset[str]
    lowered_stems: frozenset[str]
    sentence_words: list[frozenset[str]]
    facts: Facts
    folded: str = ""

    @cached_property
    def name_pairs(self) -> frozenset[tuple[str, str]]:
        """Folded pairs of adjacent capitalized words ("jane", "doe"): the parts of full names."""
        return frozenset((_fold(a), _fold(_bare(b))) for a, b in _ADJACENT_CAPITALS.findall(self.text))

    @cached_property
    def prefixes(self) -> frozenset[str]:
        """`_prefix` of every word of five letters or more (adjectives of names: "Chilean")."""
        return frozenset(_prefix(w) for w in self.words if len(w) >= 5)


_LOWER_WORD = re.compile(r"(?<![\w'’])[^\W\d_A-Z][\w'’]*")
# The look-behinds come after the capital so that the regex engine can skip ahead to capitals.
_MID_CAPITAL = re.compile(r"[A-Z](?<=[\w,;)] [A-Z])[\w'’]*")
_NAME_PAIR = re.compile(r"([A-Z](?<![\w'’][A-Z])[\w'’]*)(?= [A-Z])")
_ADJACENT_CAPITALS = re.compile(r"(?=(?<![\w'’])([A-Z][\w'’]*) ([A-Z][\w'’]*))")


def _bare(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


@lru_cache(maxsize=64)
def analyse(text: str) -> Source:
    """Analyse an article once (cached: one article serves every item, headline and claim on it).

    Whole-text regexes rather than a loop over words: this runs on every brief.
    """
    sentences: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            sentences.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        sentences.append((start, len(text)))
    folded = _fold_long(text)
    stem = _stem
    per_sentence = [set(_TOKEN.findall(_fold_long(text[begin:end]))) for begin, end in sentences]
    if "σ" in folded or "ς" in folded:  # lower() of a final sigma depends on what follows it
        words = frozenset(map(_bare, set(_TOKEN.findall(folded))))
    else:  # between sentences there are only quotes and spaces: the article's words are theirs
        words = frozenset(map(_bare, set().union(*per_sentence)))
    key = {w: w if w[0].isdigit() else stem(w) for w in set().union(*per_sentence)}
    sentence_words = [frozenset(map(key.__getitem__, found)) for found in per_sentence]
    lowered = frozenset(map(_bare, map(_fold, set(_LOWER_WORD.findall(text)))))
    capitalized = set(map(_bare, map(_fold, set(_MID_CAPITAL.findall(text)) | set(_NAME_PAIR.findall(text)))))
    return Source(
        text=text,
        sentences=sentences,
        words=words,
        stems=frozenset(map(stem, words)),
        proper=frozenset(capitalized - lowered - _NOT_NAMES),
        lowered=lowered,
        lowered_stems=frozenset(map(stem, lowered)),
        sentence_words=sentence_words,
        facts=extract_facts(text),
        folded=folded,
    )


@lru_cache(maxsize=4096)
def _rare(word: str) -> bool:
    """Not a common English word: the bundled tokenizer needs more than one token for " word".

    Lower-cased claims hide names; a word the article never uses that is also rare is most likely
    one ("figueiredo" is 4 tokens, "objected" is 1).
    """
    from briefing.tokens import load_tokenizer

    return len(load_tokenizer(None).encode(" " + word)) > 1


_TITLES = frozenset({"ceo", "cfo", "coo", "mp", "mep", "pm", "gm", "md"})


def _prefix(word: str) -> str:
    """The part of a name its adjective keeps: the first four letters ("chil" of "Chile" / "Chilean")."""
    return word[:4]


def _caseless(tokens: Sequence[_Tok], source: Source | None = None) -> bool:
    """All lower case, or title case: capital letters say nothing about names there.

    Title case is most longer words capitalized, and with the article at hand, a stop word or a
    word the article writes in lower case among them ("Budget Passes With …"): a sentence dense with
    names ("Oristal will appeal to Oksana Pemberton-Ruiz in Düsseldorf") capitalizes only names.
    """
    letters = [t for t in tokens if not t.text[0].isdigit() and len(t.text) > 3]
    if not letters:
        return False
    upper = sum(t.text[0].isupper() for t in letters)
    if upper == 0:  # all lower case, unless it opens with a capital: a sentence that names no one
        return not tokens[0].text[0].isupper()
    if upper / len(letters) < 0.6:
        return False
    return source is None or any(
        t.text[0].isupper()
        and not t.initial
        and (t.low in STOPWORDS or (_bare(t.low) in source.lowered and _bare(t.low) not in source.proper))
        for t in letters
    )


def _names(tokens: Sequence[_Tok], source: Source | None) -> list[list[_Tok]]:
    """Runs of name words in a claim (consecutive capitalized words; article casing when caseless)."""
    caseless = _caseless(tokens, source)
    runs: list[list[_Tok]] = []
    current: list[_Tok] = []
    for index, token in enumerate(tokens):
        word = token.low[:-2] if token.low.endswith("'s") else token.low
        is_name = False
        if word not in _NOT_NAMES and not token.text[0].isdigit():
            if caseless:
                is_name = source is not None and (
                    word in source.proper or _replaces_a_name_part(tokens, index, word, source)
                )
            elif token.text[0].isupper():
                if not token.initial or (source is not None and word in source.proper):
                    is_name = True
                elif (
                    source is not None
                    and word not in source.lowered
                    and _stem(word) not in source.lowered_stems
                    and (
                        token.text.isupper()
                        or _rare(word)
                        or _replaces_a_name_part(tokens, index, word, source)
                    )
                ):
                    # sentence-initial, a word the article never uses, and an acronym, a rare word or
                    # a changed part of a full name of the article:
                    # "CADE …", "Figueiredo …" are names, "Partial recount …" is not
                    is_name = True
        if is_name and len(word) > 1:
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _replaces_a_name_part(tokens: Sequence[_Tok], index: int, word: str, source: Source) -> bool:
    """In a title-case claim, a capitalized word the article never uses, next to a name the article
    writes with another word on that side: a changed first name or surname ("Jane Smith" where the
    article has "Jane Doe"). Other unknown words of such a claim ("Quits") are no names."""
    if not tokens[index].text[0].isupper() or word in source.words or _stem(word) in source.stems:
        return False
    pairs = source.name_pairs
    if index + 1 < len(tokens):
        after = _bare(tokens[index + 1].low)
        if after in source.proper and any(right == after and left != word for left, right in pairs):
            return True
    if index > 0:
        before = tokens[index - 1].low
        if before in source.proper and any(left == before and right != word for left, right in pairs):
            return True
    return False


# --- polarity ----------------------------------------------------------------------------------

NEGATIONS = frozenset({"not", "no", "never", "without", "neither", "nor", "none", "nobody", "nothing"})
_NEG_SUFFIX = "n't"
_AUX = AUXILIARIES | frozenset(
    [
        "longer",
        "yet",
        "also",
        "still",
        "ever",
        "even",
        "already",
    ]
)
_NEGATION_STEMS = frozenset({_stem(n) for n in NEGATIONS} | {_stem(a) for a in _AUX})
# Opposite word families: a claim word from one side, with only the other side in the evidence.
_OPPOSITES = [
    ("approve approved approves approval accept accepted accepts clear cleared clears allow allowed "
     "allows authorised authorized passed", "reject rejected rejects rejection block blocked blocks "
     "ban banned bans refuse refused refuses veto vetoed deny denied"),
    ("win won wins winning", "lose lost loses losing"),
    ("rise rose rises risen increase increased increases higher up gain gained gains grew grow",
     "fall fell falls fallen decrease decreased decreases lower down drop dropped drops shrank"),
    ("confirm confirmed confirms admit admitted admits", "deny denied denies"),
    ("support supported supports backed backs favour favor", "oppose opposed opposes"),
    ("more", "fewer less"), ("above", "below"), ("before", "after"),
    ("open opened opens reopen reopened", "close closed closes shut"),
    ("start started starts begin began begins resume resumed resumes", "end ended ends stop stopped "
     "stops suspend suspended suspends halt halted"),
    ("lift lifted lifts", "impose imposed imposes"),
    ("acquitted acquit", "convicted convict"), ("guilty", "innocent"), ("legal", "illegal"),
    ("upheld uphold upholds", "overturned overturn overturns quashed"),
    ("join joined joins", "leave left leaves quit"), ("profit profits", "loss losses"),
    ("strengthen strengthened", "weaken weakened"), ("raise raised raises", "cut cuts lowered"),
]  # fmt: skip
ANTONYMS: dict[str, frozenset[str]] = {}
for _left, _right in _OPPOSITES:
    for _side, _other in ((_left.split(), _right.split()), (_right.split(), _left.split())):
        for _word in _side:
            ANTONYMS[_word] = ANTONYMS.get(_word, frozenset()) | frozenset(_other)
# every word with the same opposites as a word: its own side of the family
_FAMILY: dict[str, frozenset[str]] = {
    word: frozenset({word} | {w for w in ANTONYMS if ANTONYMS[w] == opposites})
    for word, opposites in ANTONYMS.items()
}
HEDGES = frozenset(
    [
        "may",
        "might",
        "could",
        "expected",
        "expects",
        "expect",
        "plan",
        "plans",
        "planned",
        "planning",
        "aims",
        "aim",
        "intends",
        "intend",
        "considering",
        "consider",
        "considers",
        "hope",
        "hopes",
        "hoped",
        "likely",
        "possibly",
        "potentially",
    ]
)
HEDGE_WINDOW = 6
HEDGE_VERBS = frozenset({"plan", "plans", "aim", "aims"})  # hedges when "to" follows


_NEGATING_VERBS = frozenset({"failed", "refused", "declined", "refuses", "declines", "refuse", "decline"})
NEGATION_REACH = 4  # a negation applies to the first content word at most this many words on


def _is_negation(tokens: Sequence[_Tok], index: int) -> bool:
    """Does the word at `index` negate what follows it?

    Not in "more likely than not", nor in "not … until" (the thing happened, later: "not approved
    until July 21" says it was approved on July 21).
    """
    low = tokens[index].low
    if not (low in NEGATIONS or low.endswith(_NEG_SUFFIX)):
        return False
    if low == "not" and index and tokens[index - 1].low == "than":
        return False
    for ahead in range(index + 1, min(index + NEGATION_REACH + 3, len(tokens))):
        if tokens[ahead].initial:
            break
        if tokens[ahead].low == "until":
            return False
    return True


def _negated_at(tokens: Sequence[_Tok], index: int) -> bool:
    """Is the word at `index` negated by one of the five words before it, in its own sentence?

    Words may sit between ("does not represent the company's plan", "failed to produce a binding
    result"): a plain statement is then not taken for an affirmation the claim contradicts.
    """
    for back in range(1, NEGATION_REACH + 2):
        position = index - back
        if position < 0 or tokens[position + 1].initial or _opens_a_clause(tokens, position + 1):
            return False
        low = tokens[position].low
        if low in _NEGATING_VERBS or _is_negation(tokens, position):
            return True
    return False


# "no new fossil fuel language", "without further talks": what is denied is more of the thing,
# which the evidence stating the thing itself does not contradict
_NOVELTY = frozenset({"new", "further", "additional", "fresh", "extra"})


# Conjunctions that open a new clause after a comma ("did not rise, and the board rejected …"): a
# negation before them does not reach past them.
_CLAUSE_OPENERS = frozenset({"and", "but", "while", "whereas", "although", "though", "which", "who", "yet"})


def _gap_before(tokens: Sequence[_Tok], at: int) -> int:
    """How many characters lie between tokens[at] and the word before it (1: a single space)."""
    before = tokens[at - 1]
    return tokens[at].start - before.start - len(before.text)


def _opens_a_clause(tokens: Sequence[_Tok], at: int) -> bool:
    """Is tokens[at] a conjunction after punctuation (a gap wider than one space: ", and")?"""
    return at > 0 and tokens[at].low in _CLAUSE_OPENERS and _gap_before(tokens, at) > 1


def _negation_targets(tokens: Sequence[_Tok]) -> list[int]:
    """Indexes of the content words that a negation applies to ("did not [block]"), in its sentence.

    A number is passed over ("no 2035 [deadline]"; "without 2035" negates nothing checkable: the
    number itself is checked as a fact), and a negation of more of a thing ("no new …") has none.
    """
    targets: list[int] = []
    for index in range(len(tokens)):
        if _is_negation(tokens, index):  # "no longer [backs]": "longer" is skipped like an auxiliary
            for ahead in range(index + 1, min(index + 5, len(tokens))):
                if tokens[ahead].initial:
                    break
                word = tokens[ahead].low
                if word in _NOVELTY:
                    break
                if word[0].isdigit():
                    if ahead + 1 == len(tokens) or _gap_before(tokens, ahead + 1) != 1:
                        break  # "without 2035, …": the number ends the phrase
                    continue
                if word in _AUX or word in STOPWORDS or word in NEGATIONS:
                    continue
                if not tokens[ahead].text[0].isupper():
                    targets.append(ahead)
                break
    return targets


# --- the check ---------------------------------------------------------------------------------


@dataclass
class ClaimResult:
    """One claim's verdict, score (0..1, higher = better supported), reasons and evidence spans."""

    text: str
    verdict: Verdict
    score: float
    reasons: list[str]
    evidence: list[tuple[int, int]] = field(default_factory=list)


def _content(tokens: Iterable[_Tok]) -> list[str]:
    return [
        t.low if t.text[0].isdigit() else _stem(t.low)
        for t in tokens
        if t.text[0].isdigit() or (t.low not in STOPWORDS and len(t.low) >= _CONTENT_MIN)
    ]


def _fmt(value: float) -> str:
    return f"{value:,.6g}" if value >= 10_000 else f"{value:g}"


def check_claim(
    claim: str,
    evidence: Sequence[str],
    *,
    source: Source | None = None,
    aliases: Sequence[Sequence[str]] = (),
    confirmed: bool = False,
    evidence_name: str = "its evidence",
    context: str | None = None,
    open_facts: bool = False,
) -> list[str]:
    """The reasons `claim` is not backed by `evidence` (empty: every fact it states is there).

    `aliases` are groups of names for one actor: a name is backed when any name of its group is
    in the evidence. `source` (the analysed article) tells names from words in caseless claims.
    `confirmed` asks that the evidence state the thing without a hedge. With `context` (a whole
    article), numbers, dates and names are looked up there and only polarity in `evidence`.
    `open_facts` (free-standing claims, whose evidence was chosen by word overlap): a number, date or
    name the evidence lacks but the article has is accepted unless the evidence holds one of the same
    kind that the claim leaves unused (the sign of a swap).
    """
    claim = detokenize(claim)
    # a quote of hard-wrapped text spans lines; only the breaks between quotes end a sentence
    joined = " \n ".join(quote.replace("\n", " ") if "\n" in quote else quote for quote in evidence)
    facts_text = joined if context is None else context
    claim_text, evidence_text = _text(claim), _text(joined)
    claim_tokens, evidence_tokens = claim_text.tokens, evidence_text.tokens
    reasons: list[str] = []

    claim_facts = extract_facts(claim, claim=True)
    evidence_facts = (
        source.facts if source is not None and context is source.text else extract_facts(facts_text)
    )
    values = evidence_facts.values
    article_values = source.facts.values if open_facts and source is not None else frozenset()
    # a number the evidence lacks but the article has is accepted unless an unused number of the
    # evidence stands next to the same words (the sign of a changed number: "4,100 jobs" / "4,511 jobs")
    # (a year is the spare of a year only: "its 2026 budget" does not make "May 26" a changed number)
    spare_around: set[str] = set()
    spare_years_around: set[str] = set()
    if open_facts:
        claim_values = claim_facts.values
        spare_shown = [
            shown
            for shown, value, raw in evidence_facts.numbers
            if round(value, 6) not in claim_values and (raw is None or round(raw, 6) not in claim_values)
        ]
        spare_years = [str(year) for year in evidence_facts.years if float(year) not in claim_values]
        filed = evidence_text.datelines
        spare_around = _contexts(evidence_tokens, spare_shown, skip=filed)
        spare_years_around = _contexts(evidence_tokens, spare_years, skip=filed)
    for shown, value, raw in claim_facts.numbers:
        if round(value, 6) in values:
            continue
        if raw is not None and raw == value and round(raw, 6) in values:
            continue
        if round(value, 6) in article_values and not _contexts(claim_tokens, [shown]) & spare_around:
            continue
        reasons.append(f'number "{shown}" not in {evidence_name}')
    for value, currencies in claim_facts.money.items():
        stated = evidence_facts.money.get(value)
        if stated and not currencies & stated:
            shown = next(text for text, number, _ in claim_facts.numbers if round(number, 6) == value)
            reasons.append(
                f'currency: "{shown}" in {_plural(sorted(currencies)[0])} where {evidence_name} has '
                f"{_plural(sorted(stated)[0])}"
            )
    # an ordinal or a clock time the evidence lacks but the article has is accepted unless the
    # evidence holds one the claim leaves unused ("the second draft" / "the first draft")
    article_ordinals = source.facts.ordinals if open_facts and source is not None else set()
    spare_ordinal = bool(evidence_facts.ordinals - claim_facts.ordinals)
    for ordinal in sorted(claim_facts.ordinals - evidence_facts.ordinals):
        if not spare_ordinal and ordinal in article_ordinals:
            continue
        reasons.append(f'ordinal "{claim_facts.ordinal_shown[ordinal]}" not in {evidence_name}')
    for year in sorted(claim_facts.years - evidence_facts.years):
        if float(year) in article_values and not _contexts(claim_tokens, [str(year)]) & spare_years_around:
            continue
        if float(year) not in evidence_facts.raw_values:
            reasons.append(f'year "{year}" not in {evidence_name}')
    article_dates = (
        source.facts.weekdays | source.facts.months if open_facts and source is not None else set()
    )
    spare_date = bool(
        (evidence_facts.weekdays | evidence_facts.months) - claim_facts.weekdays - claim_facts.months
    )
    for day in sorted(
        (claim_facts.weekdays - evidence_facts.weekdays) | (claim_facts.months - evidence_facts.months)
    ):
        if open_facts and not spare_date and day in article_dates:
            continue
        reasons.append(f'date "{day.capitalize()}" not in {evidence_name}')
    article_times = source.facts.times if open_facts and source is not None else set()
    spare_time = bool(evidence_facts.times - claim_facts.times)
    for when in sorted(claim_facts.times - evidence_facts.times):
        if not spare_time and when in article_times:
            continue
        reasons.append(f'time "{claim_facts.time_shown[when]}" not in {evidence_name}')

    runs = _names(claim_tokens, source)
    reasons += _missing_names(
        claim,
        claim_tokens,
        runs,
        evidence_text,
        source,
        aliases,
        context,
        open_facts,
        evidence_name,
    )
    if source is not None and claim_tokens and all(not t.text[0].isupper() for t in claim_tokens):
        named = {t.low for run in runs for t in run}
        for token in claim_tokens:
            word = token.low[:-2] if token.low.endswith("'s") else token.low
            if (
                word not in named
                and word not in _NOT_NAMES
                and word.isalpha()
                and len(word) >= 4
                and word not in source.words
                and _stem(word) not in source.stems
                and _rare(word)
                and word not in _initials(evidence_tokens)
                and not _a_form_of_an_article_word(word, source)
            ):
                reasons.append(f'word "{token.text}" not in the article (a name?)')

    reasons += _polarity(claim_text, evidence_text, evidence_name)
    reasons += _order(claim_text, evidence_text, runs)
    if confirmed:
        reasons += _hedged(claim_tokens, evidence_tokens, evidence_name)
    return reasons


_SAME_PLURAL = frozenset({"yen", "yuan", "rand", "naira", "won"})


def _plural(family: str) -> str:
    """How a currency family reads in a reason ("in euros", "in reais", "in yen")."""
    if family == "real":
        return "reais"
    return family if family in _SAME_PLURAL else family + "s"


CONTEXT_WORDS = 2  # content words each side of a number that say what it counts


def _contexts(
    tokens: Sequence[_Tok], shown: Iterable[str], *, skip: Sequence[tuple[int, int]] = ()
) -> set[str]:
    """The content words next to each occurrence of these facts (their units: "4,100 [jobs]"),
    outside the `skip` spans (a wire dateline's date says when a story was filed, not what it
    counts)."""
    firsts = set()
    for text in shown:
        first = _TOKEN.search(text)
        if first:
            firsts.add(_fold(first.group()))
    out: set[str] = set()
    if not firsts:
        return out
    for index, token in enumerate(tokens):
        if token.low in firsts and not any(begin <= token.start < end for begin, end in skip):
            out |= _around(tokens, index, index, CONTEXT_WORDS)
    return out


def _around(tokens: Sequence[_Tok], first: int, last: int, width: int) -> set[str]:
    """Stems of up to `width` content words each side of tokens[first:last + 1], in its sentence."""
    out: set[str] = set()
    for step in (-1, 1):
        i, taken = (first - 1 if step < 0 else last + 1), 0
        while 0 <= i < len(tokens) and taken < width:
            if (step > 0 and tokens[i].initial) or (step < 0 and tokens[i + 1].initial):
                break
            low = _bare(tokens[i].low)
            i += step
            if low in STOPWORDS or len(low) < _CONTENT_MIN or low[0].isdigit() or low in _SCALES:
                continue
            out.add(_stem(low))
            taken += 1
    return out


def _missing_names(
    claim: str,
    claim_tokens: Sequence[_Tok],
    runs: list[list[_Tok]],
    evidence_text: _Text,
    source: Source | None,
    aliases: Sequence[Sequence[str]],
    context: str | None,
    open_facts: bool,
    evidence_name: str,
) -> list[str]:
    """A reason per run of name words in the claim that its evidence (or aliases) does not back."""
    if not runs:
        return []
    reasons: list[str] = []
    whole = source is not None and context is source.text
    evidence_tokens = evidence_text.tokens
    if context is None:
        evidence_words: Set[str] = evidence_text.bare_set
        evidence_folded = evidence_text.folded
    elif whole:
        evidence_words = source.words  # type: ignore[union-attr]
        evidence_folded = source.folded  # type: ignore[union-attr]
    else:
        evidence_words = {_fold(w) for w in _TOKEN.findall(context)}
        evidence_folded = _fold(context)
    groups = _alias_words(tuple(map(tuple, aliases)))
    evidence_prefixes: Set[str] | None = None
    spare_name = spare_place = False
    if open_facts and source is not None:
        claim_prefixes = {_prefix(t.low) for t in claim_tokens}
        filed = evidence_text.datelines
        placed = _places(evidence_tokens)
        spares = [
            index in placed
            for index, t in enumerate(evidence_tokens)
            if t.text[0].isupper()  # sentence-initial too: "Ekberg denied the charge"
            and t.low in source.proper
            and t.low not in _TITLES
            and _prefix(_bare(t.low)) not in claim_prefixes
            and not any(begin <= t.start < end for begin, end in filed)
        ]
        spare_name = not all(spares)
        spare_place = any(spares)
    caseless = _caseless(claim_tokens, source)
    for run in runs:
        missing: list[_Tok] = []
        elsewhere: list[_Tok] = []  # in the article, not in the evidence (free-standing claims only)
        for token in run:
            word = token.low[:-2] if token.low.endswith("'s") else token.low
            if word in evidence_words or (
                len(word) > 3 and (_inflected_in(word, evidence_folded) or _stem_in(word, evidence_words))
            ):
                continue
            if word in _TITLES:
                continue  # "CEO"
            acronym = 2 <= len(word) <= 6 and (token.text.isupper() or caseless)
            if acronym and word in _initials(evidence_tokens):
                continue  # "EU" for "European Union", "NCDC" for "Nigeria Centre for Disease Control"
            if len(word) >= 6:
                if evidence_prefixes is None:
                    evidence_prefixes = (
                        source.prefixes  # type: ignore[union-attr]
                        if whole
                        else evidence_text.prefixes
                        if context is None
                        else {_prefix(w) for w in evidence_words if len(w) >= 5}
                    )
                if _prefix(word) in evidence_prefixes:
                    continue  # "Chilean" for "Chile", "Estonian" for "Estonia"
            if any(word in group and group & evidence_words for group in groups):
                continue
            if open_facts and source is not None and word in source.words:
                elsewhere.append(token)
                continue
            missing.append(token)
        date_slot = open_facts and _in_a_date_slot(claim_tokens, run, evidence_tokens)
        role = (
            _role_of(claim_tokens, run, evidence_text, source, caseless)
            if elsewhere and not missing
            else None
        )
        if role is not None:
            # the evidence names the role, not the person ("Portugal's president dissolved
            # parliament"): the name is backed where the article gives it that role
            if not _titled(role, run, source):  # type: ignore[arg-type]
                missing = elsewhere
        elif (
            elsewhere
            and not missing
            and (spare_name or date_slot or (spare_place and _after_a_locative(claim_tokens, run)))
            and not _named_by_its_noun(run, elsewhere, source)  # type: ignore[arg-type]
        ):
            missing = elsewhere
        if missing:
            shown = claim[run[0].start : run[-1].start + len(run[-1].text)]
            reasons.append(f'name "{shown}" not in {evidence_name}')
    return reasons


_LOCATIVE = frozenset({"in", "at", "from", "near", "outside", "inside"})


def _places(tokens: Sequence[_Tok]) -> set[int]:
    """Indexes of the capitalized words a locative preposition puts in a place ("talks in Quito",
    "a warehouse in Laguna"): a place of the evidence is no sign that a claim's actor was swapped."""
    places: set[int] = set()
    for index, token in enumerate(tokens):
        if token.text[0].isupper() and not token.initial and index:
            before = tokens[index - 1]
            if before.low in _LOCATIVE or (index - 1 in places and not before.initial):
                places.add(index)
    return places


def _after_a_locative(tokens: Sequence[_Tok], run: Sequence[_Tok]) -> bool:
    """Does a locative preposition put the claim's name in a place ("will meet in Brask")?"""
    at = tokens.index(run[0])
    return at > 0 and tokens[at - 1].low in _LOCATIVE


# What a name may gain and still be that name: demonyms ("Iran" / "Iranian", "Gaza" / "Gazans")
# and plurals; any other ending is another word ("Paul" / "Paula").
NAME_ENDINGS = frozenset(
    {"s", "es", "n", "ns", "an", "ans", "ian", "ians", "vian", "vians", "i", "is", "ese", "lese", "ish"}
    | {"ien", "ite", "ites", "ism", "ist", "ists"}
)


def _stem_in(word: str, words: Set[str]) -> bool:
    """Is `word` a word of `words` (of four letters or more) plus one of the `NAME_ENDINGS`?"""
    return any(
        word.endswith(ending) and len(word) - len(ending) >= 4 and word[: -len(ending)] in words
        for ending in NAME_ENDINGS
    )


def _inflected_in(word: str, folded: str) -> bool:
    """Is `word` a word of `folded` with at most one of the `NAME_ENDINGS`?"""
    for match in re.finditer(r"(?<![^\W\d_])" + re.escape(word) + r"([^\W\d_]*)", folded):
        if not match.group(1) or match.group(1) in NAME_ENDINGS:
            return True
    return False


# A wire dateline: the place, date and agency a story was filed from ("LIMA, May 22 (Cordillera News
# Agency) —", or its tail "12 (South Atlantic Business Wire) —" where a sentence split cut it)
_DATELINE = re.compile(
    r"(?:^|(?<=\n ))(?:[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+){0,3}(?:,[^—–()\n]{0,30})?|\d{1,2})"
    r"\s*(?:\([^()\n]{1,40}\))?\s*[—–]\s"
)


def _dateline_ends(text: str) -> list[tuple[int, int]]:
    """The spans of the datelines that open the quotes of `text`: their names say where and through
    whom a story was filed, not who acts in it."""
    if "—" not in text and "–" not in text:
        return []
    return [match.span() for match in _DATELINE.finditer(text)]


def _a_form_of_an_article_word(word: str, source: Source) -> bool:
    """A lower-case claim word that shares its first five letters (four of a five-letter word) with
    a word the article writes in lower case is a form of that word ("expels" / "expelled", "vaped" /
    "vape"), not a hidden name."""
    size = 5 if len(word) > 5 else len(word) - 1
    return size >= 4 and any(other.startswith(word[:size]) for other in source.lowered)


_INITIAL_LINKS = frozenset({"of", "for", "the", "and", "on", "de", "du", "des", "la", "le", "del", "di"})


def _initials(tokens: Sequence[_Tok]) -> frozenset[str]:
    """The initials of each run of capitalized words in a text, small link words left out ("eu" of
    "European Union", "ncdc" of "Nigeria Centre for Disease Control")."""
    found: set[str] = set()
    letters = ""
    for token in (*tokens, None):
        if token is not None and token.text[0].isupper() and token.text.isalpha():
            if letters or token.low not in _INITIAL_LINKS:  # "The" opening a sentence is no initial
                letters += token.low[0]
            continue
        if token is not None and letters and token.low in _INITIAL_LINKS:
            continue
        if len(letters) >= 2:
            found.add(letters)
        letters = ""
    return frozenset(found)


def _role_of(
    claim_tokens: Sequence[_Tok], run: list[_Tok], evidence_text: _Text, source: Source | None, caseless: bool
) -> str | None:
    """The title before a claim's name ("President" of "President Teresa Albuquerque") when the
    evidence has it as a common noun ("Portugal's president") and the article writes it in lower case."""
    if source is None:
        return None
    at = claim_tokens.index(run[0])
    if at == 0:
        return None
    title = claim_tokens[at - 1]
    if not (title.text[0].isupper() or caseless):
        return None
    if title.low not in evidence_text.low_set or title.low not in source.lowered:
        return None
    if title.low in STOPWORDS:
        return None
    # a title: the article also writes it capitalized before a name ("President Teresa Albuquerque
    # announced …"); in a lower-case claim only that tells a title from a verb
    written = title.low[:1].upper() + title.low[1:]
    if not re.search(r"(?<![\w'’])" + re.escape(written) + r" [A-Z]", source.text):
        return None
    return title.low


def _titled(role: str, run: list[_Tok], source: Source) -> bool:
    """Does the article put this role right before this name ("President Teresa Albuquerque")?"""
    return _written_together([role, *(_bare(t.low) for t in run)], source.folded)


def _in_a_date_slot(claim_tokens: Sequence[_Tok], run: list[_Tok], evidence_tokens: Sequence[_Tok]) -> bool:
    """The name stands where a date would ("vote on Aurelis 18"): a day number follows it, and the
    evidence has a month the claim does not."""
    after = claim_tokens.index(run[-1]) + 1
    if after >= len(claim_tokens) or not claim_tokens[after].text.isdigit():
        return False
    if not 1 <= int(claim_tokens[after].text) <= 31:
        return False
    claim_lows = {t.low for t in claim_tokens}
    return any(t.low in _MONTH_NAMES and t.low not in claim_lows for t in evidence_tokens)


def _named_by_its_noun(run: list[_Tok], elsewhere: list[_Tok], source: Source) -> bool:
    """Does the evidence call this name by its common noun ("the Commission", "the court") while the
    article has the full name ("European Commission", "Düsseldorf Regional Court")?

    Only words the article also writes in lower case count as the noun: a swapped-in name that shares
    a surname with the evidence ("Claire Dumontet" for "Dumontet") is still a finding.
    """
    named = [t for t in run if t not in elsewhere]
    if not named or any(_bare(t.low) not in source.lowered for t in named):
        return False
    return _written_together([_bare(t.low) for t in run], source.folded)


def _written_together(words: Sequence[str], folded: str) -> bool:
    """Does `folded` hold these words in this order, with nothing but non-word characters between?"""
    pattern = r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)"
    return re.search(pattern, folded) is not None


@lru_cache(maxsize=256)
def _alias_words(aliases: tuple[tuple[str, ...], ...]) -> list[set[str]]:
    """The folded words of each actor's names (once per brief: every item reads the same groups),
    without stop words: "the" of an alias "the minister" would back the name in any evidence."""
    return [{_fold(w) for name in group for w in _TOKEN.findall(name)} - STOPWORDS for group in aliases]


def _hedged(claim_tokens: Sequence[_Tok], evidence_tokens: Sequence[_Tok], evidence_name: str) -> list[str]:
    """A "confirmed" claim whose evidence hedges near the words it shares with the claim (also when
    the claim repeats the hedge: "is expected to" is not confirmed). A noun among `HEDGE_VERBS` is
    no hedge: "plan" hedges only as a verb ("plans to strike", not "approved the plan")."""
    wanted = set(_content(claim_tokens))
    near = [
        i for i, t in enumerate(evidence_tokens) if (t.low if t.text[0].isdigit() else _stem(t.low)) in wanted
    ]
    hedges = sorted(
        {
            t.low
            for i, t in enumerate(evidence_tokens)
            if t.low in HEDGES
            and t.text[0].islower()
            and (
                t.low not in HEDGE_VERBS
                or (i + 1 < len(evidence_tokens) and evidence_tokens[i + 1].low == "to")
            )
            and any(abs(i - j) <= HEDGE_WINDOW for j in near)
        }
    )
    if hedges:
        return [f'certainty "confirmed" but {evidence_name} hedges ("{hedges[0]}")']
    return []


def _polarity(claim_text: _Text, evidence_text: _Text, evidence_name: str) -> list[str]:
    reasons: list[str] = []
    claim, evidence = claim_text.tokens, evidence_text.tokens
    stems_at = evidence_text.stems_at
    claim_stems = set(claim_text.stems)
    claim_targets = claim_text.negation_targets
    # the claim negates a word the evidence states plainly
    for index in claim_targets:
        places = stems_at.get(claim_text.stems[index], [])
        if places and not any(
            _negated_at(evidence, place) or _conditional_at(evidence, place) for place in places
        ):
            reasons.append(f'negation: says "not {claim[index].text}" where {evidence_name} affirms it')
    # the evidence negates a word the claim states plainly
    claim_negated = {claim_text.stems[i] for i in claim_targets}
    evidence_stems = evidence_text.stems
    for index in evidence_text.negation_targets:
        stem = evidence_stems[index]
        if any(not _negated_at(evidence, place) for place in stems_at.get(stem, [])):
            continue  # the evidence also states it plainly ("without a plan" … "submit a plan")
        if stem in claim_stems and stem not in claim_negated:
            if not any(
                _same_word(claim[place].low, evidence[index].low) for place in claim_text.stems_at[stem]
            ):
                continue  # one six-letter stem, two words: "not in office" says nothing of an "officer"
            if _adverb_of_another_word(evidence, evidence_stems, index, claim_stems):
                continue  # "had not been properly sealed" says nothing of "was handled properly"
            if any(_negated_at(claim, place) for place in claim_text.stems_at.get(stem, [])):
                continue  # the claim negates it too, by a verb ("refuses to join" / "will not join")
            context = {
                evidence_stems[j] for j in range(max(0, index - 4), index) if evidence[j].low not in STOPWORDS
            }
            context -= _NEGATION_STEMS
            if not context or context & claim_stems:
                reasons.append(f'negation: affirms "{evidence[index].text}" where {evidence_name} negates it')
    # opposite verbs
    evidence_lows = evidence_text.low_set
    for index, token in enumerate(claim):
        opposites = ANTONYMS.get(token.low)
        if not opposites or _negated_at(claim, index):
            continue
        said = sorted(opposites & evidence_lows)
        if not said or _said_by_the_claim_elsewhere(claim_text, index, evidence_text, opposites):
            continue
        if claim_text.stems[index] in stems_at or _FAMILY[token.low] & evidence_lows:
            # both sides in the evidence ("A rose 14.5%, while B fell 3%"): the one beside the
            # claim's own words is what the evidence says of them
            opposite = _nearer_opposite(claim_text, index, evidence_text, opposites)
            if opposite is not None:
                reasons.append(f'polarity: "{token.text}" where {evidence_name} says "{opposite}"')
            continue
        if token.low in _CONVERSES and (
            _converse(claim_text, index, evidence_text, opposites)
            or not _said_of_the_same(claim_text, index, evidence_text, opposites)
        ):
            continue  # "A after B" for "B before A"; "before the inquiry" is no order in time
        reasons.append(f'polarity: "{token.text}" where {evidence_name} says "{said[0]}"')
    return list(dict.fromkeys(reasons))


_CONVERSES = frozenset({"before", "after", "above", "below"})


def _side(tokens: Sequence[_Tok], stems: Sequence[str], at: int, step: int) -> set[str]:
    """Content stems within `SIDE_WINDOW` words on one side of tokens[at], in its sentence."""
    out: set[str] = set()
    i = at + step
    while 0 <= i < len(tokens) and abs(i - at) <= SIDE_WINDOW:
        if (step > 0 and tokens[i].initial) or (step < 0 and tokens[i + 1].initial):
            break
        low = tokens[i].low
        if low not in STOPWORDS and (len(low) >= _CONTENT_MIN or low[0].isdigit()):
            out.add(stems[i])
        i += step
    return out


def _said_of_the_same(claim_text: _Text, index: int, evidence_text: _Text, opposites: frozenset[str]) -> bool:
    """Does an opposite word of the evidence stand beside words the claim's word stands beside
    ("before the inquiry" is no time order of the claim's "after a cluster was identified")?"""
    around = _beside(claim_text.tokens, claim_text.stems, index)
    return any(
        around & _beside(evidence_text.tokens, evidence_text.stems, at)
        for at, token in enumerate(evidence_text.tokens)
        if token.low in opposites
    )


def _converse(claim_text: _Text, index: int, evidence_text: _Text, opposites: frozenset[str]) -> bool:
    """ "A came after B" where the evidence says "B … before A": the opposite word with the two
    sides swapped says the same thing."""
    left = _side(claim_text.tokens, claim_text.stems, index, -1)
    right = _side(claim_text.tokens, claim_text.stems, index, 1)
    for at, token in enumerate(evidence_text.tokens):
        if token.low in opposites:
            their_left = _side(evidence_text.tokens, evidence_text.stems, at, -1)
            their_right = _side(evidence_text.tokens, evidence_text.stems, at, 1)
            if left & their_right and right & their_left:
                return True
    return False


def _conditional_at(tokens: Sequence[_Tok], index: int) -> bool:
    """Is the word stated only on a condition ("is binding only if turnout reaches 35 per cent")?
    Then a claim that it is not (the condition unmet) does not contradict it."""
    ahead: list[str] = []
    for token in tokens[index + 1 : index + 3]:
        if token.initial:
            break
        ahead.append(token.low)
    return ahead[:1] == ["unless"] or ahead[:2] in (["only", "if"], ["only", "when"])


def _adverb_of_another_word(
    tokens: Sequence[_Tok], stems: Sequence[str], index: int, claim_stems: Set[str]
) -> bool:
    """Is the negated word a manner adverb ("properly") of a next word the claim does not share?"""
    low = tokens[index].low
    after = index + 1
    if not low.endswith("ly") or len(low) < 5 or after >= len(tokens) or tokens[after].initial:
        return False
    if tokens[after].low in STOPWORDS or not tokens[after].text[0].isalpha():
        return False
    return stems[after] not in claim_stems


SIDE_WINDOW = 6  # words each side of a verb that tell what it is said of


def _beside(tokens: Sequence[_Tok], stems: Sequence[str], at: int) -> set[str]:
    """Content stems within `SIDE_WINDOW` words of tokens[at], in its sentence."""
    return _side(tokens, stems, at, -1) | _side(tokens, stems, at, 1)


def _said_by_the_claim_elsewhere(
    claim_text: _Text, index: int, evidence_text: _Text, opposites: frozenset[str]
) -> bool:
    """The claim says the evidence's opposite word too, of the words the evidence says it of ("wants
    to raise the charge … and cut traffic" for "wants to raise the charge"): backed, not denied."""
    claim, stems = claim_text.tokens, claim_text.stems
    others = [j for j, token in enumerate(claim) if token.low in opposites]
    if not others:
        return False
    mine = _beside(claim, stems, index)
    theirs = [_beside(claim, stems, j) for j in others]
    for at, token in enumerate(evidence_text.tokens):
        if token.low in opposites:
            there = _beside(evidence_text.tokens, evidence_text.stems, at)
            if not any(len(words & there) > len(mine & there) for words in theirs):
                return False
    return True


def _nearer_opposite(
    claim_text: _Text, index: int, evidence_text: _Text, opposites: frozenset[str]
) -> str | None:
    """The opposite of the claim's word that stands beside more of the claim's words in the evidence
    than any form of the word itself does, or None."""
    claim_words = _beside(claim_text.tokens, claim_text.stems, index)
    if not claim_words:
        return None
    family = _FAMILY[claim_text.tokens[index].low] | {claim_text.tokens[index].low}
    stem = claim_text.stems[index]
    best_same, best_opposite, opposite = 0, 0, None
    for at, token in enumerate(evidence_text.tokens):
        if token.low in opposites:
            shared = len(claim_words & _beside(evidence_text.tokens, evidence_text.stems, at))
            if shared > best_opposite:
                best_opposite, opposite = shared, token.low
        elif token.low in family or evidence_text.stems[at] == stem:
            shared = len(claim_words & _beside(evidence_text.tokens, evidence_text.stems, at))
            best_same = max(best_same, shared)
    return opposite if best_opposite > best_same else None


def _order(claim_text: _Text, evidence_text: _Text, runs: list[list[_Tok]]) -> list[str]:
    """Who did what: names A … verb … B in the claim, B … verb … A in the evidence (active voice)."""
    if len(runs) < 2:
        return []
    first, second = runs[0][-1].low, runs[1][-1].low
    if first == second:
        return []
    if first not in evidence_text.bare_set or second not in evidence_text.bare_set:
        return []
    claim, lows = claim_text.tokens, evidence_text.bare_lows
    i_claim = claim_text.lows
    a, b = claim.index(runs[0][-1]), claim.index(runs[1][0])
    between_claim = {_stem(w) for w in i_claim[a + 1 : b] if w not in STOPWORDS and len(w) >= _CONTENT_MIN}
    if not between_claim or "by" in i_claim[a + 1 : b]:
        return []
    if _acts_on(lows, second, first, between_claim) and not _acts_on(lows, first, second, between_claim):
        first_name, second_name = runs[0][-1].text, runs[1][-1].text
        return [f'who did what: "{first_name}" and "{second_name}" are reversed in the evidence']
    return []


ROLE_REACH = 2  # words of a role phrase before "of": "chief executive of"
ORDER_REACH = 12  # words from the doer's name to the other name, the claim's verb in between


def _acts_on(lows: Sequence[str], doer: str, other: str, verbs: Set[str]) -> bool:
    """Does the evidence say `doer` … one of `verbs` … `other` (active voice, no "by" between)?"""
    doers = [i for i, w in enumerate(lows) if w == doer]
    for x in [i for i, w in enumerate(lows) if w == other]:
        for y in doers:
            if not 0 < x - y <= ORDER_REACH or "by" in lows[y + 1 : x]:
                continue
            # a word right before "of" names a role, not an action ("Dobrescu, the mayor of Constanța")
            acts = {_stem(lows[i]) for i in range(y + 1, x) if "of" not in lows[i + 1 : i + 1 + ROLE_REACH]}
            if verbs & acts:
                return True
    return False


RESCUE_MIN = 2  # a name outside the chosen sentences needs a sentence sharing this many claim words


def select_evidence(claim: str, source: Source, *, limit: int = 3) -> list[tuple[int, int]]:
    """The article sentences that best cover a claim's content words (greedy; at most `limit`).

    Names do not count towards the choice, so a swapped-in name cannot pull in its own sentence;
    they only break a tie between sentences sharing as many other words. A name the chosen
    sentences lack is looked up in a sentence that also shares two of the claim's other words (a
    claim may combine a name from one sentence with facts of the next). A claim of names only
    ("Pieter Vos") takes the earliest sentence naming most of them.
    """
    tokens = _tokens(detokenize(claim))
    name_tokens = {id(t) for run in _names(tokens, source) for t in run}
    wanted = set(_content([t for t in tokens if id(t) not in name_tokens]))
    content = set(wanted)
    named = {_stem(t.low) for t in tokens if id(t) in name_tokens}
    chosen: list[int] = []
    while wanted and len(chosen) < limit:
        best, gain, tie = -1, 0, 0
        for index, words in enumerate(source.sentence_words):
            if index in chosen:
                continue
            overlap = len(wanted & words)
            if overlap > gain or (overlap == gain and overlap and len(named & words) > tie):
                best, gain, tie = index, overlap, len(named & words)
        if best < 0 or (chosen and gain < 2):
            break
        chosen.append(best)
        wanted -= source.sentence_words[best]
    names = dict.fromkeys(_stem(t.low) for t in tokens if id(t) in name_tokens)  # claim order: deterministic
    if not chosen and names:
        # nothing but names to go by ("Pieter Vos", "Aida Korhonen. Transport Minister"): the
        # sentence that names most of them
        best, gain = -1, 0
        for index, words in enumerate(source.sentence_words):
            overlap = sum(name in words for name in names)
            if overlap > gain:
                best, gain = index, overlap
        if best >= 0:
            chosen.append(best)
    for name in names:
        if any(name in source.sentence_words[i] for i in chosen):
            continue
        best, gain = -1, RESCUE_MIN - 1
        for index, words in enumerate(source.sentence_words):
            if index not in chosen and name in words and len(content & words) > gain:
                best, gain = index, len(content & words)
        if best >= 0:
            chosen.append(best)
    return [source.sentences[i] for i in sorted(chosen)]


def _coverage(claim: str, evidence: Sequence[str]) -> float:
    wanted = set(_content(_tokens(detokenize(claim))))
    if not wanted:
        return 1.0
    have = set(_content(_tokens(" ".join(evidence))))
    return len(wanted & have) / len(wanted)


def verify_claim(claim: str, source: Source) -> ClaimResult:
    """Check one free-standing claim against an article: find its evidence, then check its facts.

    Score: supported claims score 0.6–1.0 by how much of their wording the evidence covers;
    unverifiable ones (no finding, but under half their words in the evidence) 0.3–0.45; unsupported
    ones below 0.3, lower with every further finding and with less coverage.
    """
    spans = select_evidence(claim, source)
    quotes = [source.text[start:end] for start, end in spans]
    reasons = (
        check_claim(claim, quotes, source=source, open_facts=True)
        if quotes
        else ["no sentence of the article says this"]
    )
    verdict, score = grade(claim, quotes, reasons)
    return ClaimResult(claim, verdict, score, reasons, spans)


def grade(claim: str, quotes: Sequence[str], reasons: Sequence[str]) -> tuple[Verdict, float]:
    """The verdict and score of a claim checked against these quotes (see `verify_claim`)."""
    coverage = _coverage(claim, quotes) if quotes else 0.0
    if reasons:
        verdict: Verdict = "unsupported"
        score = 0.3 * (0.5 + 0.5 * coverage) / (1 + len(reasons)) if quotes else 0.0
    elif coverage < 0.5:
        verdict, score = "unverifiable", 0.3 + 0.3 * coverage
    else:
        verdict, score = "supported", 0.6 + 0.4 * coverage
    return verdict, round(score, 4)
