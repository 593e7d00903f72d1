"""`briefing brief` and `briefing schema`.

Output goes to stdout (Markdown or JSON); notes about which engine ran, progress and warnings go
to stderr, so `briefing brief a.txt --format json > a.json` stays clean.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from briefing.config import Settings, get_settings
from briefing.engines import check_engine_name
from briefing.errors import ConfigError, InputError
from briefing.models import Article, Brief, BriefOptions, brief_json_schema
from briefing.pipeline import BriefCache, Briefer
from briefing.render import brief_to_markdown

FORMATS = ("markdown", "json")
GROUNDING = ("flag", "strict")


def read_article_text(source: str) -> str:
    """The article text from a file path, or from stdin for "-"; errors say what to fix."""
    name = "stdin" if source == "-" else source
    if source == "-":
        # Bytes, not sys.stdin.read(): a text stdin may smuggle undecodable bytes in as surrogates.
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"no such file: {source}")
        if path.is_dir():
            raise InputError(f"{source} is a folder; give a text file (or - to read stdin)")
        data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text; convert it first (e.g. with iconv)") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it
    if not text.strip():
        raise InputError(f"the article in {name} is empty")
    return text


def open_cache(settings: Settings) -> BriefCache | None:
    """The shared brief store, when caching is on and the store module is installed."""
    if not settings.cache:
        return None
    try:
        from briefing.store import open_store
    except ImportError:
        return None
    return open_store(settings)


def engine_note(settings: Settings, engine: str | None, model: str | None) -> str:
    """One stderr line that says which engine will run (and why, when it was not asked for)."""
    name = engine or settings.default_engine
    if name == "llm":
        where = settings.openai_base_url or "api.openai.com"
        return f"engine: llm ({model or settings.model} at {where})"
    if name == "offline" and engine is None and not settings.llm_configured:
        return "engine: offline (no LLM used; set OPENAI_API_KEY or OPENAI_BASE_URL to use one)"
    return f"engine: {name} (no LLM used)" if name != "llm" else f"engine: {name}"


def make_brief(settings: Settings, article: Article, options: BriefOptions, console: Console) -> Brief:
    briefer = Briefer(settings, cache=open_cache(settings))
    try:
        engine = briefer.engine(options)
    except (ImportError, AttributeError) as error:  # an engine module missing or incomplete
        name = options.engine or settings.default_engine
        raise ConfigError(f"the {name} engine is not available in this installation ({error})") from None

    async def run() -> Brief:
        try:
            with console.status(f"briefing with the {engine.name} engine…", spinner="dots"):
                return await briefer.brief(article, options)
        finally:
            await briefer.aclose()

    return asyncio.run(run())


def brief_command(
    source: str = typer.Argument(..., metavar="FILE|-", help="Article text file, or - to read stdin."),
    output_format: str = typer.Option("markdown", "--format", "-f", help="markdown or json."),
    engine: str | None = typer.Option(
        None, "--engine", "-e", help="llm, offline or lead (default: llm when an endpoint is configured)."
    ),
    model: str | None = typer.Option(None, "--model", "-m", help="LLM model (default: BRIEFING_MODEL)."),
    prompts: Path | None = typer.Option(None, "--prompts", help="Folder with your own prompt templates."),
    grounding: str | None = typer.Option(None, "--grounding", help="flag (default) or strict."),
    title: str | None = typer.Option(None, "--title", help="The article's title, if not in the text."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Make a fresh brief even if one is stored."),
) -> None:
    """Brief one article: headline, summary, actors, status, disputes and next steps, with evidence."""
    if output_format not in FORMATS:
        raise InputError(f"--format must be one of: {', '.join(FORMATS)}")
    if grounding is not None and grounding not in GROUNDING:
        raise InputError(f"--grounding must be one of: {', '.join(GROUNDING)}")
    if engine is not None:
        check_engine_name(engine)
    settings = get_settings()
    if prompts is not None:
        settings = settings.model_copy(update={"prompts_dir": prompts})
    if (engine or settings.default_engine) == "llm" and not settings.llm_configured:
        raise ConfigError(
            "the llm engine needs an endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL for a server other "
            "than OpenAI), or leave out --engine to use the offline engine"
        )
    text = read_article_text(source)
    console = Console(stderr=True)
    console.print(engine_note(settings, engine, model), style="dim", highlight=False)
    options = BriefOptions(engine=engine, model=model, grounding=grounding, use_cache=not no_cache)
    brief = make_brief(settings, Article(text=text, title=title), options, console)
    for warning in brief.meta.warnings:
        console.print(f"warning: {warning}", style="yellow", highlight=False)
    if output_format == "json":
        typer.echo(brief.model_dump_json(indent=2))
    else:
        typer.echo(brief_to_markdown(brief), nl=False)


def schema_command() -> None:
    """Print the JSON Schema of a brief (what `brief --format json` and the API return)."""
    typer.echo(json.dumps(brief_json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("brief")(brief_command)
    app.command("schema")(schema_command)
