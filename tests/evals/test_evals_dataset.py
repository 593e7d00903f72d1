"""Loading gold YAML cases and bring-your-own JSONL, with errors that name the file or line."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.evaluation.dataset import load_dataset

DATA = Path(__file__).parent / "data"
CASE = """id: {id}
language: en
article: |
  Something happened on Monday. Officials said more would follow.
gold:
  headline: "Something happened"
  summary: "Something happened on Monday."
  actors:
    - {{name: "Officials", role: "government"}}
  {extra}
"""


def test_gold_folder_loads_sorted_cases() -> None:
    dataset = load_dataset(DATA / "gold")
    assert dataset.kind == "gold"
    assert [case.id for case in dataset.cases] == [
        "harbor-bridge-closure",
        "library-strike-vote",
        "moscow-metro-extension",
    ]
    harbor = dataset.cases[0]
    assert harbor.gold is not None and harbor.gold.actors[0].names == ["Helen Ruiz", "Ruiz"]
    assert harbor.to_article().published_at is not None


def test_malformed_case_names_the_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "bad-case.yaml").write_text(CASE.format(id="bad-case", extra="status: [{txt: oops}]"))
    with pytest.raises(InputError, match=r"bad-case\.yaml.*gold\.status\.0"):
        load_dataset(tmp_path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(CASE.format(id="two", extra=""))
    with pytest.raises(InputError, match=r"one\.yaml.*must match"):
        load_dataset(tmp_path)


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    with pytest.raises(InputError, match=r"broken\.yaml"):
        load_dataset(tmp_path)


def test_jsonl_lines_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"id": 1, "article": "A.", "reference": "B."}\n{"id": "2", "article": "A."}\n')
    with pytest.raises(InputError, match="line 2"):
        load_dataset(path)
    path.write_text('{"id": 1, "article": "A.", "reference": "B."}\n')
    dataset = load_dataset(path)
    assert dataset.kind == "reference" and dataset.cases[0].id == "1"


def test_missing_dataset_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_dataset(tmp_path / "nope")
    with pytest.raises(InputError, match=r"no \*\.yaml"):
        load_dataset(tmp_path)


def test_repository_gold_set_loads() -> None:
    """Every committed gold case is valid, so `briefing eval` never dies on a typo in one file."""
    gold = Path(__file__).resolve().parents[2] / "evals" / "gold"
    dataset = load_dataset(gold)
    assert len(dataset.cases) >= 3
    for case in dataset.cases:
        assert case.gold is not None and case.gold.summary.strip()
