"""The eval runner: every case through the production pipeline, scored, with a baseline alongside.

Cases run concurrently (bounded), each through `Briefer(settings, cache=None)` so grounding is
exactly what users get. A case that fails is recorded with its error and scores 0; it never stops
the run. Results are ordered by case id and carry no timestamps, so two runs of a deterministic
engine write the same quality figures.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from briefing.config import Settings
from briefing.engines import Engine, get_engine
from briefing.evaluation.dataset import SPLITS, Dataset, EvalCase
from briefing.evaluation.metrics import (
    COST_METRICS,
    GOLD_METRICS,
    REFERENCE_METRICS,
    CaseMatches,
    aggregate,
    failed_scores,
    score_gold,
    score_reference,
)
from briefing.evaluation.recording import RecordingTransport, current_case, recording_client
from briefing.models import Brief, BriefOptions
from briefing.pipeline import Briefer

RESULTS_FORMAT = "briefing-eval/1"
ProgressHook = Callable[[str], None]


@dataclass
class EvalOptions:
    engine: str
    model: str | None = None
    baseline: str | None = "lead"
    concurrency: int = 4
    record: Path | None = None
    replay: Path | None = None
    judge: bool = False
    judge_repeat: int = 1


@dataclass
class CaseRun:
    case: EvalCase
    brief: Brief | None
    error: str | None
    latency_ms: float
    scores: dict[str, float | None] = field(default_factory=dict)
    matches: CaseMatches | None = None


class _EvalBriefer(Briefer):
    """The production pipeline, with the LLM engine given the eval's (recording) HTTP client."""

    def __init__(self, settings: Settings, http_client: httpx2.AsyncClient | None) -> None:
        super().__init__(settings, cache=None)
        self._http_client = http_client

    def _build_engine(self, name: str, model: str | None) -> Engine:
        return build_engine(name, self.settings, model, self._http_client)


def build_engine(
    name: str, settings: Settings, model: str | None, http_client: httpx2.AsyncClient | None
) -> Engine:
    """The registry's engine; the LLM engine gets the injected client when there is one."""
    if http_client is None or name != "llm":
        return get_engine(name, settings, model=model)
    from briefing.engines.llm import LLMEngine

    if "http_client" not in inspect.signature(LLMEngine).parameters:
        from briefing.errors import ConfigError

        raise ConfigError("this LLM engine cannot take an HTTP client, so --record/--replay are unavailable")
    return LLMEngine(settings, model=model, http_client=http_client)


def metric_names(dataset: Dataset) -> tuple[str, ...]:
    return GOLD_METRICS if dataset.kind == "gold" else REFERENCE_METRICS


def dataset_fingerprint(dataset: Dataset) -> str:
    """Changes when any case (article or gold) changes, so baselines are compared like for like."""
    return _fingerprint(dataset.cases)


def split_fingerprints(dataset: Dataset) -> dict[str, str]:
    """Per split present, the fingerprint of its cases (what `[dataset.<split>]` in thresholds names)."""
    return {name: _fingerprint(c for c in dataset.cases if c.split == name) for name in dataset.splits()}


def _fingerprint(cases: Iterable[EvalCase]) -> str:
    digest = hashlib.sha256()
    for case in cases:
        digest.update(case.model_dump_json().encode("utf-8"))
    return digest.hexdigest()[:16]


def _score(run: CaseRun, kind: str) -> None:
    names = GOLD_METRICS if kind == "gold" else REFERENCE_METRICS
    if run.brief is None:
        run.scores = failed_scores(names)
        return
    if kind == "gold":
        assert run.case.gold is not None
        run.scores, run.matches = score_gold(run.case.gold, run.brief)
    else:
        run.scores = score_reference(run.case.reference or "", run.brief)


async def _run_engine(
    dataset: Dataset,
    briefer: Briefer,
    engine: str,
    model: str | None,
    concurrency: int,
    progress: ProgressHook | None,
) -> list[CaseRun]:
    semaphore = asyncio.Semaphore(max(1, concurrency))
    options = BriefOptions(engine=engine, model=model, use_cache=False, grounding="flag")

    async def one(case: EvalCase) -> CaseRun:
        async with semaphore:
            current_case.set(case.id)
            started = time.perf_counter()
            brief: Brief | None = None
            error: str | None = None
            try:
                brief = await briefer.brief(case.to_article(), options)
            except Exception as failure:  # one bad case must not end the run; it is scored 0
                error = f"{type(failure).__name__}: {failure}"
            run = CaseRun(case, brief, error, (time.perf_counter() - started) * 1000)
            _score(run, dataset.kind)
            if progress is not None:
                progress(case.id)
            return run

    # Each case gets its own task, hence its own context for `current_case`.
    runs = await asyncio.gather(*(asyncio.create_task(one(case)) for case in dataset.cases))
    return sorted(runs, key=lambda run: run.case.id)


def _cost(run: CaseRun) -> dict[str, float]:
    meta = run.brief.meta if run.brief is not None else None
    return {
        "llm_calls": meta.llm_calls if meta else 0,
        "prompt_tokens": meta.prompt_tokens if meta else 0,
        "completion_tokens": meta.completion_tokens if meta else 0,
        "cost_usd": (meta.cost_usd or 0.0) if meta else 0.0,
        "latency_ms": round(run.latency_ms, 1),
    }


def _matches_json(matches: CaseMatches | None) -> dict[str, Any] | None:
    if matches is None:
        return None
    found = {"actors": matches.actors, **matches.sections}
    return {
        name: {"gold_match": list(result.gold_match), "pred_match": list(result.pred_match)}
        for name, result in found.items()
        if result is not None
    }


def split_aggregates(
    runs: list[CaseRun], baseline_runs: list[CaseRun] | None, names: tuple[str, ...]
) -> dict[str, Any]:
    """Per split present (dev, then test): case count and the engine's and baseline's aggregates.

    Reports show the splits side by side, so a gap between tuned-on and held-out cases is visible.
    """
    splits: dict[str, Any] = {}
    for name in SPLITS:
        mine = [run for run in runs if run.case.split == name]
        if not mine:
            continue
        ids = {run.case.id for run in mine}
        theirs = [run for run in baseline_runs or [] if run.case.id in ids]
        splits[name] = {
            "cases": len(mine),
            "fingerprint": _fingerprint(run.case for run in mine),
            "errors": sum(run.error is not None for run in mine),
            "aggregate": aggregate([run.scores for run in mine], names),
            "baseline_aggregate": aggregate([run.scores for run in theirs], names) if theirs else None,
        }
    return splits


def _case_json(run: CaseRun, baseline: CaseRun | None) -> dict[str, Any]:
    brief = None
    if run.brief is not None:
        brief = run.brief.model_dump(mode="json", exclude={"meta": {"latency_ms"}})
    entry: dict[str, Any] = {
        "id": run.case.id,
        "title": run.case.title,
        "language": run.case.language,
        "tags": run.case.tags,
        "split": run.case.split,
        "ok": run.error is None,
        "error": run.error,
        "scores": run.scores,
        "cost": _cost(run),
        "brief": brief,
        "matches": _matches_json(run.matches),
        "gold": run.case.gold.model_dump(mode="json") if run.case.gold is not None else None,
        "reference": run.case.reference,
        "baseline_scores": baseline.scores if baseline is not None else None,
        "baseline_summary": baseline.brief.summary if baseline is not None and baseline.brief else None,
    }
    return entry


async def run_eval(
    dataset: Dataset,
    settings: Settings,
    options: EvalOptions,
    *,
    progress: ProgressHook | None = None,
) -> dict[str, Any]:
    """Run the engine (and the baseline) over the dataset; return the results.json document."""
    http_client: httpx2.AsyncClient | None = None
    transport: RecordingTransport | None = None
    if options.record is not None or options.replay is not None:
        directory, mode = (
            (options.replay, "replay") if options.replay is not None else (options.record, "record")
        )
        assert directory is not None
        http_client, transport = recording_client(directory, mode, timeout=settings.llm_timeout)
    briefer = _EvalBriefer(settings, http_client)
    try:
        engine = briefer.engine(BriefOptions(engine=options.engine, model=options.model))
        runs = await _run_engine(
            dataset, briefer, options.engine, options.model, options.concurrency, progress
        )
        baseline_runs: list[CaseRun] | None = None
        if options.baseline and options.baseline != options.engine:
            baseline_runs = await _run_engine(
                dataset, briefer, options.baseline, None, options.concurrency, None
            )
        judge_result = None
        if options.judge:
            from briefing.evaluation.judge import judge_runs

            judge_result = await judge_runs(runs, settings, http_client, repeat=options.judge_repeat)
    finally:
        await briefer.aclose()
        if http_client is not None:
            await http_client.aclose()
    if transport is not None and transport.mode == "replay":
        transport.raise_for_misses()

    names = metric_names(dataset)
    result_aggregate = aggregate([run.scores for run in runs], names, [_cost(run) for run in runs])
    if judge_result is not None:
        result_aggregate.update(judge_result["aggregate"])
    by_id = {run.case.id: run for run in baseline_runs or []}
    document: dict[str, Any] = {
        "format": RESULTS_FORMAT,
        "dataset": {
            "name": dataset.name,
            "path": str(dataset.path),
            "kind": dataset.kind,
            "cases": len(dataset.cases),
            "split": dataset.selection,
            "fingerprint": dataset_fingerprint(dataset),
            "fields": dict(dataset.fields or {}),
            "ignored_fields": list(dataset.ignored_fields),
        },
        "engine": {"name": engine.name, "model": engine.model, "prompt_version": engine.prompt_version},
        "metrics": list(names),
        "aggregate": result_aggregate,
        "errors": sum(run.error is not None for run in runs),
        "splits": split_aggregates(runs, baseline_runs, names),
        "baseline": None,
        "judge": judge_result,
        "cases": [_case_json(run, by_id.get(run.case.id)) for run in runs],
    }
    if baseline_runs is not None:
        document["baseline"] = {
            "engine": options.baseline,
            "aggregate": aggregate([run.scores for run in baseline_runs], names),
        }
    if transport is not None:
        document["recording"] = {
            "mode": transport.mode,
            "dir": str(transport.directory),
            "served": transport.served,
            "recorded": transport.recorded,
        }
    return document


__all__ = ["COST_METRICS", "EvalOptions", "run_eval"]
