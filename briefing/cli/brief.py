"""`briefing brief` and `briefing schema`.

Output goes to stdout (Markdown or JSON) or to the files `-o` names; notes about which engine ran,
progress and warnings go to stderr, so `briefing brief a.txt --format json > a.json` stays clean.
Heavy modules (engines, the store) are imported inside the commands, so `briefing --help` is quick.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.errors import BriefingError, ConfigError, InputError

if TYPE_CHECKING:
    from briefing.cli.notes import Notes
    from briefing.config import Settings
    from briefing.models import Article, Brief, BriefOptions
    from briefing.pipeline import BriefCache, Briefer
    from briefing.services.batch import Outcome, Plan, Source

GROUNDING = ("flag", "strict")


def read_article_text(source: str) -> str:
    """The article text from a file path, or from stdin for "-"; errors say what to fix."""
    from briefing.services.batch import decode_article

    if source == "-":
        return decode_article(sys.stdin.buffer.read(), "stdin")
    path = Path(source)
    if not path.exists():
        raise InputError(f"no such file: {source}")
    if path.is_dir():
        raise InputError(f"{source} is a folder; give a text file (or - to read stdin)")
    return decode_article(path.read_bytes(), source)


def open_cache(settings: Settings) -> BriefCache | None:
    """The shared brief store, when caching is on and the store module is installed.

    On the default SQLite store at head this is the sqlite3 path (`briefing.store.lite`), which
    spares a one-article brief SQLAlchemy's import; otherwise the full store.
    """
    if not settings.cache:
        return None
    try:
        from briefing.store.lite import open_brief_cache
    except ImportError:
        return None
    return open_brief_cache(settings)


def engine_note(settings: Settings, engine: str | None, model: str | None) -> str:
    """One stderr line that says which engine will run (and why, when it was not asked for)."""
    name = engine or settings.default_engine
    if name == "llm":
        where = settings.openai_base_url or "api.openai.com"
        return f"engine: llm ({model or settings.model} at {where})"
    if name == "offline" and engine is None and not settings.llm_configured:
        return "engine: offline (no LLM used; set OPENAI_API_KEY or OPENAI_BASE_URL to use one)"
    return f"engine: {name} (no LLM used)"


def _engine(briefer: Briefer, options: BriefOptions, settings: Settings) -> object:
    try:
        return briefer.engine(options)
    except (ImportError, AttributeError) as error:  # an engine module missing or incomplete
        name = options.engine or settings.default_engine
        raise ConfigError(f"the {name} engine is not available in this installation ({error})") from None


def _render(brief: Brief, output_format: str) -> str:
    from briefing.render import brief_to_markdown

    return brief.model_dump_json(indent=2) + "\n" if output_format == "json" else brief_to_markdown(brief)


def _write_outputs(plan: Plan, outcomes: list[Outcome], console: Notes, *, quiet: bool) -> None:
    """Each brief to its file, or all of them to stdout (JSON: one object, or an array for several)."""
    from briefing.services.batch import write_output

    done = [outcome for outcome in outcomes if outcome.brief is not None]
    for outcome in done:
        if outcome.output is not None:
            write_output(outcome.output, _render(outcome.brief, plan.output_format), "-o")  # type: ignore[arg-type]
            if not quiet:
                console.print(f"wrote {outcome.output}", style="dim", highlight=False)
    to_stdout = [outcome.brief for outcome in done if outcome.output is None]
    if not to_stdout:
        return
    if plan.output_format == "json" and len(plan.sources) > 1:
        typer.echo(json.dumps([brief.model_dump(mode="json") for brief in to_stdout], indent=2))  # type: ignore[union-attr]
    else:
        typer.echo("\n---\n\n".join(_render(brief, plan.output_format) for brief in to_stdout), nl=False)  # type: ignore[arg-type]


def _print_plan(plan: Plan, articles: list[Article], settings: Settings, options: BriefOptions) -> None:
    """`--dry-run`: what each input would cost, from the tokenizer and the price table; no LLM call."""
    from briefing.pipeline import Briefer

    engine = _engine(Briefer(settings), options, settings)
    estimate = getattr(engine, "estimate", None)
    if estimate is None:
        for source in plan.sources:
            typer.echo(f"{source.label}: {getattr(engine, 'name', 'this')} engine, no LLM calls, $0")
        return
    calls = prompt_tokens = completion_tokens = 0
    cost: float | None = 0.0
    for source, article in zip(plan.sources, articles, strict=True):
        call_plan = estimate(article)
        typer.echo(
            f"{source.label}: {call_plan.chunks} chunk(s), {call_plan.calls} LLM call(s), "
            f"{call_plan.prompt_tokens} prompt tokens, ≤ {call_plan.completion_tokens_max} completion "
            f"tokens, {_cost(call_plan.cost_usd_max)} ({call_plan.model})"
        )
        calls += call_plan.calls
        prompt_tokens += call_plan.prompt_tokens
        completion_tokens += call_plan.completion_tokens_max
        cost = None if cost is None or call_plan.cost_usd_max is None else cost + call_plan.cost_usd_max
    if len(plan.sources) > 1:
        typer.echo(
            f"total: {calls} LLM call(s), {prompt_tokens} prompt tokens, "
            f"≤ {completion_tokens} completion tokens, {_cost(cost)}"
        )
    typer.echo(
        "dry run: nothing was sent; completion tokens and cost are upper bounds "
        "(BRIEFING_MAX_OUTPUT_TOKENS per call, prices from the table or BRIEFING_PRICES)",
        err=True,
    )


def _cost(value: float | None) -> str:
    return "price unknown (set BRIEFING_PRICES)" if value is None else f"≤ ${value:.4f}"


def _run(
    plan: Plan,
    articles: list[Article | BriefingError],
    settings: Settings,
    options: BriefOptions,
    console: Notes,
    *,
    show_progress: bool,
    concurrency: int,
) -> list[Outcome]:
    import asyncio

    from briefing.cli.progress import BriefProgress
    from briefing.pipeline import Briefer
    from briefing.services.batch import brief_all

    cache = open_cache(settings)
    try:
        briefer = Briefer(settings, cache=cache)
        _engine(briefer, options, settings)
        bars = BriefProgress(console, plan.sources, enabled=show_progress)

        async def brief_one(source: Source, article: Article) -> Brief:
            with bars.track(source):
                return await briefer.brief(article, options)

        async def run() -> list[Outcome]:
            try:
                with bars:
                    return await brief_all(plan, articles, brief_one, concurrency=concurrency)
            finally:
                await briefer.aclose()

        return asyncio.run(run())
    finally:
        close = getattr(cache, "close", None)  # the store's connections, not left to the GC
        if close is not None:
            close()


def brief_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT",
            help="Article files, folders (their .txt and .md files), http(s) URLs, or - for stdin.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="markdown or json (default: from -o FILE's extension, else markdown)."
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE|DIR/",
            help="Write here: a file for one input, a folder for one file each.",
        ),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine", "-e", help="llm, offline or lead (default: llm when an endpoint is configured)."
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="LLM model (default: BRIEFING_MODEL).")
    ] = None,
    prompts: Annotated[
        Path | None, typer.Option("--prompts", help="Folder with your own prompt templates.")
    ] = None,
    grounding: Annotated[str | None, typer.Option("--grounding", help="flag (default) or strict.")] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            help="The article's title, if not in the text. The brief cache is keyed by the text: "
            "add --no-cache to re-brief a text already briefed under another title.",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Make a fresh brief even if one is stored.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the chunks, LLM calls, tokens and cost it would take; call nothing."
        ),
    ] = False,
    concurrency: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Inputs briefed at once.")] = 4,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No engine note, progress or 'wrote' lines.")
    ] = False,
) -> None:
    """Brief articles: headline, summary, actors, status, disputes and next steps, with evidence."""
    from briefing.config import get_settings
    from briefing.engines import check_engine_name
    from briefing.services.batch import plan_inputs

    if grounding is not None and grounding not in GROUNDING:
        raise InputError(f"--grounding must be one of: {', '.join(GROUNDING)}")
    if engine is not None:
        check_engine_name(engine)
    plan = plan_inputs(sources, out, output_format, title=title)
    settings = get_settings()
    if prompts is not None:
        if not prompts.is_dir():
            raise InputError(f"--prompts {prompts}: no such folder")
        settings = settings.model_copy(update={"prompts_dir": prompts})
    if (engine or settings.default_engine) == "llm" and not settings.llm_configured:
        raise ConfigError(
            "the llm engine needs an endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL for a server other "
            "than OpenAI), or leave out --engine to use the offline engine"
        )
    from briefing.models import BriefOptions

    options = BriefOptions(engine=engine, model=model, grounding=grounding, use_cache=not no_cache)  # type: ignore[arg-type]
    import asyncio

    from briefing.services.batch import read_all

    articles = asyncio.run(read_all(plan, settings, title=title))
    unread = [article for article in articles if isinstance(article, BriefingError)]
    if unread and len(articles) == 1:
        raise unread[0]
    if dry_run:
        for source, article in zip(plan.sources, articles, strict=True):
            if isinstance(article, BriefingError):
                raise InputError(f"{source.label}: {article.message}")
        _print_plan(plan, articles, settings, options)  # type: ignore[arg-type]
        return
    from briefing.cli.notes import stderr_notes

    console = stderr_notes()
    if not quiet:
        console.print(engine_note(settings, engine, model), style="dim", highlight=False)
    if plan.make_dir is not None:
        plan.make_dir.mkdir()
    outcomes = _run(
        plan,
        articles,
        settings,
        options,
        console,
        show_progress=not quiet and console.is_terminal,
        concurrency=concurrency,
    )
    several = len(plan.sources) > 1
    for outcome in outcomes:
        for warning in outcome.brief.meta.warnings if outcome.brief else []:
            where = f"{outcome.source.label}: " if several else ""
            console.print(f"warning: {where}{warning}", style="yellow", highlight=False)
    _write_outputs(plan, outcomes, console, quiet=quiet)
    failed = [outcome for outcome in outcomes if outcome.error is not None]
    if not failed:
        return
    if not several:
        raise failed[0].error  # type: ignore[misc]
    for outcome in failed:
        print(f"briefing: error: {outcome.source.label}: {outcome.error}", file=sys.stderr)
    raise typer.Exit(max(outcome.error.exit_code for outcome in failed))  # type: ignore[union-attr]


def schema_command() -> None:
    """Print the JSON Schema of a brief (what `brief --format json` and the API return)."""
    from briefing.models import brief_json_schema

    typer.echo(json.dumps(brief_json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("brief")(brief_command)
    app.command("schema")(schema_command)


__all__ = ["BriefingError", "brief_command", "engine_note", "open_cache", "read_article_text", "register"]
