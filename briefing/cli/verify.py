"""`briefing verify ARTICLE CLAIMS_FILE`: check claims (or a brief's items) against an article."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from briefing.errors import InputError

FORMATS = ("json", "markdown")


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"{what} {path}: cannot read it as UTF-8 text ({error.__class__.__name__})"
        ) from None


def _brief_claims(text: str, article: str) -> list[str] | None:
    """The item texts of a brief JSON (checked with its evidence), or None when it is not one."""
    if not text.lstrip().startswith("{"):
        return None
    from briefing.grounding import ground_brief
    from briefing.models import Brief
    from briefing.verify import check_brief, item_claim

    try:
        brief = Brief.model_validate(json.loads(text))
    except (ValueError, TypeError) as error:
        raise InputError(f"claims file: JSON that is not a brief ({str(error).splitlines()[0]})") from None
    brief = check_brief(ground_brief(brief, article), article)
    return [item_claim(item) for item in brief.items()]


def verify(
    article: Path = typer.Argument(..., help="The article, a UTF-8 text file."),
    claims_file: Path = typer.Argument(
        ..., help="One claim per line, or a brief JSON whose items are checked."
    ),
    output_format: str = typer.Option("markdown", "--format", "-f", help="json or markdown."),
    no_fail: bool = typer.Option(False, "--no-fail", help="Exit 0 even when a claim is unsupported."),
) -> None:
    """Check each claim against the article: exit 1 when one is unsupported (2 on bad input)."""
    from briefing.verify import report_markdown, verify_claims  # here, so `briefing --help` stays quick

    if output_format not in FORMATS:
        raise InputError(f"--format must be one of: {', '.join(FORMATS)}")
    text = _read(article, "article")
    raw = _read(claims_file, "claims file")
    claims = _brief_claims(raw, text)
    if claims is None:
        claims = [line.strip() for line in raw.splitlines() if line.strip()]
    if not claims:
        raise InputError(f"claims file {claims_file}: no claims in it (one per line)")
    report = verify_claims(text, claims)
    typer.echo(
        report.model_dump_json(indent=2) if output_format == "json" else report_markdown(report), nl=False
    )
    if not no_fail and any(claim.verdict == "unsupported" for claim in report.claims):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
