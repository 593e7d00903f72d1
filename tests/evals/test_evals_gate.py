"""The gate: thresholds per engine, regression from a saved baseline, and the CLI's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import InputError
from briefing.evaluation.gate import Thresholds, check, check_ranges, load_thresholds

DATA = Path(__file__).parent / "data"


def _results(rouge1: float, fingerprint: str = "abc") -> dict:
    return {"dataset": {"fingerprint": fingerprint}, "aggregate": {"rouge1": rouge1, "actor_f1": 0.5}}


def test_below_threshold_fails_and_names_the_metric() -> None:
    gate = check(_results(0.30), Thresholds(0.02, {"rouge1": 0.35, "actor_f1": 0.4}))
    assert not gate.passed
    assert gate.failures == ["rouge1 = 0.300 is below the threshold 0.350"]
    assert gate.checked == 2


def test_regression_beyond_tolerance_fails_within_tolerance_passes() -> None:
    baseline = {"dataset": {"fingerprint": "abc"}, "aggregate": {"rouge1": 0.40, "actor_f1": 0.5}}
    assert check(_results(0.39), Thresholds(0.02, {}), baseline).passed
    gate = check(_results(0.37), Thresholds(0.02, {}), baseline)
    assert not gate.passed and "rouge1 regressed from 0.400 to 0.370" in gate.failures[0]


def test_baseline_on_other_cases_is_skipped_with_a_note() -> None:
    baseline = {"dataset": {"fingerprint": "other"}, "aggregate": {"rouge1": 0.9}}
    gate = check(_results(0.1), Thresholds(0.02, {}), baseline)
    assert gate.passed and "different cases" in gate.notes[0]


def test_thresholds_file_is_read_per_engine(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text("tolerance = 0.05\n[offline]\nrouge1 = 0.3\n[lead]\nrouge1 = 0.2\n")
    assert load_thresholds(path, "offline") == Thresholds(0.05, {"rouge1": 0.3})
    assert load_thresholds(path, "llm") == Thresholds(0.05, {})
    path.write_text("[offline]\nrouge_one = 0.3\n")
    with pytest.raises(InputError, match="rouge_one"):
        load_thresholds(path, "offline")


def test_repository_thresholds_file_is_valid() -> None:
    path = Path(__file__).resolve().parents[2] / "evals" / "thresholds.toml"
    for engine in ("offline", "llm", "lead"):
        assert load_thresholds(path, engine).minimums, f"[{engine}] has no thresholds"


def _eval(tmp_path: Path, *extra: str) -> tuple[int, str]:
    args = [
        "eval", "--engine", "lead", "--dataset", str(DATA / "gold"), "--no-progress",
        "--baselines-dir", str(tmp_path / "baselines"), "--out", str(tmp_path / "out"), *extra,
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def test_cli_gate_passes_then_fails_on_a_planted_regression(tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("tolerance = 0.01\n[lead]\nrouge1 = 0.1\n")
    code, output = _eval(tmp_path, "--thresholds", str(thresholds), "--save-baseline")
    assert code == 0, output
    assert "Gate: passed" in output and "| rouge1 |" in output
    saved = tmp_path / "baselines" / "lead.json"
    baseline = json.loads(saved.read_text())
    assert baseline["aggregate"]["rouge1"] > 0.1

    # Plant a regression: pretend the previous run scored 0.05 higher on ROUGE-1.
    baseline["aggregate"]["rouge1"] += 0.05
    saved.write_text(json.dumps(baseline))
    code, output = _eval(tmp_path, "--thresholds", str(thresholds))
    assert code == 1
    assert "Gate: FAILED" in output and "rouge1 regressed" in output
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["gate"]["passed"] is False


def test_cli_threshold_failure_exits_one_and_no_gate_overrides(tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("[lead]\nrouge1 = 0.99\n")
    code, output = _eval(tmp_path, "--thresholds", str(thresholds))
    assert code == 1 and "rouge1 = " in output and "below the threshold 0.990" in output
    code, _ = _eval(tmp_path, "--thresholds", str(thresholds), "--no-gate")
    assert code == 0


def test_cli_unknown_case_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no-such-case"):
        CliRunner().invoke(
            app,
            ["eval", "--engine", "lead", "--dataset", str(DATA / "gold"), "--cases", "no-such-case",
             "--out", str(tmp_path)],
            catch_exceptions=False,
        )  # fmt: skip


def test_cli_cases_selects_a_subset(tmp_path: Path) -> None:
    code, _ = _eval(tmp_path, "--cases", "harbor-bridge-closure,library-strike-vote", "--no-gate")
    assert code == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [case["id"] for case in results["cases"]] == ["harbor-bridge-closure", "library-strike-vote"]


def test_entry_point_exits_one_when_the_gate_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`briefing eval` as installed (not CliRunner) must exit 1 so `make test` stops on a regression."""
    from briefing.cli import main

    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("[lead]\nrouge1 = 0.99\n")
    args = [
        "briefing", "eval", "--engine", "lead", "--dataset", str(DATA / "gold"), "--no-progress",
        "--cases", "harbor-bridge-closure", "--thresholds", str(thresholds),
        "--baselines-dir", str(tmp_path / "baselines"), "--out", str(tmp_path / "out"),
    ]  # fmt: skip
    monkeypatch.setattr("sys.argv", args)
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 1


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--baseline", "nope"], "unknown --baseline engine 'nope'; choose one of: lead, llm, offline"),
        (["--thresholds", "missing.toml"], "thresholds file missing.toml does not exist"),
        (["--out", "{file}"], "is a file; give a folder"),
        (["--out", "{file}/sub"], "cannot write reports to"),
    ],
)
def test_cli_bad_options_fail_before_the_run(tmp_path: Path, extra: list[str], said: str) -> None:
    """Mistakes in options are an InputError up front, not a traceback after every case has run."""
    file = tmp_path / "a-file"
    file.write_text("")
    args = [part.format(file=file) for part in extra]
    with pytest.raises(InputError, match=said):
        CliRunner().invoke(
            app,
            ["eval", "--engine", "lead", "--dataset", str(DATA / "gold"), "--no-progress", *args],
            catch_exceptions=False,
        )


@pytest.mark.parametrize("value", [3.39, -0.01, 1.0000001, float("nan"), float("inf")])
def test_a_rate_outside_zero_one_or_nan_fails_whatever_the_thresholds(value: float) -> None:
    results = {"dataset": {"fingerprint": "abc"}, "aggregate": {"status_f1": value, "actor_f1": 0.5}}
    for thresholds in (Thresholds(0.02, {}), Thresholds(0.02, {"status_f1": 0.1, "actor_f1": 0.1})):
        gate = check(results, thresholds)
        assert not gate.passed
        assert gate.failures[0].startswith("status_f1 = ")  # first, before any threshold
        assert "(aggregate)" in gate.failures[0] and "broken" in gate.failures[0]


def test_rates_at_the_bounds_pass() -> None:
    results = {"dataset": {"fingerprint": "abc"}, "aggregate": {"status_f1": 1.0, "actor_f1": 0.0}}
    assert check(results, Thresholds(0.02, {})).passed
    assert check_ranges({"aggregate": {"rouge1": 1, "schema_valid_rate": 0}}) == []


def test_counters_may_exceed_one_but_not_be_nan() -> None:
    aggregate = {"rouge1": 0.5, "prompt_tokens": 12000, "latency_ms_p95": 812.5, "cost_usd": 0.0}
    assert check_ranges({"aggregate": aggregate}) == []
    assert check_ranges({"aggregate": {**aggregate, "cost_usd": float("nan")}}) == [
        "cost_usd = nan (aggregate) is not a number: the metric is broken"
    ]
    assert check_ranges({"aggregate": {"judge_faithfulness": float("nan")}})  # judge scores too
    assert check_ranges({"aggregate": {"prompt_tokens": float("inf")}}) == [
        "prompt_tokens = inf (aggregate) is not a number: the metric is broken"
    ]


def test_per_case_and_baseline_scores_are_checked_and_named() -> None:
    results = {
        "dataset": {"fingerprint": "abc"},
        "aggregate": {"disputes_f1": 0.7, "grounded_rate": None},
        "baseline": {"aggregate": {"disputes_f1": 0.4}},
        "cases": [
            {"id": "ok-case", "scores": {"disputes_f1": 0.2}, "baseline_scores": None},
            {"id": "bad-case", "scores": {"disputes_f1": 1.2}, "baseline_scores": {"rougeL": -0.5}},
        ],
    }
    assert check_ranges(results) == [
        "disputes_f1 = 1.200 (case bad-case) is outside 0–1: the metric is broken",
        "rougeL = -0.500 (case bad-case baseline_scores) is outside 0–1: the metric is broken",
    ]
    results["baseline"]["aggregate"]["disputes_f1"] = float("nan")
    assert "disputes_f1 = nan (baseline aggregate) is not a number: the metric is broken" in check_ranges(
        results
    )
    assert not check(results, Thresholds(0.02, {})).passed
