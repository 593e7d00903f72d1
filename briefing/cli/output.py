"""What every listing command shares: `--format text|json`, read the same way everywhere.

Text is one tab-separated line per row for people and `cut`; JSON is the rows as the API returns
them, for scripts (the fields of a model, times in ISO 8601).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.errors import InputError
from briefing.limits import MAX_ID

if TYPE_CHECKING:
    from pydantic import BaseModel

LIST_FORMAT = Annotated[str, typer.Option("--format", help="text (one line each) or json.")]
ITEM_ID = Annotated[int, typer.Argument(metavar="ID", min=1, max=MAX_ID)]
"""A schedule's or a feed's id: past `MAX_ID` it names nothing (and would not fit the database)."""


def check_format(value: str, allowed: tuple[str, ...]) -> str:
    """`value` checked against `allowed`, taking the spellings `digest` uses ("md", "txt")."""
    value = {"md": "markdown", "txt": "text"}.get(value.lower(), value.lower())
    if value not in allowed:
        raise InputError(f"--format must be one of: {', '.join(allowed)}")
    return value


def echo_json(rows: Iterable[BaseModel]) -> None:
    """Print models as one JSON array (each row as the API shows it)."""
    typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], indent=2, ensure_ascii=False))
