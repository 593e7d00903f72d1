"""Thresholds gate only the case set they were written for; other runs are reported without them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import InputError
from briefing.evaluation.dataset import load_dataset
from briefing.evaluation.gate import Scope, SplitScope, Thresholds, gate_run, load_thresholds, scope_mismatch
from briefing.evaluation.report import render_html, render_summary
from briefing.evaluation.runner import split_fingerprints

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
BRIEFING = Path(sys.executable).with_name("briefing")
needs_command = pytest.mark.skipif(
    not BRIEFING.exists() and shutil.which("briefing") is None, reason="briefing not installed"
)
SCOPE = Scope("gold", "evals/gold", {"dev": SplitScope(2, "dev-fp"), "test": SplitScope(1, "test-fp")})


def _results(dev: str | None = "dev-fp", test: str | None = "test-fp", rouge1: float = 0.2) -> dict:
    splits = {}
    if dev is not None:
        splits["dev"] = {"cases": 2, "fingerprint": dev, "aggregate": {"rouge1": rouge1}}
    if test is not None:
        splits["test"] = {"cases": 1, "fingerprint": test, "aggregate": {"rouge1": rouge1}}
    return {
        "dataset": {"name": "gold", "fingerprint": "all"},
        "aggregate": {"rouge1": rouge1},
        "splits": splits,
    }


def test_whole_declared_splits_match_and_anything_else_says_why_not() -> None:
    assert scope_mismatch(_results(), SCOPE) is None
    assert scope_mismatch(_results(test=None), SCOPE) is None  # --split dev
    assert scope_mismatch(_results(dev=None), SCOPE) is None  # --split test
    subset = scope_mismatch(_results(dev="other", test=None), SCOPE)
    assert (
        subset is not None and "2 dev case(s) of `gold` are other cases" in subset and "not dev-fp" in subset
    )
    only_dev_scope = Scope("gold", "evals/gold", {"dev": SplitScope(2, "dev-fp")})
    assert "has test cases" in (scope_mismatch(_results(), only_dev_scope) or "")
    assert scope_mismatch({**_results(), "splits": {}}, SCOPE) is not None


def test_bars_off_scope_are_not_applied_unless_named_explicitly() -> None:
    thresholds = Thresholds(0.02, {"rouge1": 0.5}, {"dev": {"rouge1": 0.5}}, SCOPE)
    on_scope = gate_run(_results(), thresholds, None, source="t.toml", explicit=False)
    assert not on_scope.passed and on_scope.thresholds_applied
    assert on_scope.failures == [
        "rouge1 = 0.200 is below the threshold 0.500",
        "dev: rouge1 = 0.200 is below the threshold 0.500",
    ]
    off_scope = gate_run(_results(dev="subset", test=None), thresholds, None, source="t.toml", explicit=False)
    assert off_scope.passed and not off_scope.thresholds_applied and off_scope.checked == 0
    assert off_scope.not_applied_reason is not None
    assert off_scope.not_applied_reason.startswith(
        "the thresholds in t.toml were written for the 2 dev and 1 test"
    )
    assert "Add `--thresholds t.toml`" in off_scope.not_applied_reason
    named = gate_run(_results(dev="subset", test=None), thresholds, None, source="t.toml", explicit=True)
    assert not named.passed and named.thresholds_applied and len(named.failures) == 2
    assert any("applied anyway because --thresholds was given" in note for note in named.notes)


def test_off_scope_runs_still_fail_on_a_broken_metric_and_a_like_for_like_regression() -> None:
    thresholds = Thresholds(0.02, {"rouge1": 0.5}, {}, SCOPE)
    broken = _results(dev="subset", test=None, rouge1=1.7)
    gate = gate_run(broken, thresholds, None, source="t.toml", explicit=False)
    assert not gate.passed and "outside 0–1" in gate.failures[0]
    baseline = {"dataset": {"fingerprint": "all"}, "aggregate": {"rouge1": 0.4}}
    gate = gate_run(_results(dev="subset", test=None), thresholds, baseline, source="t.toml", explicit=False)
    assert gate.failures == ["rouge1 regressed from 0.400 to 0.200 (more than the tolerance 0.02)"]


def test_thresholds_without_a_dataset_table_apply_to_every_run(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text("[lead]\nrouge1 = 0.5\n")
    thresholds = load_thresholds(path, "lead")
    assert thresholds.scope is None
    gate = gate_run(_results(dev="anything"), thresholds, None, source=str(path), explicit=False)
    assert gate.thresholds_applied and not gate.passed


def test_dataset_table_is_read_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text(
        '[dataset]\nname = "gold"\npath = "evals/gold"\n[dataset.dev]\ncases = 2\nfingerprint = "abc"\n'
    )
    assert load_thresholds(path, "lead").scope == Scope("gold", "evals/gold", {"dev": SplitScope(2, "abc")})
    for broken in (
        '[dataset]\nname = "gold"\npath = "evals/gold"\n',  # no split table
        '[dataset]\npath = "x"\n[dataset.dev]\ncases = 2\nfingerprint = "abc"\n',  # no name
        '[dataset]\nname = "g"\npath = "x"\n[dataset.train]\ncases = 2\nfingerprint = "abc"\n',
        '[dataset]\nname = "g"\npath = "x"\n[dataset.dev]\ncases = "two"\nfingerprint = "abc"\n',
        'dataset = "gold"\n',
    ):
        path.write_text(broken)
        with pytest.raises(InputError, match=r"thresholds file .*\[dataset"):
            load_thresholds(path, "lead")


def test_repository_thresholds_name_the_current_gold_set() -> None:
    """If this fails the gold set changed: re-measure, re-check the floors, then copy the new fingerprints."""
    scope = load_thresholds(REPO / "evals" / "thresholds.toml", "offline").scope
    assert scope is not None and scope.path == "evals/gold"
    gold = load_dataset(REPO / scope.path)
    counts = {split: sum(case.split == split for case in gold.cases) for split in gold.splits()}
    current = {
        split: SplitScope(counts[split], fingerprint)
        for split, fingerprint in split_fingerprints(gold).items()
    }
    assert scope.splits == current


def _thresholds_for_fixture(tmp_path: Path, bars: str) -> Path:
    fingerprints = split_fingerprints(load_dataset(DATA / "gold"))
    path = tmp_path / "thresholds.toml"
    path.write_text(
        f'[dataset]\nname = "gold"\npath = "{DATA / "gold"}"\n'
        f'[dataset.dev]\ncases = 2\nfingerprint = "{fingerprints["dev"]}"\n'
        f'[dataset.test]\ncases = 1\nfingerprint = "{fingerprints["test"]}"\n{bars}'
    )
    return path


def _eval(tmp_path: Path, *extra: str) -> tuple[int, str]:
    """The CLI as `make test` calls it: default thresholds (here the fixture's), no --thresholds."""
    args = [
        "eval", "--engine", "lead", "--dataset", str(DATA / "gold"), "--no-progress",
        "--baselines-dir", str(tmp_path / "baselines"), "--out", str(tmp_path / "out"), *extra,
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


@pytest.fixture
def fixture_thresholds_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from a folder whose evals/thresholds.toml names the 3-case fixture and has a bar lead misses."""
    (tmp_path / "evals").mkdir()
    path = _thresholds_for_fixture(tmp_path, "[lead]\nschema_valid_rate = 1.0\n[lead.dev]\nrouge1 = 0.99\n")
    path.rename(tmp_path / "evals" / "thresholds.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "evals" / "thresholds.toml"


@pytest.mark.usefixtures("fixture_thresholds_by_default")
def test_cli_gates_whole_splits_and_reports_a_subset_without_gating(tmp_path: Path) -> None:
    code, output = _eval(tmp_path)
    assert code == 1 and "Gate: FAILED" in output and "dev: rouge1 = " in output
    assert "to report without failing, run again with `--no-gate`" in output
    code, output = _eval(tmp_path, "--split", "dev")
    assert code == 1 and "dev: rouge1 = " in output
    code, output = _eval(tmp_path, "--split", "test")  # the dev bar does not apply; schema does
    assert code == 0 and "**Gate: passed** (1 checks)" in output

    code, output = _eval(tmp_path, "--cases", "harbor-bridge-closure")
    assert code == 0, output
    assert "Gate: FAILED" not in output
    assert "**Gate: not applied** (report only): the thresholds in evals/thresholds.toml" in output
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["gate"]["thresholds_applied"] is False and saved["gate"]["passed"] is True
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<b>not applied</b>" in html and "written for the 2 dev and 1 test cases" in html

    code, output = _eval(
        tmp_path, "--cases", "harbor-bridge-closure", "--thresholds", "evals/thresholds.toml"
    )
    assert code == 1 and "applied anyway because --thresholds was given" in output


@pytest.mark.usefixtures("fixture_thresholds_by_default")
def test_cli_bring_your_own_data_is_reported_without_the_gold_bars(tmp_path: Path) -> None:
    code, output = _eval(tmp_path, "--dataset", str(DATA / "byo.jsonl"))
    assert code == 0, output
    assert "**Gate: not applied**" in output and "3 test case(s) of `byo` are other cases" in output


@needs_command
def test_installed_command_names_no_gate_when_the_gate_fails(tmp_path: Path) -> None:
    thresholds = tmp_path / "bars.toml"
    thresholds.write_text("[lead]\nrouge1 = 0.99\n")
    command = str(BRIEFING) if BRIEFING.exists() else "briefing"
    args = [
        command, "eval", "--engine", "lead", "--dataset", str(DATA / "gold"), "--no-progress",
        "--thresholds", str(thresholds), "--baselines-dir", str(tmp_path), "--out", str(tmp_path / "out"),
    ]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Gate: FAILED" in done.stdout and "--no-gate" in done.stdout
    assert "briefing: the gate failed; --no-gate reports without failing" in done.stderr
    assert subprocess.run([*args, "--no-gate"], capture_output=True, timeout=120).returncode == 0


def test_not_applied_gate_renders_in_both_reports() -> None:
    results = {
        "format": "briefing-eval/1",
        "engine": {"name": "lead", "model": None, "prompt_version": "lead-3"},
        "dataset": {"name": "byo", "kind": "reference", "cases": 0, "fingerprint": "x"},
        "metrics": ["rouge1"],
        "aggregate": {"rouge1": 0.5},
        "errors": 0,
        "baseline": None,
        "cases": [],
    }
    gate = {
        "passed": True, "checked": 0, "failures": [], "notes": [],
        "thresholds_applied": False, "not_applied_reason": "written for <other> cases",
    }  # fmt: skip
    assert "**Gate: not applied** (report only): written for <other> cases" in render_summary(results, gate)
    html = render_html(results, gate)
    assert "written for &lt;other&gt; cases" in html and "Gate: <span" not in html
    failed = {**gate, "passed": False, "failures": ["rouge1 = 0.1 is below"]}
    assert "--no-gate" in render_summary(results, failed) and "Gate: FAILED" in render_summary(
        results, failed
    )
