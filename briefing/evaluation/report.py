"""Reports from a results document: results.json, summary.md (CI job summary) and report.html.

The HTML page is self-contained (inline CSS and SVG, no scripts), so a CI artifact opens anywhere.
Everything here reads only the results document, so a report can be rebuilt from results.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from briefing.evaluation.metrics import SECTIONS

SECTION_LABELS = {"actors": "Actors", "status": "Status", "disputes": "Disputes", "next_steps": "Next steps"}
HEADLINE_METRICS = (
    "schema_valid_rate",
    "actor_f1",
    "status_f1",
    "disputes_f1",
    "next_steps_f1",
    "next_steps_precision",
    "next_steps_recall",
    "grounded_rate",
    "rouge1",
    "rouge2",
    "rougeL",
    "rougeLsum",
)


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("briefing.evaluation", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = format_number
    env.filters["delta"] = format_delta
    return env


def format_number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 10):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_delta(value: Any, digits: int = 3) -> str:
    """A signed change (`+0.031`, `-12`); empty when either side is missing."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 10):
        return f"{int(value):+,}"
    return f"{value:+.{digits}f}"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    baseline: float | None


def section_bars(results: dict[str, Any]) -> list[Bar]:
    """F1 per section for the engine and the baseline (one grouped bar chart)."""
    aggregate = results["aggregate"]
    base = (results.get("baseline") or {}).get("aggregate", {})
    names = [("actors", "actor_f1"), *((s, f"{s}_f1") for s in SECTIONS)]
    bars = [Bar(SECTION_LABELS[key], aggregate.get(metric), base.get(metric)) for key, metric in names]
    for metric in ("grounded_rate", "rouge1", "rouge2", "rougeL", "rougeLsum"):
        if metric in aggregate:
            bars.append(Bar(metric, aggregate.get(metric), base.get(metric)))
    return [bar for bar in bars if bar.value is not None or bar.baseline is not None]


def distribution(results: dict[str, Any], metric: str, bins: int = 10) -> list[int]:
    """How many cases fall in each tenth of [0, 1] for one metric."""
    counts = [0] * bins
    for case in results["cases"]:
        value = case["scores"].get(metric)
        if value is not None:
            counts[min(bins - 1, int(value * bins))] += 1
    return counts


def distribution_metrics(results: dict[str, Any]) -> list[str]:
    wanted = ("actor_f1", "status_f1", "next_steps_f1", "rouge1", "rougeL", "rougeLsum")
    return [metric for metric in wanted if metric in results["aggregate"]]


def _item_text(section: str, item: dict[str, Any]) -> str:
    if section == "actors":
        aliases = f" (aka {', '.join(item['aliases'])})" if item.get("aliases") else ""
        role = f" — {item['role']}" if item.get("role") else ""
        return f"{item['name']}{aliases}{role}"
    if section == "status":
        return item["text"]
    if section == "disputes":
        parties = f" [{', '.join(item['parties'])}]" if item.get("parties") else ""
        return f"{item['issue']}{parties}"
    who = f"{item['who']}: " if item.get("who") else ""
    when = f" ({item['when']})" if item.get("when") else ""
    return f"{who}{item['action']}{when}"


def side_by_side(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Per section: gold items (found or missed) and predicted items (matched or extra)."""
    gold = case.get("gold")
    brief = case.get("brief") or {}
    matches = case.get("matches") or {}
    if gold is None:
        return []
    rows = []
    for section in ("actors", *SECTIONS):
        found = matches.get(section) or {}
        gold_match = found.get("gold_match") or [None] * len(gold.get(section, []))
        pred_match = found.get("pred_match") or [None] * len(brief.get(section, []))
        rows.append(
            {
                "label": SECTION_LABELS[section],
                "gold": [
                    {"text": _item_text(section, item), "hit": match is not None}
                    for item, match in zip(gold.get(section, []), gold_match, strict=False)
                ],
                "pred": [
                    {
                        "text": _item_text(section, item),
                        "hit": match is not None,
                        "grounded": item.get("grounded"),
                    }
                    for item, match in zip(brief.get(section, []), pred_match, strict=False)
                ],
            }
        )
    return rows


@dataclass(frozen=True)
class SplitColumn:
    """One column of the per-split table: a split's engine or baseline aggregate."""

    label: str
    values: dict[str, Any]


def split_columns(results: dict[str, Any]) -> list[SplitColumn]:
    """Engine (and baseline) aggregate per split, dev before test, for the side-by-side table."""
    base_name = (results.get("baseline") or {}).get("engine")
    engine = results["engine"]["name"]
    columns = []
    for split, entry in (results.get("splits") or {}).items():
        count = f"{split} ({entry['cases']})"
        columns.append(SplitColumn(f"{engine} {count}", entry["aggregate"]))
        if base_name and entry.get("baseline_aggregate") is not None:
            columns.append(SplitColumn(f"{base_name} {count}", entry["baseline_aggregate"]))
    return columns


def render_summary(results: dict[str, Any], gate: dict[str, Any] | None = None) -> str:
    return (
        _environment(autoescape=False)
        .get_template("summary.md.j2")
        .render(
            results=results,
            gate=gate,
            metrics=_summary_metrics(results),
            split_columns=split_columns(results),
        )
    )


def _summary_metrics(results: dict[str, Any]) -> list[str]:
    aggregate = results["aggregate"]
    extra = [name for name in results.get("metrics", []) if name not in HEADLINE_METRICS]
    judge = sorted(name for name in aggregate if name.startswith("judge_"))
    return [name for name in (*HEADLINE_METRICS, *extra, *judge) if name in aggregate]


def render_html(results: dict[str, Any], gate: dict[str, Any] | None = None) -> str:
    cases = []
    for case in results["cases"]:
        cases.append({**case, "rows": side_by_side(case)})
    return (
        _environment(autoescape=True)
        .get_template("report.html.j2")
        .render(
            results=results,
            gate=gate,
            metrics=_summary_metrics(results),
            split_columns=split_columns(results),
            all_metrics=results.get("metrics", []),
            bars=section_bars(results),
            distributions=[
                (metric, distribution(results, metric)) for metric in distribution_metrics(results)
            ],
            cases=cases,
        )
    )


def write_reports(results: dict[str, Any], out: Path, gate: dict[str, Any] | None = None) -> dict[str, Path]:
    """results.json, summary.md and report.html in `out` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"results": out / "results.json", "summary": out / "summary.md", "report": out / "report.html"}
    document = {**results, "gate": gate}
    paths["results"].write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["summary"].write_text(render_summary(results, gate), encoding="utf-8")
    paths["report"].write_text(render_html(results, gate), encoding="utf-8")
    return paths


def render_comparison_md(comparison: dict[str, Any]) -> str:
    """compare.md: the comparison of two runs as Markdown (printed by `briefing eval --compare`)."""
    return _environment(autoescape=False).get_template("compare.md.j2").render(c=comparison)


def render_comparison_html(comparison: dict[str, Any]) -> str:
    """compare.html: the same comparison as a self-contained page (no scripts, everything escaped)."""
    return _environment(autoescape=True).get_template("compare.html.j2").render(c=comparison)
