"""`briefing verify ARTICLE CLAIMS_FILE`: check claims (or a brief's items) against an article."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from briefing.errors import InputError

if TYPE_CHECKING:
    from briefing.models import Brief

FORMATS = ("json", "markdown")


# A list marker before a claim ("- ", "* ", "3. ", "12) "): not part of what it says.
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,3}[.)])\s+")


def _read(path: Path, what: str) -> str:
    """The file's text as it is on disk (CRLF kept, so offsets index the file), without a BOM;
    `-` reads standard input."""
    try:
        if str(path) == "-":
            return sys.stdin.buffer.read().decode("utf-8-sig")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"{what} {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{what} {path}: is a directory; give a file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"{what} {path}: cannot read it as UTF-8 text ({error.__class__.__name__})"
        ) from None


def _claims(raw: str, source: Path) -> list[str] | Brief:
    """A brief (JSON object), a JSON array of claims, or one claim per line."""
    from briefing.models import Brief

    stripped = raw.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            value = json.loads(raw)
        except ValueError as error:
            raise InputError(f"claims file {source}: not valid JSON ({error})") from None
        if isinstance(value, list):
            if not all(isinstance(claim, str) for claim in value):
                raise InputError(f"claims file {source}: a JSON array of claims must hold only strings")
            return [claim.strip() for claim in value if claim.strip()]
        try:
            return Brief.model_validate(value)
        except (ValueError, TypeError) as error:
            fields = _fields(error)
            raise InputError(f"claims file {source}: JSON that is not a brief ({fields})") from None
    return [line for line in (_BULLET.sub("", line).strip() for line in raw.splitlines()) if line]


def _fields(error: Exception) -> str:
    """The fields a validation error names ("headline: Input should be a valid string; …")."""
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return str(error).splitlines()[0]
    shown = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in errors()[:3]]
    return "; ".join(shown) + ("; …" if len(errors()) > 3 else "")


def verify(
    article: Path = typer.Argument(..., help="The article, a UTF-8 text file (- for standard input)."),
    claims_file: Path = typer.Argument(
        ...,
        help="One claim per line, a JSON array of claims, or a brief JSON (its headline, summary and "
        "items are checked, each item against its own quotes); - for standard input.",
    ),
    output_format: str = typer.Option("markdown", "--format", "-f", help="json or markdown."),
    no_fail: bool = typer.Option(False, "--no-fail", help="Exit 0 even when a claim is unsupported."),
) -> None:
    """Check each claim against the article: exit 1 when one is unsupported (2 on bad input)."""
    from briefing.verify import report_markdown, verify_brief, verify_claims  # here: `--help` stays quick

    output_format = {"md": "markdown"}.get(output_format.lower(), output_format.lower())
    if output_format not in FORMATS:
        raise InputError(f"--format must be one of: {', '.join(FORMATS)}")
    if str(article) == "-" and str(claims_file) == "-":
        raise InputError("only one of ARTICLE and CLAIMS_FILE can be - (standard input)")
    text = _read(article, "article")
    claims = _claims(_read(claims_file, "claims file"), claims_file)
    if not claims:
        raise InputError(f"claims file {claims_file}: no claims in it (one per line)")
    report = verify_claims(text, claims) if isinstance(claims, list) else verify_brief(text, claims)
    typer.echo(
        report.model_dump_json(indent=2, exclude_none=True)
        if output_format == "json"
        else report_markdown(report),
        nl=False,
    )
    if not no_fail and any(claim.verdict == "unsupported" for claim in report.claims):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
