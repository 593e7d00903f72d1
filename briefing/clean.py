"""Cleaning before briefing: drop the page chrome a pasted or fetched page brings along.

Text copied from a browser or scraped from a page carries lines that are not the story: date and
share lines, font-size controls ("date 2025-10-21 + ↺ − 16 px"), "Scroll down for video", photo
captions and credits, bylines, "Related" lists, cookie, consent and newsletter notices, rows of
share buttons, copyright lines.
Left in, they become headlines, actors and status items, and they cost the LLM tokens.

Cleaning only removes whole lines (or a chrome prefix / suffix of a line) and never rewrites what
it keeps, so every sentence of the cleaned text is also a verbatim span of the original, and
`Cleaned.to_original` maps any cleaned offset back. Evidence quoted from the cleaned text
therefore grounds against the article exactly as it was submitted.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from briefing.models import Article

# A line that is chrome whatever it ends with (up to STRONG_WORDS words): notices and credits.
_STRONG_CHROME = re.compile(
    r"""^(?:
        scroll\ down\ for\ (?:the\ )?video | story\ continues\ below | article\ continues\ below |
        (?:the\ )?article\ continues\ after | skip\ to\ (?:main\ )?content | listen\ to\ this\ article |
        ©|\(c\)\ \d{4} | copyright\ (?:©|\(c\)|\d{4}) | all\ rights\ reserved |
        (?:sign\ up|subscribe)\ (?:for|to|now|here|today)\b |
        (?:get|join)\ (?:our|the)\ (?:[\w-]+\ )?newsletter |
        thank\ you\ for\ (?:signing\ up|subscribing|reading) | enter\ your\ email |
        (?:we|this\ (?:site|website))\ uses?\ cookies | by\ (?:continuing|clicking|using\ this)\b |
        (?:accept|manage|reject)\ (?:all\ )?cookies | cookie\ (?:policy|settings|preferences|notice) |
        we\ value\ your\ privacy | your\ privacy\ (?:choices|options|settings) |
        we\ and\ our\ (?:\d+\ )?(?:partners|vendors)\ (?:use|store|process|collect|may|need)\b |
        manage\ (?:your\ )?(?:consent|privacy\ settings) |
        privacy\ policy | terms\ (?:of\ (?:use|service)|and\ conditions) |
        (?:reporting|editing|writing|additional\ reporting|compiled|research)\ by\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
STRONG_WORDS = 40
# A line that is chrome when it is short and is not a sentence (no final punctuation).
_WEAK_CHROME = re.compile(
    r"""^(?:
        (?:watch|play)\ (?:the\ )?video\b | video\ player\b | advertisement | sponsored(?:\ content)? |
        jump\ to\b | \d+\s*min(?:ute)?s?\ read | share\b | tweet | email | print | copy\ link |
        (?:save|bookmark)\ (?:this\ )?(?:article|story) | comments?\b |
        (?:image|photo|picture|video)\ (?:caption|source|credit)s?\b |
        (?:photo|image|photograph|picture|credit|illustration|file\ photo)s?\s*[:/] |
        (?:tags?|topics?|filed\ under|more\ about)\s*: |
        (?:published|updated|last\ updated|posted|first\ published)\b.{0,60}\d |
        read\ (?:more|next|also)\b | (?:click|tap)\ here\b | follow\ us\b |
        (?:written|reported|words)\ by\b | newsletter\b | subscribe\b | sign\ up\b |
        (?:accept|reject|allow|deny|decline)(?:\ all)?(?:\ cookies)?$ |
        (?:i\ )?agree(?:\ and\ (?:close|continue))?$ |
        continue\ without\ (?:accepting|agreeing) | manage\ (?:preferences|options|settings|choices)$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Headers that open a list of other stories: every short line after them belongs to the list.
_LIST_HEADER = re.compile(
    r"^(?:related(?:\ (?:articles?|stories|coverage|content|topics|links|reading))?|read\ (?:more|next|also)|"
    r"more\ (?:on\ this\ story|from\ [\w ]+|stories)|most\ (?:read|popular|viewed)|trending(?:\ now)?|"
    r"recommended(?:\ for\ you)?|you\ may\ also\ like|see\ also|further\ reading)\s*:?$",
    re.IGNORECASE | re.VERBOSE,
)
# Font-size, text-size and share controls: pixel sizes, ↺ / A+ / A− buttons, icon runs.
_CONTROLS = re.compile(r"\b\d{1,2}\s?px\b|[↺↻⟲⟳]|\bA\s?[+−-]\s?A\b|\b(?:font|text) size\b", re.IGNORECASE)
# A bare date / time line ("21 October 2025", "2025-10-21 14:03 BST", "Oct. 21, 2025 | 4 min read").
_DATE_LINE = re.compile(
    r"^(?:(?:date|posted|updated|published|on)\b[:\s]*)?[\w ,.:/|+\-−–]{0,20}?"
    r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}|"
    r"\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]* \d{4})"
    r"[\w ,.:/|+\-−–()]{0,40}$",
    re.IGNORECASE,
)
# "By Marta Keller", "By MARTA KELLER and JO BIRD for Daily Wire", "By Marta Keller, Reuters"; in
# lower-cased text, "by marta keller" (two to four words: "by tuesday" alone is no byline).
_BYLINE = re.compile(
    r"^[Bb][Yy]:?\s+(?:[A-Z][\w.'\-]+(?:\s+[A-Z][\w.'\-]+){0,3}"
    r"(?:\s*(?:,|and|&|;|\||for|in)\s*[A-Z][^.!?]{0,60})?\.?"
    r"|(?!(?:the|a|an|its|his|her|their|this|that|these|those|our|my|your|far|now|then|law)\b)"
    r"[^\W\d_A-Z][\w.'\-]*(?:\s+[^\W\d_A-Z][\w.'\-]*){1,3})$"
)
# A caption credit at the end of a line: "(AP Photo/Virginia Mayo)", "Photo: Getty Images".
_CREDIT_TAIL = re.compile(
    r"\s*(?:\((?:[A-Z][\w.]*\s)?(?:photo|photograph|image|picture|file|credit)s?\b[^()]{0,60}\)|"
    r"(?:photo|photograph|image|picture)s?:\s?[^.]{2,60}|"
    r"\|?\s?(?:credit|source):\s?[^.]{2,60}|(?:getty images|reuters|afp|ap|epa|shutterstock)(?:/[\w .]+)?)$",
    re.IGNORECASE,
)
# The labels of share buttons; a line of nothing else is a share row.
_SHARE_WORDS = frozenset(
    (
        *("facebook", "twitter", "x", "linkedin", "whatsapp", "email", "e-mail", "mail", "print"),
        *("copy", "link", "share", "reddit", "telegram", "pinterest", "messenger", "tweet", "bluesky"),
        *("threads", "mastodon", "flipboard", "pocket", "tumblr", "sms", "comments", ""),
    )
)
_CHROME_PREFIX = re.compile(
    r"^(?:scroll down for (?:the )?video|advertisement)\s*[:.\-–—]?\s+", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


@dataclass(frozen=True)
class Cleaned:
    """The cleaned text, and for each kept piece where it sits in the original text."""

    text: str
    original: str
    starts: tuple[int, ...]  # start of each kept piece in `text` (ascending)
    origins: tuple[int, ...]  # start of the same piece in `original`
    removed: int  # lines (or parts of lines) taken out

    def to_original(self, offset: int) -> int:
        """The original offset of cleaned offset `offset` (an end offset maps like a start)."""
        if not self.starts:
            return offset
        piece = max(0, bisect_right(self.starts, offset) - 1)
        return self.origins[piece] + offset - self.starts[piece]


def _words(line: str) -> int:
    return len(line.split())


def is_chrome_line(line: str) -> bool:
    """Whether one line is page chrome (a date or font-size line, a notice, a byline …)."""
    return _is_chrome(line) or _is_caption(line.strip())


def _is_chrome(line: str) -> bool:
    """A whole line of page furniture; a sentence of the story (long, with a verb) is never one."""
    stripped = line.strip()
    if not stripped:
        return False
    words = _words(stripped)
    if _CONTROLS.search(stripped) and words <= 14:
        return True
    if _DATE_LINE.match(stripped) and words <= 12:
        return True
    if _BYLINE.match(stripped) and words <= 14:
        return True
    if _STRONG_CHROME.match(stripped) and words <= STRONG_WORDS:
        return True
    if _WEAK_CHROME.match(stripped) and words <= 16 and not _SENTENCE_END.search(stripped):
        return True
    if 2 <= words <= 12 and all(word.strip(",|•·/").lower() in _SHARE_WORDS for word in stripped.split()):
        return True  # a row of share buttons: "Facebook Twitter LinkedIn WhatsApp Email"
    letters = sum(map(str.isalpha, stripped))
    return words <= 6 and letters < 0.5 * len(stripped)  # icon and symbol runs: "f  𝕏  ✉  🔗"


def _is_caption(line: str) -> bool:
    """A photo caption: a line that ends with a photo credit ("… in Brussels. (AP Photo/V. Mayo)")."""
    stripped = line.strip()
    match = _CREDIT_TAIL.search(stripped)
    if match is None or match.start() == 0:
        return bool(match) and _words(stripped) <= 8
    before = stripped[: match.start()].rstrip()
    # A story sentence can end with "Reuters" ("…, the minister told Reuters"); a caption's text
    # ends with its own full stop before the credit, or is a short fragment.
    return before.endswith((".", "|", "-", "–", "—", ":")) or _words(before) <= 12


def clean_text(text: str) -> Cleaned:
    """Drop chrome lines, Related lists, captions and chrome prefixes; see the module docstring."""
    lines = text.split("\n")
    kept: list[tuple[int, str]] = []  # (original offset, kept text)
    removed = 0
    offset = 0
    in_list = False
    in_header = True  # before the first sentence of the story: section labels ("World") are chrome
    for line in lines:
        start = offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped:
            kept.append((start, line))
            continue
        if _LIST_HEADER.match(stripped):
            in_list = True
            removed += 1
            continue
        if in_list:
            if _words(stripped) <= 16 and not _SENTENCE_END.search(stripped):
                removed += 1
                continue  # another story's headline in the list
            in_list = False
        if in_header and _words(stripped) <= 2 and not _SENTENCE_END.search(stripped):
            removed += 1
            continue
        if _is_chrome(stripped) or _is_caption(stripped):
            removed += 1
            continue
        prefix = _CHROME_PREFIX.match(line)
        if prefix:
            removed += 1
            start += prefix.end()
            line = line[prefix.end() :]
        kept.append((start, line))
        in_header = in_header and not (_words(stripped) >= 8 and _SENTENCE_END.search(stripped))
    starts: list[int] = []
    origins: list[int] = []
    pieces: list[str] = []
    cursor = 0
    for origin, piece in kept:
        starts.append(cursor)
        origins.append(origin)
        pieces.append(piece)
        cursor += len(piece) + 1
    cleaned = "\n".join(pieces)
    # Blank lines left by removed lines collapse like normalize_text would; offsets stay exact
    # because only whole blank pieces are dropped.
    return _collapse_blanks(Cleaned(cleaned, text, tuple(starts), tuple(origins), removed), pieces)


def _collapse_blanks(cleaned: Cleaned, pieces: list[str]) -> Cleaned:
    keep: list[int] = []
    for index, piece in enumerate(pieces):
        blank = not piece.strip()
        if blank and (not keep or not pieces[keep[-1]].strip()):
            continue  # a leading blank line, or a second blank line in a row
        keep.append(index)
    while keep and not pieces[keep[-1]].strip():
        keep.pop()
    if len(keep) == len(pieces):
        return cleaned
    starts: list[int] = []
    origins: list[int] = []
    cursor = 0
    for index in keep:
        starts.append(cursor)
        origins.append(cleaned.origins[index])
        cursor += len(pieces[index]) + 1
    text = "\n".join(pieces[index] for index in keep)
    return Cleaned(text, cleaned.original, tuple(starts), tuple(origins), cleaned.removed)


def clean_article(article: Article) -> tuple[Article, Cleaned]:
    """The article with chrome removed (same id, so caches and stored briefs still key on the
    submitted text), and the cleaning with its offset map. An article with nothing to remove is
    returned as it is."""
    cleaned = clean_text(article.text)
    if cleaned.removed == 0 or not cleaned.text.strip():
        return article, cleaned
    title = article.title
    if title is not None and (_is_chrome(title) or not title.strip()):
        title = None
    return article.model_copy(update={"text": cleaned.text, "title": title}), cleaned
