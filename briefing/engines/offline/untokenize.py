"""Text as written for articles that arrive PTB-tokenized, with a map back to the submitted offsets.

Summarization datasets and some feeds store news in Penn Treebank form: punctuation and clitics are
split off and quotes are doubled backticks (``the company 's shares fell 5 % . `` We wo n't sign ,
'' he said .``). The engine's rules read text as people write it: an appositive is "Doe, the
minister", an acronym is "(AASU)", a dateline is "BONN, Germany —". So the engine briefs a view
with those spaces closed and the quote marks restored, and maps every evidence quote back to its
span of the submitted text: quotes stay verbatim and ground as they are.

Only spaces are removed and only PTB's own tokens replaced (``, '', -LRB- …), so the view holds
the same words in the same order; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Detection: punctuation and clitics with a space before them, which written text almost never has.
_SPLIT_MARK = re.compile(r"\w (?:[,.;:!?%]|'s|n't|'re|'ve|'ll|'m|'d|'')(?=\s|$)|(?:^|\s)``\s")
_GLUED_MARK = re.compile(r"\w[,.;:!?](?=\s|$)")
_MARK_STARTS = (" ,", " .", " ;", " :", " !", " ?", " %", " '", " n't", "``")
MIN_SPLIT_MARKS = 4  # fewer than this is a typo or two, not a tokenized text

_TOKENS = {"``": '"', "''": '"', "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]"}
# A space before a mark that attaches to the word before it ("shares ," / "company 's" / "do n't").
_SPACE_BEFORE = re.compile(
    r" +(?=(?:[,.;:!?%)\]}]|''|-RRB-|-RSB-)(?=\s|$|[,.;:!?'\")\]}])|(?:'s|'re|'ve|'ll|'m|'d|n't)(?![\w']))"
)
# A space after a mark that attaches to the word after it ("( a" / "$ 3" / "`` We").
_SPACE_AFTER = re.compile(r"(?<=[(\[{$]) +|(?<=``) +|(?<=-LRB-) +|(?<=-LSB-) +")
_TOKEN = re.compile("|".join(re.escape(token) for token in _TOKENS))


def looks_tokenized(text: str) -> bool:
    """Is this text PTB-tokenized (more punctuation split off its word than glued to it)?"""
    sample = text[:8000]
    if sum(map(sample.count, _MARK_STARTS)) < MIN_SPLIT_MARKS:
        return False  # each mark found below holds one of these: too few, and the regexes cannot pass
    split = len(_SPLIT_MARK.findall(sample))
    return split >= MIN_SPLIT_MARKS and split > len(_GLUED_MARK.findall(sample))


@dataclass(frozen=True)
class View:
    """`text` as written; `starts[i]` / `ends[i]` are the submitted offsets where `text[i]` begins and
    ends (a quote mark restored from "``" spans both backticks)."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The submitted offsets [start, end) of the view's range [start, end)."""
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return at, at
        return self.starts[start], self.ends[end - 1]


_Map = tuple[str, list[int], list[int]]


def _sub(pattern: re.Pattern[str], replace: Callable[[str], str], mapped: _Map) -> _Map:
    """`pattern.sub` that carries each character's submitted span (a replacement spans its match)."""
    text, starts, ends = mapped
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    cursor = 0
    for match in pattern.finditer(text):
        pieces.append(text[cursor : match.start()])
        new_starts.extend(starts[cursor : match.start()])
        new_ends.extend(ends[cursor : match.start()])
        new = replace(match.group())
        pieces.append(new)
        new_starts.extend([starts[match.start()]] * len(new))
        new_ends.extend([ends[match.end() - 1]] * len(new))
        cursor = match.end()
    pieces.append(text[cursor:])
    new_starts.extend(starts[cursor:])
    new_ends.extend(ends[cursor:])
    return "".join(pieces), new_starts, new_ends


def untokenize(text: str) -> View:
    """The view of a PTB-tokenized `text` (see the module docstring)."""
    mapped: _Map = (text, list(range(len(text))), list(range(1, len(text) + 1)))
    mapped = _sub(_SPACE_BEFORE, lambda _: "", mapped)
    mapped = _sub(_SPACE_AFTER, lambda _: "", mapped)
    view, starts, ends = _sub(_TOKEN, _TOKENS.__getitem__, mapped)
    return View(view, tuple(starts), tuple(ends))
