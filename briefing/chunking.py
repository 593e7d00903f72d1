"""Token-bounded chunks of an article that never cut a word and lose no character.

The text is cut into sentence-sized units (each keeps its trailing whitespace, so the units tile
the text exactly). Chunks are filled greedily with units; when a chunk is full it ends at the last
paragraph break if that keeps it at least half full, else at the last sentence. A sentence longer
than a whole chunk is cut between words, and only a single "word" longer than a chunk (a pasted
blob with no spaces) is cut inside itself. Consecutive chunks share up to `overlap_tokens` of
whole trailing units, so a fact straddling a cut is seen whole by at least one map call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.tokens import Tokenizer

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) plus whitespace,
# or at any line break; a paragraph ends at a blank line.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*[ \t]+|\n+")
_WORD_END = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """A slice `text == article[start:end]` of at most the requested number of tokens."""

    index: int
    start: int
    end: int
    text: str
    tokens: int


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    paragraph_end: bool


def _cuts(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[int]:
    """End offsets of the pieces of text[start:end] cut after each separator match."""
    cuts = [match.end() for match in pattern.finditer(text, start, end) if match.end() < end]
    return [*cuts, end]


def _hard_pieces(text: str, start: int, end: int, tokenizer: Tokenizer, max_tokens: int) -> list[int]:
    """Cut a space-less run at token boundaries (the last resort)."""
    tokens = tokenizer.encode(text[start:end])
    _, offsets = tokenizer.encoding.decode_with_offsets(tokens)
    cuts = sorted({start + offsets[i] for i in range(max_tokens, len(tokens), max_tokens)} - {start})
    return [*cuts, end]


def _units(text: str, tokenizer: Tokenizer, max_tokens: int) -> list[_Unit]:
    bounds = _cuts(_SENTENCE_END, text, 0, len(text))
    starts = [0, *bounds[:-1]]
    counts = tokenizer.count_many([text[a:b] for a, b in zip(starts, bounds, strict=True)])
    units: list[_Unit] = []
    for start, end, count in zip(starts, bounds, counts, strict=True):
        paragraph_end = "\n\n" in text[max(start, end - 4) : end] or end == len(text)
        if count <= max_tokens:
            units.append(_Unit(start, end, count, paragraph_end))
            continue
        for piece in _split_long(text, start, end, tokenizer, max_tokens):
            units.append(_Unit(*piece, paragraph_end=False))
        units[-1] = _Unit(units[-1].start, units[-1].end, units[-1].tokens, paragraph_end)
    return units


def _split_long(
    text: str, start: int, end: int, tokenizer: Tokenizer, max_tokens: int
) -> list[tuple[int, int, int]]:
    """(start, end, tokens) pieces of an over-long sentence: words first, characters last."""
    pieces: list[tuple[int, int, int]] = []
    word_ends = _cuts(_WORD_END, text, start, end)
    word_starts = [start, *word_ends[:-1]]
    counts = tokenizer.count_many([text[a:b] for a, b in zip(word_starts, word_ends, strict=True)])
    for word_start, word_end, count in zip(word_starts, word_ends, counts, strict=True):
        if count <= max_tokens:
            pieces.append((word_start, word_end, count))
            continue
        cut_start = word_start
        for cut in _hard_pieces(text, word_start, word_end, tokenizer, max_tokens):
            pieces.append((cut_start, cut, tokenizer.count(text[cut_start:cut])))
            cut_start = cut
    return pieces


def chunk_text(text: str, tokenizer: Tokenizer, max_tokens: int, overlap_tokens: int = 0) -> list[Chunk]:
    """Cover `text` with chunks of at most `max_tokens` tokens each (see the module docstring).

    `overlap_tokens` is capped at half a chunk so every chunk moves the window forward.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be >= 1")
    if not text:
        return []
    overlap_tokens = max(0, min(overlap_tokens, max_tokens // 2))
    units = _units(text, tokenizer, max_tokens)
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = _fill(units, first, max_tokens)  # exclusive
        last = _prefer_paragraph(units, first, last)
        last, count = _fit(text, units, first, last, tokenizer, max_tokens)
        start, end = units[first].start, units[last - 1].end
        chunks.append(Chunk(len(chunks), start, end, text[start:end], count))
        if last >= len(units):
            break
        first = _overlap_start(units, first, last, overlap_tokens)
    return chunks


def _fill(units: list[_Unit], first: int, max_tokens: int) -> int:
    total, last = 0, first
    while last < len(units) and total + units[last].tokens <= max_tokens:
        total += units[last].tokens
        last += 1
    return max(last, first + 1)


def _prefer_paragraph(units: list[_Unit], first: int, last: int) -> int:
    """End at the last paragraph break in the chunk unless that would leave it under half full."""
    if last >= len(units) or units[last - 1].paragraph_end:
        return last
    full = sum(unit.tokens for unit in units[first:last])
    total = 0
    best = None
    for index in range(first, last):
        total += units[index].tokens
        if units[index].paragraph_end and total * 2 >= full:
            best = index + 1
    return best or last


def _fit(
    text: str, units: list[_Unit], first: int, last: int, tokenizer: Tokenizer, max_tokens: int
) -> tuple[int, int]:
    """Summed unit counts are a close estimate; the joined text is what must fit, so check it."""
    while True:
        count = tokenizer.count(text[units[first].start : units[last - 1].end])
        if count <= max_tokens or last - first == 1:
            return last, count
        last -= 1


def _overlap_start(units: list[_Unit], first: int, last: int, overlap_tokens: int) -> int:
    start, total = last, 0
    while start - 1 > first and total + units[start - 1].tokens <= overlap_tokens:
        start -= 1
        total += units[start].tokens
    return start
