"""`briefing eval --compare A B`: two finished runs side by side, metric by metric and case by case.

Only the cases both runs scored are compared, and every aggregate is recomputed over them from the
per-case scores in results.json, so a delta never mixes unlike case sets. A case counts as better
or worse when its case score (the mean of a few headline metrics) moved by at least `MIN_DELTA`,
or when it failed in one run only. Reads only results.json, so old runs can be compared any time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from briefing.errors import InputError
from briefing.evaluation.dataset import SPLITS
from briefing.evaluation.metrics import COST_METRICS, aggregate
from briefing.evaluation.runner import RESULTS_FORMAT

COMPARE_FORMAT = "briefing-compare/1"
MIN_DELTA = 0.01
"""Smallest change of a case score that counts as better or worse (smaller moves are noise)."""
CASE_SCORE_METRICS = {
    "gold": ("actor_f1", "status_f1", "disputes_f1", "next_steps_f1", "rougeL"),
    "reference": ("rouge1", "rouge2", "rougeL", "rougeLsum"),
}
"""The metrics whose mean is a case's score, per dataset kind."""
LOWER_IS_BETTER = frozenset({*COST_METRICS, "unsupported_items"})


def load_run(path: Path) -> dict[str, Any]:
    """A run folder (or its results.json) as written by `briefing eval`; anything else is an input error."""
    if not path.exists():
        raise InputError(f"run folder {path} does not exist")
    file = path / "results.json" if path.is_dir() else path
    if not file.is_file():
        raise InputError(f"{path} has no results.json; give a folder written by `briefing eval --out`")
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{file} is not readable JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != RESULTS_FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise InputError(f"{file} is not a {RESULTS_FORMAT} results file (format: {found!r})")
    shapes = {"cases": list, "dataset": dict, "engine": dict, "metrics": list}
    for key, kind in shapes.items():
        if not isinstance(document.get(key), kind):
            raise InputError(f"{file} has no `{key}` {kind.__name__}; is it a complete eval run?")
    return document


def _label(document: dict[str, Any], path: Path) -> dict[str, Any]:
    engine = document["engine"]
    return {
        "path": str(path),
        "engine": engine.get("name"),
        "model": engine.get("model"),
        "prompt_version": engine.get("prompt_version"),
        "dataset": document["dataset"].get("name"),
        "cases": len(document["cases"]),
    }


def _rows(names: list[str], a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        left, right = a.get(name), b.get(name)
        delta = right - left if isinstance(left, (int, float)) and isinstance(right, (int, float)) else None
        rows.append(
            {"name": name, "a": left, "b": right, "delta": delta, "lower_is_better": name in LOWER_IS_BETTER}
        )
    return rows


def _case_score(scores: dict[str, Any], names: tuple[str, ...]) -> float | None:
    values = [float(scores[name]) for name in names if isinstance(scores.get(name), (int, float))]
    return sum(values) / len(values) if values else None


def _case_change(case_a: dict[str, Any], case_b: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    score_a, score_b = _case_score(case_a["scores"], names), _case_score(case_b["scores"], names)
    delta = score_b - score_a if score_a is not None and score_b is not None else None
    moves = []
    for name in names:
        left, right = case_a["scores"].get(name), case_b["scores"].get(name)
        if (
            isinstance(left, (int, float))
            and isinstance(right, (int, float))
            and abs(right - left) >= MIN_DELTA
        ):
            moves.append({"name": name, "a": left, "b": right, "delta": right - left})
    return {
        "id": case_a["id"],
        "split": case_a.get("split"),
        "a": score_a,
        "b": score_b,
        "delta": delta,
        "a_ok": case_a.get("ok", True),
        "b_ok": case_b.get("ok", True),
        "moves": moves,
        "a_brief": _headline(case_a),
        "b_brief": _headline(case_b),
    }


def _headline(case: dict[str, Any]) -> dict[str, Any]:
    brief = case.get("brief") or {}
    return {"headline": brief.get("headline"), "summary": brief.get("summary"), "error": case.get("error")}


def _direction(change: dict[str, Any]) -> str:
    if change["a_ok"] != change["b_ok"]:
        return "better" if change["b_ok"] else "worse"
    delta = change["delta"]
    if delta is None or abs(delta) < MIN_DELTA:
        return "same"
    return "better" if delta > 0 else "worse"


def compare_runs(a: dict[str, Any], b: dict[str, Any], path_a: Path, path_b: Path) -> dict[str, Any]:
    """The comparison document (compare.json): aggregates with deltas, per split, better/worse cases."""
    kind_a, kind_b = a["dataset"].get("kind"), b["dataset"].get("kind")
    if kind_a != kind_b:
        raise InputError(
            f"cannot compare {path_a} ({kind_a} data) with {path_b} ({kind_b} data): their metrics differ"
        )
    by_id_b = {case["id"]: case for case in b["cases"]}
    ids_a = [case["id"] for case in a["cases"]]
    only_a = [case_id for case_id in ids_a if case_id not in by_id_b]
    only_b = sorted(set(by_id_b) - set(ids_a))
    pairs, changed_gold = [], []
    for case in a["cases"]:
        other = by_id_b.get(case["id"])
        if other is None:
            continue
        if (case.get("gold"), case.get("reference")) != (other.get("gold"), other.get("reference")):
            changed_gold.append(case["id"])  # same id, different annotation: not comparable
            continue
        pairs.append((case, other))
    if not pairs:
        raise InputError(
            f"{path_a} and {path_b} have no case in common with the same gold; nothing to compare"
        )
    names = [name for name in a["metrics"] if name in b["metrics"]]
    same_cases = not only_a and not only_b and not changed_gold

    def agg(cases: list[dict[str, Any]], stored: dict[str, Any] | None) -> dict[str, Any]:
        values = aggregate(
            [case["scores"] for case in cases], names, [case.get("cost") or {} for case in cases]
        )
        if same_cases and stored:  # judge scores live only in the stored aggregate
            values.update({k: v for k, v in stored.items() if k.startswith("judge_")})
        return values

    left = agg([pair[0] for pair in pairs], a.get("aggregate"))
    right = agg([pair[1] for pair in pairs], b.get("aggregate"))
    shown = [*names, *sorted(k for k in left if k.startswith("judge_") and k in right), *COST_METRICS]
    splits = {}
    for split in SPLITS:
        chosen = [pair for pair in pairs if pair[0].get("split") == split]
        if chosen:
            split_a = aggregate([pair[0]["scores"] for pair in chosen], names)
            split_b = aggregate([pair[1]["scores"] for pair in chosen], names)
            splits[split] = {"cases": len(chosen), "metrics": _rows(names, split_a, split_b)}
    score_names = tuple(name for name in CASE_SCORE_METRICS.get(kind_a or "", ()) if name in names)
    changes = [_case_change(pair[0], pair[1], score_names) for pair in pairs]
    better = sorted((c for c in changes if _direction(c) == "better"), key=lambda c: -(c["delta"] or 0))
    worse = sorted((c for c in changes if _direction(c) == "worse"), key=lambda c: c["delta"] or 0)
    return {
        "format": COMPARE_FORMAT,
        "a": _label(a, path_a),
        "b": _label(b, path_b),
        "kind": kind_a,
        "compared_cases": len(pairs),
        "only_a": only_a,
        "only_b": only_b,
        "gold_changed": changed_gold,
        "metrics": _rows([name for name in shown if name in left or name in right], left, right),
        "splits": splits,
        "case_score": list(score_names),
        "min_delta": MIN_DELTA,
        "better": better,
        "worse": worse,
        "same": len(changes) - len(better) - len(worse),
    }


def write_comparison(comparison: dict[str, Any], out: Path) -> dict[str, Path]:
    """compare.json, compare.md and compare.html in `out` (created if needed)."""
    from briefing.evaluation.report import render_comparison_html, render_comparison_md

    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "compare.json", "md": out / "compare.md", "html": out / "compare.html"}
    paths["json"].write_text(json.dumps(comparison, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["md"].write_text(render_comparison_md(comparison), encoding="utf-8")
    paths["html"].write_text(render_comparison_html(comparison), encoding="utf-8")
    return paths
