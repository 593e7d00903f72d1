"""Use case "brief these inputs" for the command line: files, folders, URLs or stdin, concurrently.

The CLI parses options and draws progress; this module decides what the inputs are, where each
brief goes and runs them. Everything a user can get wrong (a missing file, `-o FILE` with several
inputs, two inputs that would write the same file) is checked by `plan_inputs` before any article
is read, fetched or briefed.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from briefing.config import Settings
from briefing.errors import BriefingError, InputError
from briefing.models import Article, Brief, has_words

FORMATS = {"markdown": ".md", "json": ".json"}
FOLDER_SUFFIXES = (".txt", ".text", ".md")
SourceKind = Literal["file", "url", "stdin"]


@dataclass(frozen=True)
class Source:
    """One input: what it is, how messages name it, and the stem of its output file."""

    kind: SourceKind
    value: str
    label: str
    stem: str


@dataclass(frozen=True)
class Plan:
    """The checked inputs and, per input, the file its brief goes to (None: stdout)."""

    sources: list[Source]
    outputs: list[Path | None]
    output_format: str
    make_dir: Path | None = None


@dataclass
class Outcome:
    """What happened to one input: its brief, or the error that stopped it."""

    source: Source
    output: Path | None
    brief: Brief | None = None
    error: BriefingError | None = None


def is_url(value: str) -> bool:
    return "://" in value and not Path(value).exists()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:120] or "article"


def _url_source(value: str) -> Source:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{value}: only http:// and https:// URLs can be fetched")
    path = parts.path.rstrip("/")
    stem = _slug(f"{parts.hostname}{path}".replace("/", "-"))
    return Source("url", value, value, Path(stem).stem if Path(stem).suffix in (".html", ".htm") else stem)


def _folder_sources(folder: Path) -> list[Source]:
    files = sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in FOLDER_SUFFIXES and not path.name.startswith(".")
    )
    if not files:
        raise InputError(f"{folder} has no {', '.join(FOLDER_SUFFIXES)} files to brief")
    return [Source("file", str(path), str(path), path.stem) for path in files]


def expand_inputs(values: Sequence[str]) -> list[Source]:
    """Each argument as one or more inputs (a folder: its text files); InputError for a bad one."""
    if not values:
        raise InputError("give a file, a folder, a URL or - (stdin)")
    sources: list[Source] = []
    for value in values:
        if value == "-":
            sources.append(Source("stdin", "-", "stdin", "stdin"))
        elif is_url(value):
            sources.append(_url_source(value))
        else:
            path = Path(value)
            if path.is_dir():
                sources.extend(_folder_sources(path))
            elif path.is_file():
                sources.append(Source("file", value, value, path.stem))
            elif path.exists():
                raise InputError(f"{value} is not a regular file")
            else:
                raise InputError(f"no such file: {value}")
    if sum(source.kind == "stdin" for source in sources) > 1:
        raise InputError("- (stdin) can be given only once")
    seen: dict[str, str] = {}
    unique: list[Source] = []
    for source in sources:  # `brief a.txt a.txt` or a file also inside a given folder: brief it once
        key = str(Path(source.value).resolve()) if source.kind == "file" else source.value
        if key not in seen:
            seen[key] = source.label
            unique.append(source)
    return unique


# The other spellings users type ("md" of `briefing digest`), read as the format they name.
FORMAT_ALIASES = {"md": "markdown"}


def _format_for(out: Path | None, output_format: str | None) -> str:
    if output_format is not None:
        output_format = FORMAT_ALIASES.get(output_format.lower(), output_format.lower())
        if output_format not in FORMATS:
            raise InputError(f"--format must be one of: {', '.join(FORMATS)}")
        return output_format
    if out is not None and out.suffix.lower() == ".json":
        return "json"
    return "markdown"


def plan_inputs(
    values: Sequence[str], out: str | None, output_format: str | None, *, title: str | None = None
) -> Plan:
    """Check the inputs against `-o` and `--format` and decide where each brief is written.

    `-o FILE` takes one input; `-o DIR` (an existing folder, or a path ending in /) gets one file
    per input, named after it, with the extension of the format. Nothing is read or written here.
    """
    sources = expand_inputs(values)
    if title is not None and len(sources) > 1:
        raise InputError(f"--title names one article, but {len(sources)} inputs were given")
    if out is None:
        return Plan(sources, [None] * len(sources), _format_for(None, output_format))
    target = Path(out)
    as_folder = target.is_dir() or out.endswith(("/", "\\"))
    if not as_folder:
        if len(sources) > 1:
            raise InputError(
                f"-o {out} names one file, but {len(sources)} inputs were given; "
                "give a folder (ending in /) to write one file per input"
            )
        if not target.parent.is_dir():
            raise InputError(f"-o {out}: the folder {target.parent} does not exist")
        check_writable(target, "-o")
        return Plan(sources, [target], _format_for(target, output_format))
    chosen = _format_for(None, output_format)
    if target.exists() and not target.is_dir():
        raise InputError(f"-o {out} is a file, not a folder")
    if not target.exists() and not target.parent.is_dir():
        raise InputError(f"-o {out}: the folder {target.parent} does not exist")
    outputs: list[Path | None] = []
    claimed: dict[Path, str] = {}
    for source in sources:
        path = target / f"{source.stem}{FORMATS[chosen]}"
        if path in claimed:
            raise InputError(
                f"{claimed[path]} and {source.label} would both be written to {path}; brief them separately"
            )
        claimed[path] = source.label
        if target.exists():
            check_writable(path, "-o")
        outputs.append(path)
    return Plan(sources, outputs, chosen, make_dir=None if target.exists() else target)


def check_writable(path: Path, flag: str) -> None:
    """Fail before any work when `path` cannot be written: a read-only or virtual folder ("/proc")
    is only found out by trying, so the file is opened for appending (and removed again if new)."""
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as error:
        raise InputError(f"{flag} {path}: cannot write there ({error.strerror or error})") from None
    if not existed:
        path.unlink(missing_ok=True)


def write_output(path: Path, text: str, flag: str) -> None:
    """Write a result file; a failure (disk full, folder removed meanwhile) is a one-line error."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"{flag} {path}: cannot write there ({error.strerror or error})") from None


def decode_article(data: bytes, name: str) -> str:
    """Article text from bytes: UTF-8 only (a leading byte-order mark dropped, as editors on Windows
    write one: the same text with and without it is one article), newlines as text mode reads them,
    never empty."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text; convert it first (e.g. with iconv)") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"the article in {name} is empty")
    if not has_words(text):
        raise InputError(f"the article in {name} has no letters or digits to brief")
    return text


async def read_source(source: Source, settings: Settings, *, title: str | None = None) -> Article:
    """The article behind one input; a URL goes through the API's safe fetch (`briefing.fetch`)."""
    if source.kind == "url":
        from briefing.fetch import afetch_url

        page = await afetch_url(source.value, settings)
        return Article(text=page.text, title=title or page.title, url=page.final_url)
    if source.kind == "stdin":
        # Bytes, not sys.stdin.read(): a text stdin may smuggle undecodable bytes in as surrogates.
        data = await asyncio.to_thread(sys.stdin.buffer.read)
    else:
        data = await asyncio.to_thread(Path(source.value).read_bytes)
    return Article(text=decode_article(data, source.label), title=title)


async def read_all(
    plan: Plan, settings: Settings, *, title: str | None = None
) -> list[Article | BriefingError]:
    """Every input's article (files, stdin and URLs read concurrently), or the error that stopped it."""

    async def one(source: Source) -> Article | BriefingError:
        try:
            return await read_source(source, settings, title=title)
        except BriefingError as error:
            return error

    return list(await asyncio.gather(*(one(source) for source in plan.sources)))


BriefOne = Callable[[Source, Article], Awaitable[Brief]]


async def brief_all(
    plan: Plan, articles: Sequence[Article | BriefingError], brief_one: BriefOne, *, concurrency: int = 4
) -> list[Outcome]:
    """Brief every input that was read, at most `concurrency` at once; one input's error stops only it."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(source: Source, output: Path | None, article: Article | BriefingError) -> Outcome:
        outcome = Outcome(source, output)
        if isinstance(article, BriefingError):
            outcome.error = article
            return outcome
        async with gate:
            try:
                outcome.brief = await brief_one(source, article)
            except BriefingError as error:
                outcome.error = error
        return outcome

    work = zip(plan.sources, plan.outputs, articles, strict=True)
    return list(await asyncio.gather(*(one(source, output, article) for source, output, article in work)))
