"""The CI gate: minimum aggregates per engine, and no regression beyond a tolerance from a baseline.

Before any threshold, every measured value is checked for sanity: a quality metric is a rate and
must lie in 0–1, and no value may be NaN or infinite. A broken metric (an F1 of 3.4) fails the
gate whatever the thresholds say, instead of sailing over every minimum.

`evals/thresholds.toml` holds a top-level `tolerance` and one table per engine of minimum values
(`[offline]`, `[llm]`, `[lead]`), checked against the aggregate over every case of the run, plus
optional sub-tables per split (`[offline.dev]`, `[offline.test]`) checked against that split's
aggregate alone, so the held-out split has its own bar. A saved baseline
(`evals/baselines/<engine>.json`) is compared only when it was made on the same cases (same
dataset fingerprint); otherwise the gate says so and skips that check rather than comparing
unlike things.

Bars hold only for the cases they were written for. The file's `[dataset]` table names that case
set (name, path, and per split its case count and fingerprint); a run on other cases (a `--cases`
subset, bring-your-own data, an edited gold set) is reported without the bars unless the user
names the thresholds file with `--thresholds`. The sanity and like-for-like baseline checks hold
for every run.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.errors import InputError
from briefing.evaluation.dataset import SPLITS
from briefing.evaluation.metrics import GOLD_METRICS, REFERENCE_METRICS

DEFAULT_TOLERANCE = 0.02
QUALITY_METRICS = (frozenset(GOLD_METRICS) | frozenset(REFERENCE_METRICS)) - {"unsupported_items"}
"""Higher-is-better metrics, each a rate in 0–1; only these are compared with a baseline
(unsupported_items is a count, not a rate)."""
_SCORE_TABLES = frozenset({"aggregate", "scores", "baseline_scores"})
"""Keys under which the results document holds metric values (run, per case, baseline)."""


@dataclass(frozen=True)
class SplitScope:
    cases: int
    fingerprint: str


@dataclass(frozen=True)
class Scope:
    """The case set the bars were written for (the `[dataset]` table); the fingerprints decide."""

    name: str
    path: str
    splits: dict[str, SplitScope]

    def describe(self) -> str:
        parts = [f"{entry.cases} {split}" for split, entry in self.splits.items()]
        return f"the {' and '.join(parts)} cases of `{self.name}` ({self.path})"


@dataclass(frozen=True)
class Thresholds:
    tolerance: float
    minimums: dict[str, float]
    """Bars for the aggregate over every case of the run."""
    splits: dict[str, dict[str, float]] = field(default_factory=dict)
    """Bars per split (`dev`, `test`) for that split's aggregate."""
    scope: Scope | None = None
    """What the bars were written for; None: any run (a file without a `[dataset]` table)."""


@dataclass
class GateResult:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0
    thresholds_applied: bool = True
    not_applied_reason: str | None = None
    """Why the bars were not applied to this run (shown instead of "passed")."""

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "checked": self.checked,
            "failures": self.failures,
            "notes": self.notes,
            "thresholds_applied": self.thresholds_applied,
            "not_applied_reason": self.not_applied_reason,
        }


def load_thresholds(path: Path, engine: str) -> Thresholds:
    """The engine's table; a missing file or table means "no minimums" (the tolerance still applies)."""
    if not path.exists():
        return Thresholds(DEFAULT_TOLERANCE, {})
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"thresholds file {path}: {error}") from error
    tolerance = raw.get("tolerance", DEFAULT_TOLERANCE)
    scope = _scope(path, raw.get("dataset"))
    table = raw.get(engine, {})
    if not isinstance(tolerance, (int, float)) or not isinstance(table, dict):
        raise InputError(f"thresholds file {path}: `tolerance` must be a number and [{engine}] a table")
    minimums: dict[str, float] = {}
    splits: dict[str, dict[str, float]] = {}
    for name, value in table.items():
        if name in SPLITS and isinstance(value, dict):
            splits[name] = {
                metric: _minimum(path, f"{engine}.{name}", metric, bar) for metric, bar in value.items()
            }
            continue
        minimums[name] = _minimum(path, engine, name, value)
    return Thresholds(float(tolerance), minimums, splits, scope)


def _scope(path: Path, table: object) -> Scope | None:
    """The `[dataset]` table: name, path and `[dataset.<split>]` with `cases` and `fingerprint`."""
    if table is None:
        return None
    shape = InputError(
        f"thresholds file {path}: [dataset] needs a name, a path and split tables "
        '(name = "gold", path = "evals/gold", [dataset.dev] with cases = 44, fingerprint = "…")'
    )
    if not isinstance(table, dict) or not isinstance(table.get("name"), str):
        raise shape
    splits: dict[str, SplitScope] = {}
    for key, value in table.items():
        if key in {"name", "path"}:
            continue
        cases = value.get("cases") if isinstance(value, dict) else None
        fingerprint = value.get("fingerprint") if isinstance(value, dict) else None
        if key not in SPLITS or not isinstance(cases, int) or not isinstance(fingerprint, str):
            raise InputError(
                f"thresholds file {path}: [dataset.{key}] must be a split ({', '.join(SPLITS)}) "
                f"with `cases` (a number) and `fingerprint` (results.json splits.<split>.fingerprint)"
            )
        splits[key] = SplitScope(cases, fingerprint)
    if not splits or not isinstance(table.get("path"), str):
        raise shape
    return Scope(table["name"], table["path"], splits)


def scope_mismatch(results: dict[str, Any], scope: Scope) -> str | None:
    """Why this run is not on the cases the bars were written for; None when it is.

    A run over whole declared splits (`--split all|dev|test`) matches; any other case set does not.
    """
    present = results.get("splits") or {}
    if not present:
        return "this run has no cases of a known split"
    for split, entry in present.items():
        declared = scope.splits.get(split)
        if declared is None:
            return f"this run has {split} cases, and they name no {split} case set"
        if entry.get("fingerprint") != declared.fingerprint:
            return (
                f"this run's {entry.get('cases')} {split} case(s) of `{results['dataset']['name']}` are "
                f"other cases (fingerprint {entry.get('fingerprint')}, not {declared.fingerprint})"
            )
    return None


def gate_run(
    results: dict[str, Any],
    thresholds: Thresholds,
    baseline: dict[str, Any] | None,
    *,
    source: str,
    explicit: bool,
) -> GateResult:
    """The gate for a run: the bars only on the cases they were written for, unless named explicitly.

    Off scope, the sanity checks and a like-for-like baseline comparison still run, and the result
    says why the bars were left out and how to apply them anyway.
    """
    scope = thresholds.scope
    reason = scope_mismatch(results, scope) if scope is not None else None
    if reason is None:
        return check(results, thresholds, baseline)
    assert scope is not None
    written_for = f"the thresholds in {source} were written for {scope.describe()}; {reason}"
    if explicit:
        gate = check(results, thresholds, baseline)
        gate.notes.append(f"{written_for}; applied anyway because --thresholds was given")
        return gate
    gate = check(results, Thresholds(thresholds.tolerance, {}), baseline)
    gate.thresholds_applied = False
    gate.not_applied_reason = f"{written_for}. Add `--thresholds {source}` to gate on them anyway."
    return gate


def _minimum(path: Path, table: str, name: str, value: object) -> float:
    """One bar: a known higher-is-better metric with a number."""
    if name not in QUALITY_METRICS or not isinstance(value, (int, float)) or isinstance(value, bool):
        known = ", ".join(sorted(QUALITY_METRICS))
        raise InputError(
            f"thresholds file {path}: [{table}] {name} must be a number and one of: {known}"
            f" (sub-tables allowed: {', '.join(SPLITS)})"
        )
    return float(value)


def load_baseline(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(
            f"baseline {path} is not readable JSON ({error}); re-save it with --save-baseline"
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("aggregate"), dict):
        raise InputError(f"baseline {path} has no `aggregate` object; re-save it with --save-baseline")
    return data


def baseline_document(results: dict[str, Any]) -> dict[str, Any]:
    """What `--save-baseline` keeps: the aggregate and what it was measured on."""
    return {
        "format": results.get("format"),
        "engine": results["engine"],
        "dataset": results["dataset"],
        "aggregate": {k: v for k, v in results["aggregate"].items() if k in QUALITY_METRICS},
        "splits": {
            name: {
                "cases": entry["cases"],
                "fingerprint": entry.get("fingerprint"),
                "aggregate": {k: v for k, v in entry["aggregate"].items() if k in QUALITY_METRICS},
            }
            for name, entry in (results.get("splits") or {}).items()
        },
    }


def _check_minimums(
    gate: GateResult, aggregate: dict[str, float | None], minimums: dict[str, float], prefix: str
) -> None:
    for name, minimum in sorted(minimums.items()):
        value = aggregate.get(name)
        if name not in aggregate:
            gate.notes.append(f"{prefix}{name}: not measured on this dataset; threshold skipped")
            continue
        gate.checked += 1
        if value is None or value < minimum:
            shown = "n/a" if value is None else f"{value:.3f}"
            gate.failures.append(f"{prefix}{name} = {shown} is below the threshold {minimum:.3f}")


def _score_tables(node: Any, where: tuple[str, ...] = ()) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every metric table in the results document, labelled by where it sits ("case x baseline_scores")."""
    if isinstance(node, list):
        for value in node:
            yield from _score_tables(value, where)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("id"), str):  # a case entry
        where = (f"case {node['id']}",)
    for key, value in node.items():
        inner = where if key in {"cases", "scores"} else (*where, key)
        if key in _SCORE_TABLES and isinstance(value, dict):
            yield " ".join(inner) or key, value
        else:
            yield from _score_tables(value, inner)


def check_ranges(results: dict[str, Any]) -> list[str]:
    """Values no correct metric can take: a rate outside 0–1, or NaN/infinity anywhere."""
    failures: list[str] = []
    for where, table in _score_tables(results):
        for name, value in sorted(table.items()):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if not math.isfinite(value):
                failures.append(f"{name} = {value} ({where}) is not a number: the metric is broken")
            elif name in QUALITY_METRICS and not 0.0 <= value <= 1.0:
                failures.append(f"{name} = {value:.3f} ({where}) is outside 0–1: the metric is broken")
    return failures


def check(
    results: dict[str, Any], thresholds: Thresholds, baseline: dict[str, Any] | None = None
) -> GateResult:
    """Every failing metric, with the value, the bar and why, in one list."""
    gate = GateResult(failures=check_ranges(results))
    aggregate: dict[str, float | None] = results["aggregate"]
    _check_minimums(gate, aggregate, thresholds.minimums, "")
    present = results.get("splits") or {}
    for split, minimums in sorted(thresholds.splits.items()):
        if split not in present:
            gate.notes.append(f"{split}: no {split} cases in this run; its thresholds were skipped")
            continue
        _check_minimums(gate, present[split]["aggregate"], minimums, f"{split}: ")
    if baseline is None:
        return gate
    if baseline.get("dataset", {}).get("fingerprint") == results["dataset"]["fingerprint"]:
        _check_regression(gate, aggregate, baseline["aggregate"], thresholds.tolerance, "")
        return gate
    # Different cases overall (e.g. new held-out cases): compare the splits that are unchanged.
    compared = False
    saved_splits = baseline.get("splits") or {}
    for split, entry in sorted(present.items()):
        saved = saved_splits.get(split)
        if isinstance(saved, dict) and saved.get("fingerprint") == entry.get("fingerprint"):
            _check_regression(
                gate, entry["aggregate"], saved.get("aggregate") or {}, thresholds.tolerance, f"{split}: "
            )
            compared = True
    if not compared:
        gate.notes.append(
            "baseline was measured on different cases; regression check skipped "
            "(re-save it with --save-baseline)"
        )
    return gate


def _check_regression(
    gate: GateResult,
    aggregate: dict[str, float | None],
    before_aggregate: dict[str, Any],
    tolerance: float,
    prefix: str,
) -> None:
    for name, before in sorted(before_aggregate.items()):
        now = aggregate.get(name)
        if name not in QUALITY_METRICS or before is None or now is None:
            continue
        gate.checked += 1
        if now < before - tolerance:
            gate.failures.append(
                f"{prefix}{name} regressed from {before:.3f} to {now:.3f} "
                f"(more than the tolerance {tolerance})"
            )
