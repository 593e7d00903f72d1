"""Bring-your-own JSONL as datasets are published: extra columns ignored, names mapped with --field."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.evaluation.dataset import load_dataset, parse_field_map

BRIEFING = Path(sys.executable).with_name("briefing")
needs_command = pytest.mark.skipif(
    not BRIEFING.exists() and shutil.which("briefing") is None, reason="briefing not installed"
)
HIGHLIGHTS = [
    {
        "url": "https://news.example/a",
        "text": "The council met on Monday. It approved the budget. Taxes stay flat.",
        "highlights": ["The council approved the budget.", "Taxes stay flat."],
        "reference": "an old column that the mapping replaces",
        "category": "local",
    },
    {
        "url": "https://news.example/b",
        "text": "Rain fell all night. Rivers rose. Two towns were evacuated.",
        "highlights": "Two towns were evacuated.",
        "category": "weather",
        "score": 0.4,
    },
]


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_unknown_fields_are_ignored_and_listed(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "refs.jsonl",
        [
            {"id": "a", "article": "One. Two.", "reference": "One.", "source_url": "x", "n": 1},
            {"id": "b", "article": "Three. Four.", "reference": "Three.", "title": "T", "rating": 5},
        ],
    )
    data = load_dataset(path)
    assert [case.id for case in data.cases] == ["a", "b"]
    assert data.cases[1].title == "T"
    assert data.ignored_fields == ("n", "rating", "source_url")


def test_field_map_reads_a_published_dataset_as_it_is(tmp_path: Path) -> None:
    path = _write(tmp_path / "cnn.jsonl", HIGHLIGHTS)
    fields = parse_field_map(["reference=highlights", "article=text", " id = url "])
    assert fields == {"reference": "highlights", "article": "text", "id": "url"}
    data = load_dataset(path, fields)
    first, second = data.cases
    assert first.id == "https://news.example/a" and first.article.startswith("The council met")
    assert first.reference == "The council approved the budget.\nTaxes stay flat."  # a list: one per line
    assert second.reference == "Two towns were evacuated."
    # The unmapped `reference` column is read by nothing, so it is reported with the others.
    assert data.ignored_fields == ("category", "reference", "score")
    assert data.split("test").ignored_fields == data.ignored_fields  # kept through selection


@pytest.mark.parametrize(
    ("values", "said"),
    [
        (["reference"], "use FIELD=COLUMN"),
        (["reference="], "use FIELD=COLUMN"),
        (["=highlights"], "use FIELD=COLUMN"),
        (["summary=highlights"], "'summary' is not a field; map one of: id, article, reference"),
        (["reference=a", "reference=b"], "maps 'reference' twice"),
    ],
)
def test_bad_mappings_are_input_errors(values: list[str], said: str) -> None:
    with pytest.raises(InputError, match=said):
        parse_field_map(values)


def test_mapped_columns_must_exist(tmp_path: Path) -> None:
    path = _write(tmp_path / "cnn.jsonl", HIGHLIGHTS)
    with pytest.raises(InputError, match=r'line 1: no "highlight" field \(--field reference=highlight\)'):
        load_dataset(path, {"reference": "highlight", "article": "text", "id": "url"})
    with pytest.raises(InputError, match=r'no line has a "headline" field \(--field title=headline\)'):
        load_dataset(path, {"reference": "highlights", "article": "text", "id": "url", "title": "headline"})
    with pytest.raises(InputError, match=r'line 1: no "id" field; map another column with --field id=COLUMN'):
        load_dataset(path, {"reference": "highlights", "article": "text"})
    with pytest.raises(InputError, match=r"--field maps the columns of a \.jsonl dataset"):
        load_dataset(Path(__file__).parent / "data" / "gold", {"reference": "highlights"})


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = str(BRIEFING) if BRIEFING.exists() else "briefing"
    return subprocess.run(
        [command, "eval", "--engine", "lead", "--baseline", "none", "--no-progress", *args],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )  # fmt: skip


@needs_command
def test_installed_command_maps_fields_and_says_once_what_it_ignored(tmp_path: Path) -> None:
    _write(tmp_path / "cnn.jsonl", HIGHLIGHTS)
    mapping = ["--field", "reference=highlights", "--field", "article=text", "--field", "id=url"]
    done = _run("--dataset", "cnn.jsonl", *mapping, "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("ignored") == 1
    assert "briefing: ignored 3 unknown field(s) in cnn.jsonl: category, reference, score" in done.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [case["id"] for case in results["cases"]] == ["https://news.example/a", "https://news.example/b"]
    assert results["dataset"]["fields"] == {"reference": "highlights", "article": "text", "id": "url"}
    assert results["dataset"]["ignored_fields"] == ["category", "reference", "score"]
    assert results["aggregate"]["rouge1"] > 0


@needs_command
@pytest.mark.parametrize(
    ("mapping", "said"),
    [
        (["--field", "highlights"], "--field 'highlights': use FIELD=COLUMN"),
        (["--field", "summary=highlights"], "'summary' is not a field"),
        (["--field", "reference=nope", "--field", "article=text", "--field", "id=url"], 'no "nope" field'),
    ],
)
def test_installed_command_reports_a_bad_mapping_in_one_line(
    tmp_path: Path, mapping: list[str], said: str
) -> None:
    _write(tmp_path / "cnn.jsonl", HIGHLIGHTS)
    done = _run("--dataset", "cnn.jsonl", *mapping, "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert said in done.stderr and done.stderr.startswith("briefing: error: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "results.json").exists()
