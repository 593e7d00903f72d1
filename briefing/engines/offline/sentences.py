"""Sentence splitting with exact character offsets into the article text.

Every item the offline engine produces quotes a sentence verbatim, so sentences are spans of the
original text, never cleaned copies. English goes through blingfire (a finite-state splitter that
handles abbreviations, initials, decimals and quotes, and is ~30x faster than pysbd on a news
article, which the 200 briefs/s target needs); other languages pysbd knows use pysbd, whose rules
are language-specific. Paragraph breaks always end a sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Container
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from briefing.engines.offline.bling import text_to_sentences

if TYPE_CHECKING:
    import pysbd

# Titles that a splitter may take for a sentence end ("Sen. Warren replied.").
_TITLE_ABBREVIATIONS = frozenset(
    [
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "capt",
        "sgt",
        "adm",
        "maj",
        "cmdr",
        "supt",
        "insp",
        "st",
        "no",
        "vs",
        "mt",
        "ft",
        "pres",
        "amb",
        "prof",
        "dr",
        "mr",
        "mrs",
        "ms",
        "jr",
        "sr",
    ]
)
_PARAGRAPH = re.compile(r"[^\n]+")
_BLOCK = re.compile(r"\S(?:[^\n]|\n(?![ \t]*\n))*")  # lines up to a blank line
_LINE_BREAK = re.compile(r"\n")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
WRAP_MIN_LINES = 4  # lines followed by another line of their paragraph, to tell a hard wrap
WRAP_WIDTH = 120  # hard-wrapped text keeps (nearly) every line within this many characters


def hard_wrapped(text: str) -> bool:
    """Is the text hard-wrapped, as e-mail and plain-text files are ("… which runs the port's" /
    "three container berths, …")? Then a line break inside a paragraph is a space, and a blank line
    ends the paragraph. Told by its lines: nearly all within `WRAP_WIDTH` characters, and most lines
    that another line follows long and ending mid-sentence (a pasted page has one long line per
    paragraph; a list of short chrome lines is not wrapped prose)."""
    lines = text.split("\n")
    if len(lines) < WRAP_MIN_LINES + 1 or max(map(len, lines)) > 2 * WRAP_WIDTH:
        return False
    inner = [a.rstrip() for a, b in pairwise(lines) if a.strip() and b.strip()]
    if len(inner) < WRAP_MIN_LINES:
        return False
    if sum(len(line) > WRAP_WIDTH for line in lines) > 0.05 * len(lines):
        return False
    mid = [line for line in inner if len(line) >= WRAP_WIDTH // 3 and line[-1] not in '.!?:"”’)']
    return len(mid) >= 0.6 * len(inner)


def _pieces(text: str, breaks: re.Pattern[str]) -> list[tuple[str, int]]:
    """`text` cut at `breaks`: each piece with the length of the break after it."""
    if "\n" not in text:  # every break holds a line break; most sentences have none
        return [(text, 0)]
    out: list[tuple[str, int]] = []
    cursor = 0
    for match in breaks.finditer(text):
        out.append((text[cursor : match.start()], match.end() - match.start()))
        cursor = match.end()
    out.append((text[cursor:], 0))
    return out


# The bytes that are no ASCII letter / capital, deleted to count those in C (`_ascii_counts`).
_NOT_LETTER = bytes(byte for byte in range(128) if not chr(byte).isalpha())
_NOT_UPPER = bytes(byte for byte in range(128) if not chr(byte).isupper())
_TAG_LIKE = re.compile(r"</?[a-zA-Z][^>]{0,200}>|&[a-z]{2,8};|\{[^}]*\}")


def _ascii_counts(text: str) -> tuple[int, int, int]:
    """(ASCII letters, ASCII capitals, non-ASCII characters) of `text`, counted in C. They bound the
    counts of `str.isalpha` / `str.isupper` (exact for ASCII, [A-Za-z] / [A-Z]), which settles most
    letter tests without testing each character in Python (~20x slower)."""
    data = text.encode("ascii", "ignore")
    return (
        len(data.translate(None, _NOT_LETTER)),
        len(data.translate(None, _NOT_UPPER)),
        len(text) - len(data),
    )


def is_lower_case(text: str) -> bool:
    """True for text with (almost) no capital letters: the case the recaser is for."""
    sample = text[:4000]
    letters, upper, others = _ascii_counts(sample)
    if upper >= 0.005 * (letters + others):
        return False  # too many capitals, whatever the non-ASCII characters are
    letters = sum(map(str.isalpha, sample))
    return letters > 40 and sum(map(str.isupper, sample)) < 0.005 * letters


def _pysbd_languages() -> Container[str]:
    """The languages pysbd has rules for; pysbd is imported only when a text is not English."""
    from pysbd.languages import LANGUAGE_CODES

    return LANGUAGE_CODES


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: `text == article_text[start:end]`."""

    text: str
    start: int
    end: int
    index: int
    paragraph: int
    is_noise: bool = False  # markup remnants, table rows and symbol runs carry no statement to brief


class SentenceSplitter:
    """Splits text into `Sentence`s; holds one pysbd segmenter per language (built on first use)."""

    def __init__(self) -> None:
        self._segmenters: dict[str, pysbd.Segmenter] = {}

    def split(self, text: str, language: str | None = None) -> list[Sentence]:
        lang = (language or "en").split("-")[0].lower()
        if lang == "en" or lang not in _pysbd_languages():
            fast = self._split_whole(text)
            if fast is not None:
                return _rejoin_titles(_resplit(fast, text), text)
        sentences: list[Sentence] = []
        for paragraph_index, match in enumerate(_PARAGRAPH.finditer(text)):
            base = match.start()
            paragraph = match.group()
            if not paragraph.strip():
                continue
            for start, end in self._spans(paragraph, lang):
                piece = paragraph[start:end]
                stripped = piece.strip()
                if not stripped:
                    continue
                offset = base + start + (len(piece) - len(piece.lstrip()))
                sentences.append(
                    Sentence(
                        stripped,
                        offset,
                        offset + len(stripped),
                        len(sentences),
                        paragraph_index,
                        _noise(stripped),
                    )
                )
        return _rejoin_titles(sentences, text)

    def _split_whole(self, text: str) -> list[Sentence] | None:
        """One blingfire call for the whole text (one per paragraph costs ~3x more), then each
        sentence is cut at line breaks; None when blingfire changed the text and offsets are lost."""
        flat = text.replace("\n", " ")  # same offsets; line breaks are applied afterwards
        wrapped = hard_wrapped(text)
        breaks = _BLANK_LINE if wrapped else _LINE_BREAK
        line_starts = [match.start() for match in (_BLOCK if wrapped else _PARAGRAPH).finditer(text)]
        sentences: list[Sentence] = []
        cursor = 0
        for piece in text_to_sentences(flat).split("\n"):
            piece = piece.strip()
            if not piece:
                continue
            position = flat.find(piece, cursor)
            if position < 0:
                return None
            cursor = position + len(piece)
            offset = position
            for line, gap in _pieces(text[position:cursor], breaks):
                stripped = line.strip()
                if stripped:
                    start = offset + (len(line) - len(line.lstrip()))
                    paragraph = bisect_right(line_starts, start) - 1
                    sentences.append(
                        Sentence(
                            stripped,
                            start,
                            start + len(stripped),
                            len(sentences),
                            paragraph,
                            _noise(stripped),
                        )
                    )
                offset += len(line) + gap
        return sentences

    def _spans(self, paragraph: str, lang: str) -> list[tuple[int, int]]:
        if lang != "en" and lang in _pysbd_languages():
            return self._pysbd_spans(paragraph, lang)
        # text_to_sentences is the C path; its offsets variant does per-token work in Python (4x slower).
        spans: list[tuple[int, int]] = []
        cursor = 0
        for piece in text_to_sentences(paragraph).split("\n"):
            piece = piece.strip()
            position = paragraph.find(piece, cursor) if piece else -1
            if position < 0:  # blingfire normalized something; keep the rest whole
                if cursor < len(paragraph) and paragraph[cursor:].strip():
                    spans.append((cursor, len(paragraph)))
                return spans
            spans.append((position, position + len(piece)))
            cursor = position + len(piece)
        return spans or [(0, len(paragraph))]

    def _pysbd_spans(self, paragraph: str, lang: str) -> list[tuple[int, int]]:
        segmenter = self._segmenters.get(lang)
        if segmenter is None:
            import pysbd

            segmenter = pysbd.Segmenter(language=lang, clean=False, char_span=False)
            self._segmenters[lang] = segmenter
        spans: list[tuple[int, int]] = []
        cursor = 0
        for piece in segmenter.segment(paragraph):
            piece = piece.strip()
            if not piece:
                continue
            position = paragraph.find(piece, cursor)
            if position < 0:  # pysbd changed the text; fall back to the whole rest of the paragraph
                spans.append((cursor, len(paragraph)))
                return spans
            spans.append((position, position + len(piece)))
            cursor = position + len(piece)
        return spans or [(0, len(paragraph))]


# Penn Treebank tokens ("library , citing … million . The closure"; `` and '' for quote marks): a
# detached full stop followed by a capital, a digit or an opening `` ends a sentence.
_PTB_END = re.compile(r"(?<=\s[.!?])(?:\s+'')?\s+(?=``|[A-Z0-9\"“])|(?<=\s[.!?]\s'')\s+(?=[A-Z])")
# All-lower-case text: a full stop after a word, then a lower-case word, ends a sentence.
_LOWER_END = re.compile(r"(?<=[a-z0-9%)\"'”’][.!?])\s+(?=[a-z])")
_LOWER_ABBREVIATIONS = frozenset(["mr", "mrs", "ms", "dr", "st", "no", "vs", "e.g", "i.e", "u.s", "jr", "sr"])


def _resplit(sentences: list[Sentence], text: str) -> list[Sentence]:
    """Split what blingfire leaves whole in text it was not made for: PTB-tokenized text and text
    in lower case only (it relies on spacing and capitals); offsets stay exact."""
    ptb = " . " in text or " , " in text
    lower = is_lower_case(text)
    if not (ptb or lower):
        return sentences
    result: list[Sentence] = []
    for sentence in sentences:
        cuts: list[int] = []
        if ptb:
            cuts += [match.end() for match in _PTB_END.finditer(sentence.text)]
        if lower:
            for match in _LOWER_END.finditer(sentence.text):
                word = sentence.text[: match.start()].rsplit(None, 1)[-1].rstrip(".!?").lower()
                if word not in _LOWER_ABBREVIATIONS:
                    cuts.append(match.end())
        if not cuts:
            result.append(sentence)
            continue
        start = 0
        for cut in [*sorted(set(cuts)), len(sentence.text)]:
            piece = sentence.text[start:cut].strip()
            if piece:
                at = sentence.start + sentence.text.index(piece, start)
                result.append(Sentence(piece, at, at + len(piece), 0, sentence.paragraph, _noise(piece)))
            start = cut
    return result


def _rejoin_titles(sentences: list[Sentence], text: str) -> list[Sentence]:
    """Undo splits after a title abbreviation ("Sen." + "Warren replied.")."""
    joined: list[Sentence] = []
    for sentence in sentences:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.paragraph == sentence.paragraph
            and _ends_with_title(previous.text)
            and sentence.text[:1].isupper()
        ):
            start = previous.start
            merged = text[start : sentence.end]
            joined[-1] = Sentence(
                merged, start, sentence.end, previous.index, previous.paragraph, _noise(merged)
            )
            continue
        if sentence.index != len(joined):  # renumbered after a join (frozen: a new one)
            sentence = Sentence(
                sentence.text,
                sentence.start,
                sentence.end,
                len(joined),
                sentence.paragraph,
                sentence.is_noise,
            )
        joined.append(sentence)
    return joined


def _noise(text: str) -> bool:
    letters, _, others = _ascii_counts(text)
    if others and (letters < 3 or letters < 0.5 * len(text)):
        letters = sum(map(str.isalpha, text))  # the non-ASCII characters may be letters too
    if letters < 3 or letters < 0.5 * len(text):
        return True
    if ("<" in text or "&" in text or "{" in text) and len(_TAG_LIKE.findall(text)) >= 2:
        return True  # (each `_TAG_LIKE` match starts with one of these: a substring test is cheaper)
    return text.count("|") >= 3


def _ends_with_title(text: str) -> bool:
    if not text.endswith("."):
        return False
    last = text[:-1].rsplit(None, 1)[-1] if text[:-1].strip() else ""
    return last.lower().lstrip("(\"'") in _TITLE_ABBREVIATIONS
