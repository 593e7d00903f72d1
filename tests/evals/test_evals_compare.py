"""`briefing eval --compare A B`: deltas over common cases, better/worse cases, escaped HTML, clear errors."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.errors import InputError
from briefing.evaluation.compare import MIN_DELTA, compare_runs, load_run, write_comparison
from briefing.evaluation.dataset import load_dataset
from briefing.evaluation.report import render_comparison_html, write_reports
from briefing.evaluation.runner import RESULTS_FORMAT, EvalOptions, run_eval

DATA = Path(__file__).parent / "data"
BRIEFING = Path(sys.executable).with_name("briefing")
needs_command = pytest.mark.skipif(
    not BRIEFING.exists() and shutil.which("briefing") is None, reason="briefing not installed"
)
METRICS = ["schema_valid_rate", "actor_f1", "status_f1", "disputes_f1", "next_steps_f1", "rougeL"]
COST = {"llm_calls": 1, "prompt_tokens": 10, "completion_tokens": 5, "cost_usd": 0.01, "latency_ms": 100.0}


def _case(case_id: str, split: str, score: float, *, ok: bool = True, headline: str = "H") -> dict:
    scores = {name: score for name in METRICS}
    scores["schema_valid_rate"] = 1.0 if ok else 0.0
    return {
        "id": case_id,
        "split": split,
        "ok": ok,
        "error": None if ok else "RuntimeError: boom",
        "scores": scores,
        "cost": COST,
        "brief": {"headline": headline, "summary": f"summary of {case_id}"} if ok else None,
        "gold": {"headline": f"gold {case_id}"},
        "reference": None,
    }


def _run(engine: str, cases: list[dict]) -> dict:
    return {
        "format": RESULTS_FORMAT,
        "dataset": {"name": "gold", "kind": "gold", "cases": len(cases)},
        "engine": {"name": engine, "model": None, "prompt_version": f"{engine}-1"},
        "metrics": METRICS,
        "aggregate": {"judge_faithfulness": 3.0},
        "cases": cases,
    }


def _pair() -> tuple[dict, dict]:
    a = _run(
        "old",
        [_case("a", "dev", 0.5), _case("b", "dev", 0.5), _case("c", "test", 0.5), _case("d", "test", 0.5)],
    )
    b = copy.deepcopy(a)
    b["engine"]["name"] = "new"
    b["cases"][0]["scores"] = {**b["cases"][0]["scores"], "actor_f1": 0.9, "status_f1": 0.9}  # +0.16
    b["cases"][1]["scores"] = {**b["cases"][1]["scores"], "rougeL": 0.5 + MIN_DELTA / 2}  # noise
    b["cases"][2] = _case("c", "test", 0.0, ok=False)  # now fails
    return a, b


def test_deltas_better_and_worse_cases_from_per_case_scores() -> None:
    a, b = _pair()
    result = compare_runs(a, b, Path("A"), Path("B"))
    assert result["compared_cases"] == 4 and result["only_a"] == [] and result["only_b"] == []
    rows = {row["name"]: row for row in result["metrics"]}
    assert rows["actor_f1"]["a"] == pytest.approx(0.5)
    assert rows["actor_f1"]["b"] == pytest.approx((0.9 + 0.5 + 0.0 + 0.5) / 4)
    assert rows["actor_f1"]["delta"] == pytest.approx(rows["actor_f1"]["b"] - 0.5)
    assert rows["schema_valid_rate"]["delta"] == pytest.approx(-0.25)
    assert rows["llm_calls"]["a"] == 4 and rows["llm_calls"]["lower_is_better"]
    assert rows["judge_faithfulness"]["delta"] == 0  # same cases: the stored judge scores are shown
    assert [case["id"] for case in result["better"]] == ["a"]
    assert result["better"][0]["delta"] == pytest.approx(0.8 / 5)
    assert {move["name"] for move in result["better"][0]["moves"]} == {"actor_f1", "status_f1"}
    assert [case["id"] for case in result["worse"]] == ["c"]
    assert result["worse"][0]["b_ok"] is False and result["same"] == 2  # b moved less than MIN_DELTA
    assert result["splits"]["dev"]["cases"] == 2
    dev = {row["name"]: row for row in result["splits"]["dev"]["metrics"]}
    assert dev["actor_f1"]["delta"] == pytest.approx(0.2)
    test = {row["name"]: row for row in result["splits"]["test"]["metrics"]}
    assert test["actor_f1"]["delta"] == pytest.approx(-0.25)


def test_only_common_cases_with_the_same_gold_are_compared() -> None:
    a, b = _pair()
    b["cases"] = [case for case in b["cases"] if case["id"] != "d"] + [_case("e", "dev", 1.0)]
    b["cases"][1]["gold"] = {"headline": "re-annotated"}  # case b: same id, other gold
    result = compare_runs(a, b, Path("A"), Path("B"))
    assert result["only_a"] == ["d"] and result["only_b"] == ["e"] and result["gold_changed"] == ["b"]
    assert result["compared_cases"] == 2
    rows = {row["name"]: row for row in result["metrics"]}
    assert rows["actor_f1"]["a"] == pytest.approx(0.5)  # recomputed over a and c, not the stored aggregate
    assert rows["actor_f1"]["b"] == pytest.approx(0.45)
    assert "judge_faithfulness" not in rows  # judged on other cases: not comparable


def test_incompatible_runs_are_input_errors() -> None:
    a, b = _pair()
    other_kind = {**b, "dataset": {**b["dataset"], "kind": "reference"}}
    with pytest.raises(InputError, match=r"cannot compare A \(gold data\) with B \(reference data\)"):
        compare_runs(a, other_kind, Path("A"), Path("B"))
    disjoint = {**b, "cases": [_case("z", "dev", 0.1)]}
    with pytest.raises(InputError, match="no case in common"):
        compare_runs(a, disjoint, Path("A"), Path("B"))


def test_run_folders_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_run(tmp_path / "missing")
    with pytest.raises(InputError, match=r"has no results\.json"):
        load_run(tmp_path)
    (tmp_path / "results.json").write_text("{not json")
    with pytest.raises(InputError, match="not readable JSON"):
        load_run(tmp_path)
    (tmp_path / "results.json").write_text(json.dumps({"format": "other/2"}))
    with pytest.raises(InputError, match="is not a briefing-eval/1 results file"):
        load_run(tmp_path)
    (tmp_path / "results.json").write_text(json.dumps({"format": RESULTS_FORMAT, "cases": []}))
    with pytest.raises(InputError, match="has no `dataset` dict"):
        load_run(tmp_path)
    a, _ = _pair()
    (tmp_path / "results.json").write_text(json.dumps(a))
    assert load_run(tmp_path)["engine"]["name"] == "old"
    assert load_run(tmp_path / "results.json")["engine"]["name"] == "old"  # the file itself works too


def test_html_escapes_everything_and_has_a_csp(tmp_path: Path) -> None:
    a, b = _pair()
    hostile = "<script>alert(1)</script>"
    for run in (a, b):
        run["engine"]["model"] = hostile
        run["cases"][0]["id"] = f"a{hostile}"
    b["cases"][0]["brief"]["headline"] = f"<img src=x onerror=alert(1)>{hostile}"
    html = render_comparison_html(compare_runs(a, b, Path(f"A{hostile}"), Path("B")))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    paths = write_comparison(compare_runs(a, b, Path("A"), Path("B")), tmp_path / "out")
    assert sorted(path.name for path in paths.values()) == ["compare.html", "compare.json", "compare.md"]
    assert "**Better in B: 1**" in paths["md"].read_text() and "**Worse in B: 1**" in paths["md"].read_text()


async def test_eval_report_escapes_article_text_too(settings: Settings, tmp_path: Path) -> None:
    """report.html is autoescaped (its template's name ends in .html.j2) and carries the same CSP."""
    results = await run_eval(load_dataset(DATA / "gold"), settings, EvalOptions(engine="lead", baseline=None))
    results["cases"][0]["title"] = "<script>alert(1)</script>"
    html = write_reports(results, tmp_path)["report"].read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "default-src 'none'" in html


def _briefing(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = str(BRIEFING) if BRIEFING.exists() else "briefing"
    return subprocess.run([command, "eval", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@needs_command
def test_installed_command_compares_two_engines_in_one_command(tmp_path: Path) -> None:
    common = ["--dataset", str(DATA / "gold"), "--baseline", "none", "--no-gate", "--no-progress"]
    assert _briefing("--engine", "lead", *common, "--out", "lead", cwd=tmp_path).returncode == 0
    assert _briefing("--engine", "offline", *common, "--out", "offline", cwd=tmp_path).returncode == 0
    done = _briefing("--compare", "lead", "offline", "--out", "cmp", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("## Compare: `lead` (A) → `offline` (B)")
    lead = json.loads((tmp_path / "lead" / "results.json").read_text())
    offline = json.loads((tmp_path / "offline" / "results.json").read_text())
    saved = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    rows = {row["name"]: row for row in saved["metrics"]}
    assert rows["actor_f1"]["a"] == pytest.approx(lead["aggregate"]["actor_f1"])
    assert rows["actor_f1"]["b"] == pytest.approx(offline["aggregate"]["actor_f1"])
    shown = f"| actor_f1 | {lead['aggregate']['actor_f1']:.3f} | {offline['aggregate']['actor_f1']:.3f} |"
    assert shown in done.stdout
    assert len(saved["better"]) + len(saved["worse"]) + saved["same"] == 3
    assert (tmp_path / "cmp" / "compare.html").read_text().count("<details") == len(saved["better"]) + len(
        saved["worse"]
    )


@needs_command
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--compare", "missing", "run"], "run folder missing does not exist"),
        (["--compare", "empty", "run"], "empty has no results.json"),
        (["--compare", "run", "broken"], "is not readable JSON"),
        (["--compare", "run", "reference"], "(gold data) with reference (reference data)"),
        (["--compare", "run", "run", "--engine", "lead"], "--compare reads two finished runs"),
        (["--compare", "run"], "requires 2 arguments"),
    ],
)
def test_installed_command_reports_bad_run_folders_in_one_line(
    tmp_path: Path, args: list[str], said: str
) -> None:
    a, _ = _pair()
    for name, document in (("run", a), ("reference", {**a, "dataset": {"name": "x", "kind": "reference"}})):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(document))
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "results.json").write_text("{")
    done = _briefing("--out", "cmp", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert said in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "cmp").exists()
