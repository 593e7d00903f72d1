"""Eval datasets: the gold set (one YAML file per case) and bring-your-own JSONL.

Gold cases carry a structured gold brief and are scored on every metric. JSONL lines carry only a
free-text reference summary (sentences separated by newlines) and are scored on summary ROUGE.
Every malformed file or line is reported with its name, so a broken case is fixed in one go.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefing.errors import InputError
from briefing.models import Article

DatasetKind = Literal["gold", "reference"]
Split = Literal["dev", "test"]
SPLITS: tuple[Split, ...] = ("dev", "test")
DEFAULT_SPLIT: Split = "test"
"""A case without `split` is held out: forgetting the field can never leak a case into tuning."""
JSONL_FIELDS = ("id", "article", "reference", "title", "language", "split")
"""What a bring-your-own line may carry; other columns are ignored, and `--field` maps names."""
REQUIRED_FIELDS = ("id", "article", "reference")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldActor(_Strict):
    name: str = Field(min_length=1)
    role: str | None = None
    aliases: list[str] = Field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class _Evidenced(_Strict):
    evidence: list[str] = Field(default_factory=list)
    """Optional verbatim quotes from the article that support the item (checked at load, not scored)."""


class GoldStatus(_Evidenced):
    text: str = Field(min_length=1)


class GoldDispute(_Evidenced):
    issue: str = Field(min_length=1)
    parties: list[str] = Field(default_factory=list)


class GoldNextStep(_Evidenced):
    action: str = Field(min_length=1)
    who: str | None = None
    when: str | None = None


class GoldBrief(_Strict):
    """What an annotator says a good brief of the article contains (see evals/GUIDE.md)."""

    headline: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    actors: list[GoldActor] = Field(default_factory=list)
    status: list[GoldStatus] = Field(default_factory=list)
    disputes: list[GoldDispute] = Field(default_factory=list)
    next_steps: list[GoldNextStep] = Field(default_factory=list)


class EvalCase(_Strict):
    """One article with either a gold brief or a reference summary."""

    id: str = Field(min_length=1)
    article: str = Field(min_length=1)
    topic: str | None = None
    language: str | None = None
    title: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    split: Split = DEFAULT_SPLIT
    """`dev`: engines may be tuned on it; `test`: never read while tuning, only reported."""
    gold: GoldBrief | None = None
    reference: str | None = None

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        return [] if value is None else value

    def to_article(self) -> Article:
        return Article(
            text=self.article,
            title=self.title,
            source=self.source,
            published_at=self.published_at,
            language=self.language,
        )


@dataclass(frozen=True)
class Dataset:
    name: str
    path: Path
    kind: DatasetKind
    cases: tuple[EvalCase, ...]
    selection: str = "all"
    """Which split the cases were chosen from (`dev`, `test` or `all`)."""
    fields: Mapping[str, str] | None = None
    """JSONL only: our field name → the file's column, as `--field` mapped it."""
    ignored_fields: tuple[str, ...] = ()
    """JSONL only: columns in the file that no field reads (sorted)."""

    def select(self, ids: Sequence[str]) -> Dataset:
        """The named cases, in dataset order; an unknown id is an input error listing the known ones."""
        wanted = list(dict.fromkeys(ids))
        known = {case.id for case in self.cases}
        unknown = [case_id for case_id in wanted if case_id not in known]
        if unknown:
            sample = ", ".join(sorted(known)[:10])
            raise InputError(
                f"unknown case id(s) {', '.join(unknown)} in dataset {self.path}; known ids include: {sample}"
            )
        keep = set(wanted)
        return replace(self, cases=tuple(c for c in self.cases if c.id in keep))

    def split(self, name: str) -> Dataset:
        """Only the cases of one split (`dev` or `test`); `all` keeps every case."""
        if name == "all":
            return self
        if name not in SPLITS:
            raise InputError(f"unknown split {name!r}; use dev, test or all")
        kept = tuple(case for case in self.cases if case.split == name)
        if not kept:
            raise InputError(f"dataset {self.path} has no {name!r} cases")
        return replace(self, cases=kept, selection=name)

    def splits(self) -> list[Split]:
        """The splits present, in the fixed order dev, test."""
        present = {case.split for case in self.cases}
        return [name for name in SPLITS if name in present]


def _describe(error: ValidationError) -> str:
    parts = []
    for issue in error.errors()[:5]:
        where = ".".join(str(piece) for piece in issue["loc"]) or "(top level)"
        parts.append(f"{where}: {issue['msg']}")
    return "; ".join(parts)


def load_gold_case(path: Path) -> EvalCase:
    """Parse one gold YAML file; its `id` must equal the file name so cases can be found by id."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InputError(f"gold case {path}: cannot read it as YAML ({error})") from error
    if not isinstance(raw, dict):
        raise InputError(f"gold case {path}: expected a mapping with id, article and gold")
    try:
        case = EvalCase.model_validate(raw)
    except ValidationError as error:
        raise InputError(f"gold case {path}: {_describe(error)}") from error
    if case.gold is None:
        raise InputError(f"gold case {path}: the `gold` brief is missing")
    if case.id != path.stem:
        raise InputError(f"gold case {path}: id {case.id!r} must match the file name {path.stem!r}")
    missing = unfound_evidence(case)
    if missing:
        raise InputError(f"gold case {path}: evidence not found verbatim in the article: {missing[0]}")
    return case


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def unfound_evidence(case: EvalCase) -> list[str]:
    """Gold evidence quotes that are not in the article (whitespace runs count as one space)."""
    if case.gold is None:
        return []
    article = _squeeze(case.article)
    items: list[_Evidenced] = [*case.gold.status, *case.gold.disputes, *case.gold.next_steps]
    return [f"{quote!r}" for item in items for quote in item.evidence if _squeeze(quote) not in article]


def load_gold_dir(path: Path) -> Dataset:
    files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    if not files:
        raise InputError(f"dataset {path}: no *.yaml gold cases in this folder")
    cases = [load_gold_case(file) for file in files]
    return Dataset(path.name, path, "gold", tuple(sorted(cases, key=lambda case: case.id)))


def parse_field_map(values: Sequence[str]) -> dict[str, str]:
    """`--field reference=highlights` (repeatable) → {"reference": "highlights"}."""
    mapping: dict[str, str] = {}
    for value in values:
        target, equals, column = (part.strip() for part in value.partition("="))
        if not equals or not target or not column:
            raise InputError(f"--field {value!r}: use FIELD=COLUMN, for example --field reference=highlights")
        if target not in JSONL_FIELDS:
            known = ", ".join(JSONL_FIELDS)
            raise InputError(f"--field {value!r}: {target!r} is not a field; map one of: {known}")
        if target in mapping:
            raise InputError(f"--field maps {target!r} twice ({target}={mapping[target]}, {value})")
        mapping[target] = column
    return mapping


def _read_line(raw: dict[str, object], fields: Mapping[str, str], where: str) -> dict[str, object]:
    """Our fields from one line's columns, through the mapping."""
    picked: dict[str, object] = {}
    for target in JSONL_FIELDS:
        column = fields.get(target, target)
        if column in raw:
            picked[target] = raw[column]
        elif target in REQUIRED_FIELDS:
            how = f" (--field {target}={column})" if target in fields else ""
            hint = "" if target in fields else f"; map another column with --field {target}=COLUMN"
            raise InputError(f'{where}: no "{column}" field{how}{hint}')
    reference = picked["reference"]
    if isinstance(reference, list) and all(isinstance(line, str) for line in reference):
        picked["reference"] = "\n".join(reference)  # a list of sentences, one per line
    if isinstance(picked["id"], (int, str)) and not isinstance(picked["id"], bool):
        picked["id"] = str(picked["id"])
    return picked


def load_jsonl(path: Path, fields: Mapping[str, str] | None = None) -> Dataset:
    """Bring-your-own lines: id, article, reference (sentences newline-separated), other columns ignored.

    `fields` maps our names to the file's columns (`{"reference": "highlights"}`), so a public
    dataset is used as it is published.
    """
    fields = dict(fields or {})
    cases: list[EvalCase] = []
    seen: set[str] = set()
    columns: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"dataset {path}: cannot read it ({error})") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"dataset {path} line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{where}: not valid JSON ({error.msg})") from error
        if not isinstance(raw, dict):
            raise InputError(f'{where}: each line needs an object with "id", "article" and "reference"')
        columns.update(raw)
        try:
            case = EvalCase.model_validate(_read_line(raw, fields, where))
        except ValidationError as error:
            raise InputError(f"{where}: {_describe(error)}") from error
        if not (case.reference or "").strip():
            raise InputError(f"{where}: the reference summary is empty")
        if case.id in seen:
            raise InputError(f"{where}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise InputError(f"dataset {path}: no cases in the file")
    for target, column in fields.items():
        if column not in columns:  # only optional fields get here: a required one failed on line 1
            raise InputError(f'dataset {path}: no line has a "{column}" field (--field {target}={column})')
    read = {fields.get(target, target) for target in JSONL_FIELDS}
    ignored = tuple(sorted(columns - read))
    return Dataset(path.stem, path, "reference", tuple(cases), fields=fields, ignored_fields=ignored)


def load_dataset(path: Path, fields: Mapping[str, str] | None = None) -> Dataset:
    """A folder of gold YAML files, a single gold YAML file, or a JSONL file of reference summaries.

    `fields` (JSONL only) maps our field names to the file's column names.
    """
    if fields and not (path.suffix == ".jsonl" and path.is_file()):
        raise InputError(f"--field maps the columns of a .jsonl dataset; {path} is not one")
    if path.is_dir():
        return load_gold_dir(path)
    if not path.exists():
        raise InputError(f"dataset {path} does not exist (use a folder of gold YAML files or a .jsonl file)")
    if path.suffix == ".jsonl":
        return load_jsonl(path, fields)
    if path.suffix in {".yaml", ".yml"}:
        return Dataset(path.stem, path, "gold", (load_gold_case(path),))
    raise InputError(f"dataset {path}: use a folder of gold *.yaml files or a *.jsonl file")
