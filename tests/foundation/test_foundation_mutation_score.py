"""The mutation gate script: per-module scores, the equivalent-mutant allow-list, exit codes."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("mutation_score", ROOT / "tools" / "mutation_score.py")
assert _spec is not None and _spec.loader is not None
mutation_score = importlib.util.module_from_spec(_spec)
sys.modules["mutation_score"] = mutation_score  # dataclasses look their module up there
_spec.loader.exec_module(mutation_score)


def _setup(tmp_path: Path, codes: dict[str, dict[str, int | None]], allow: str = "") -> list[str]:
    modules = list(codes)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.mutmut]\nonly_mutate = [" + ", ".join(f'"{m}"' for m in modules) + "]\n")
    for module, by_key in codes.items():
        meta = tmp_path / "mutants" / f"{module}.meta"
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"exit_code_by_key": by_key}))
    (tmp_path / "allow.toml").write_text("[equivalent]\n" + allow)
    return [
        "--mutants", str(tmp_path / "mutants"), "--pyproject", str(pyproject),
        "--allow", str(tmp_path / "allow.toml"),
    ]  # fmt: skip


def _codes(killed: int, survived: int, prefix: str = "m.x_f__mutmut_") -> dict[str, int | None]:
    codes: dict[str, int | None] = {f"{prefix}{i}": 1 for i in range(killed)}
    codes |= {f"{prefix}{killed + i}": 0 for i in range(survived)}
    return codes


def test_a_module_at_ninety_percent_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _setup(tmp_path, {"pkg/a.py": _codes(9, 1), "pkg/b.py": _codes(10, 0)})
    assert mutation_score.main(args) == 0
    out = capsys.readouterr().out
    assert "| `pkg/a.py` | 10 | 9 | 0 | 1 | 90.0 % |" in out and "m.x_f__mutmut_9" in out
    assert out.rstrip().endswith("Mutation gate: passed")


def test_one_module_below_the_gate_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _setup(tmp_path, {"pkg/a.py": _codes(8, 2), "pkg/b.py": _codes(10, 0)})
    assert mutation_score.main(args) == 1
    assert "FAILED: pkg/a.py kills 80.0 % of its mutants, below 90 %" in capsys.readouterr().out


def test_equivalent_mutants_leave_the_count_and_timeouts_are_kills(tmp_path: Path) -> None:
    codes = _codes(8, 2) | {"m.x_f__mutmut_20": 36}  # one timeout
    allow = '"m.x_f__mutmut_8" = "same behaviour"\n"m.x_f__mutmut_9" = "same behaviour"\n'
    args = _setup(tmp_path, {"pkg/a.py": codes}, allow)
    assert mutation_score.main(args) == 0
    score = mutation_score.score_module(
        "pkg/a.py", codes, mutation_score.load_allow_list(tmp_path / "allow.toml")
    )
    assert (score.killed, len(score.equivalent), score.survivors, score.score) == (9, 2, [], 100.0)


def test_no_tests_and_unchecked_mutants_do_not_count_as_killed(tmp_path: Path) -> None:
    codes = _codes(9, 0) | {"m.x_g__mutmut_1": 33, "m.x_g__mutmut_2": None}
    assert mutation_score.main(_setup(tmp_path, {"pkg/a.py": codes})) == 1  # unchecked: run incomplete
    score = mutation_score.score_module("pkg/a.py", codes, {})
    assert score.survivors == ["m.x_g__mutmut_1"] and score.unchecked == 1


def test_a_stale_allow_list_entry_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    allow = (
        '"m.x_f__mutmut_0" = "claimed equivalent but a test kills it"\n"m.gone__mutmut_1" = "renumbered"\n'
    )
    assert mutation_score.main(_setup(tmp_path, {"pkg/a.py": _codes(10, 0)}, allow)) == 1
    out = capsys.readouterr().out
    assert "m.x_f__mutmut_0" in out and "m.gone__mutmut_1" in out and "re-review" in out


def test_an_entry_without_a_reason_and_missing_results_are_usage_errors(tmp_path: Path) -> None:
    args = _setup(tmp_path, {"pkg/a.py": _codes(10, 0)}, '"m.x_f__mutmut_1" = " "\n')
    assert mutation_score.main(args) == 2
    args = _setup(tmp_path, {"pkg/a.py": _codes(10, 0)})
    (tmp_path / "mutants" / "pkg" / "a.py.meta").unlink()
    assert mutation_score.main(args) == 2


def test_the_repository_allow_list_gives_a_reason_for_every_entry() -> None:
    entries = mutation_score.load_allow_list(ROOT / "tests" / "mutation_equivalent.toml")
    assert entries and all(len(reason) > 20 for reason in entries.values())
    modules = mutation_score.modules_to_mutate(ROOT / "pyproject.toml")
    assert "briefing/grounding.py" in modules and all((ROOT / module).is_file() for module in modules)
