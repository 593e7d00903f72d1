"""`briefing eval`: run the eval suite, write reports, gate on thresholds and baselines.

Exit codes: 0 passed, 1 the gate failed, 2 bad input (dataset, case ids, replay recordings).
The summary is printed to stdout at the end so CI logs show it without opening an artifact.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.errors import InputError

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.evaluation.dataset import Dataset
    from briefing.evaluation.runner import EvalOptions

REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_path(relative: str) -> Path:
    """A path under the working directory, else under the source checkout (for runs from elsewhere)."""
    here = Path(relative)
    if here.exists():
        return here
    candidate = REPO_ROOT / relative
    return candidate if candidate.exists() else here


def _split_cases(values: list[str] | None) -> list[str]:
    return [piece.strip() for value in values or [] for piece in value.split(",") if piece.strip()]


def run_command(
    *,
    settings: Settings,
    engine: str | None,
    model: str | None,
    dataset: Path | None,
    cases: list[str] | None,
    out: Path | None,
    fields: list[str] | None = None,
    split: str = "all",
    baseline: str,
    concurrency: int | None,
    record: Path | None,
    replay: Path | None,
    judge: bool,
    repeat: int,
    thresholds: Path | None,
    baselines_dir: Path | None,
    save_baseline: bool,
    gate: bool,
    progress: bool,
) -> int:
    """The whole command as a function (the tests call it directly); returns the exit code."""
    from pydantic import SecretStr

    from briefing.engines import check_engine_name
    from briefing.evaluation.dataset import load_dataset, parse_field_map
    from briefing.evaluation.gate import baseline_document, gate_run, load_baseline, load_thresholds
    from briefing.evaluation.report import write_reports
    from briefing.evaluation.runner import EvalOptions

    if record is not None and replay is not None:
        raise InputError("use either --record or --replay, not both")
    if repeat < 1:
        raise InputError("--repeat must be at least 1")
    if replay is not None and not settings.llm_configured:
        # Replay never opens a connection, so it must not need a real key.
        settings = settings.model_copy(update={"openai_api_key": SecretStr("replay-without-key")})
    engine_name = engine or settings.default_engine
    baseline_name = None if baseline.lower() in {"", "none", "off"} else baseline
    if baseline_name is not None:
        check_engine_name(baseline_name, "--baseline engine")
    if thresholds is not None and not thresholds.is_file():
        raise InputError(f"thresholds file {thresholds} does not exist")
    thresholds_path = thresholds or _default_path("evals/thresholds.toml")
    baseline_path = (baselines_dir or _default_path("evals/baselines")) / f"{engine_name}.json"
    bars = load_thresholds(thresholds_path, engine_name) if gate else None  # a bad file fails up front
    data = load_dataset(dataset or _default_path("evals/gold"), parse_field_map(fields or []))
    if data.ignored_fields:
        names = ", ".join(data.ignored_fields)
        print(
            f"briefing: ignored {len(data.ignored_fields)} unknown field(s) in {data.path}: {names}"
            " (map one with --field reference=COLUMN)",
            file=sys.stderr,
        )
    selected = _split_cases(cases)
    if selected:
        data = data.select(selected)
    data = data.split(split.strip().lower())
    out_dir = out or Path("evals/runs") / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{engine_name}"
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is a file; give a folder for the reports")
    try:  # before the run, so a bad --out does not waste it
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot write reports to {out_dir}: {error.strerror or error}") from None
    options = EvalOptions(
        engine=engine_name,
        model=model,
        baseline=baseline_name,
        concurrency=concurrency or settings.llm_max_concurrency,
        record=record,
        replay=replay,
        judge=judge,
        judge_repeat=repeat,
    )
    results = _run_with_progress(data, settings, options, progress)

    gate_result = None
    if bars is not None:
        gate_result = gate_run(
            results,
            bars,
            load_baseline(baseline_path),
            source=str(thresholds_path),
            explicit=thresholds is not None,
        ).to_json()
    paths = write_reports(results, out_dir, gate_result)
    if save_baseline:
        baseline_path.parent.mkdir(parents=True, exist_ok=True)
        baseline_path.write_text(
            json.dumps(baseline_document(results), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        print(f"briefing: saved baseline {baseline_path}", file=sys.stderr)
    print(paths["summary"].read_text(encoding="utf-8"))
    print(f"briefing: reports in {out_dir} (results.json, summary.md, report.html)", file=sys.stderr)
    if gate_result is not None and not gate_result["passed"]:
        print("briefing: the gate failed; --no-gate reports without failing", file=sys.stderr)
        return 1
    return 0


def compare_command(run_a: Path, run_b: Path, out: Path | None) -> int:
    """`--compare A B`: the comparison on stdout and in compare.{json,md,html}; never gates."""
    from briefing.evaluation.compare import compare_runs, load_run, write_comparison

    first, second = load_run(run_a), load_run(run_b)  # both checked before anything is written
    comparison = compare_runs(first, second, run_a, run_b)
    out_dir = out or Path("evals/runs") / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-compare"
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is a file; give a folder for the comparison")
    try:
        paths = write_comparison(comparison, out_dir)
    except OSError as error:
        raise InputError(f"cannot write the comparison to {out_dir}: {error.strerror or error}") from None
    print(paths["md"].read_text(encoding="utf-8"))
    print(f"briefing: comparison in {out_dir} (compare.json, compare.md, compare.html)", file=sys.stderr)
    return 0


def _run_with_progress(
    data: Dataset, settings: Settings, options: EvalOptions, progress: bool
) -> dict[str, Any]:
    import asyncio

    from briefing.evaluation.runner import run_eval

    if not progress:
        return asyncio.run(run_eval(data, settings, options))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(f"eval {options.engine}", total=len(data.cases))
        return asyncio.run(run_eval(data, settings, options, progress=lambda _case: bar.advance(task)))


def register(app: typer.Typer) -> None:
    """Add the `eval` command."""

    @app.command("eval")
    def eval_command(
        engine: Annotated[
            str | None, typer.Option(help="Engine: offline, llm or lead (default: settings).")
        ] = None,
        model: Annotated[
            str | None, typer.Option(help="Model for the llm engine (default: settings).")
        ] = None,
        dataset: Annotated[
            Path | None,
            typer.Option(help="Folder of gold YAML cases (default evals/gold) or a .jsonl of references."),
        ] = None,
        cases: Annotated[
            list[str] | None,
            typer.Option("--cases", help="Only these case ids (comma-separated or repeated)."),
        ] = None,
        field: Annotated[
            list[str] | None,
            typer.Option(
                "--field",
                help="Map a .jsonl column to a field, as FIELD=COLUMN (repeatable): "
                "reference=highlights, article=text, id=url.",
            ),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                help="Output folder (default: a new one under evals/runs, named by time and engine)."
            ),
        ] = None,
        split: Annotated[
            str,
            typer.Option(
                help="Cases of one split: dev (tuned on), test (held out) or all (both, side by side)."
            ),
        ] = "all",
        baseline: Annotated[
            str, typer.Option(help="Baseline engine run alongside; 'none' to skip.")
        ] = "lead",
        concurrency: Annotated[
            int | None, typer.Option(min=1, help="Cases in flight; default: the LLM concurrency setting.")
        ] = None,
        record: Annotated[Path | None, typer.Option(help="Record every LLM request/response in DIR.")] = None,
        replay: Annotated[Path | None, typer.Option(help="Serve LLM responses from DIR; no network.")] = None,
        judge: Annotated[bool, typer.Option("--judge", help="Also score with the LLM judge.")] = False,
        repeat: Annotated[int, typer.Option(min=1, help="Ask the judge N times to show its spread.")] = 1,
        thresholds: Annotated[
            Path | None, typer.Option(help="Thresholds file (default: thresholds.toml in evals).")
        ] = None,
        baselines_dir: Annotated[
            Path | None, typer.Option(help="Folder of saved baselines (default: baselines in evals).")
        ] = None,
        save_baseline: Annotated[
            bool,
            typer.Option(
                "--save-baseline",
                help="Save this run as the baseline of its engine (ENGINE.json in the baselines folder).",
            ),
        ] = False,
        gate: Annotated[
            bool, typer.Option("--gate/--no-gate", help="Fail below thresholds or baseline.")
        ] = True,
        progress: Annotated[
            bool | None,
            typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal)."),
        ] = None,
        compare: Annotated[
            tuple[Path, Path] | None,
            typer.Option(
                "--compare",
                metavar="RUN_A RUN_B",
                help="Compare two finished runs (their --out folders) instead of running: "
                "metric deltas, better and worse cases, compare.html.",
            ),
        ] = None,
    ) -> None:
        """Run the eval suite and write results.json, summary.md and report.html.

        With --compare RUN_A RUN_B, compare two finished runs instead.
        """
        if compare is not None:
            given = {"--engine": engine, "--model": model, "--dataset": dataset, "--cases": cases,
                     "--field": field, "--record": record, "--replay": replay,
                     "--judge": judge or None, "--save-baseline": save_baseline or None}  # fmt: skip
            clash = [name for name, value in given.items() if value]
            if clash:
                raise InputError(
                    f"--compare reads two finished runs; it cannot be used with {', '.join(clash)}"
                )
            code = compare_command(compare[0], compare[1], out)
            if code:
                raise typer.Exit(code)
            return
        from briefing.config import get_settings  # here: settings cost ~0.1 s of every command's start

        code = run_command(
            settings=get_settings(),
            engine=engine,
            model=model,
            dataset=dataset,
            cases=cases,
            out=out,
            fields=field,
            split=split,
            baseline=baseline,
            concurrency=concurrency,
            record=record,
            replay=replay,
            judge=judge,
            repeat=repeat,
            thresholds=thresholds,
            baselines_dir=baselines_dir,
            save_baseline=save_baseline,
            gate=gate,
            progress=sys.stderr.isatty() if progress is None else progress,
        )
        if code:
            raise typer.Exit(code)
