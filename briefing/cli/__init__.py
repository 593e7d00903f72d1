"""The `briefing` command. Each area registers its commands from its own module."""

from __future__ import annotations

import sys

import typer

from briefing.errors import BriefingError

app = typer.Typer(
    name="briefing",
    help="Structured, grounded briefs from news articles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    from briefing.cli import brief, digests, evaluate, serve

    for module in (brief, serve, digests, evaluate):
        module.register(app)


_register()


def main() -> None:
    """Entry point: any BriefingError becomes one line on stderr and its exit code."""
    try:
        # Outside standalone mode click returns a `typer.Exit` code instead of raising it.
        code = app(standalone_mode=False)
    except BriefingError as error:
        print(f"briefing: error: {error.message}", file=sys.stderr)
        raise SystemExit(error.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        print("briefing: aborted", file=sys.stderr)
        raise SystemExit(130) from None
    except typer.Exit as done:
        raise SystemExit(done.exit_code) from None
    except Exception as error:  # click usage errors arrive here in non-standalone mode
        from click import ClickException

        if isinstance(error, ClickException):
            error.show()
            raise SystemExit(error.exit_code) from None
        raise
    if isinstance(code, int) and code:
        raise SystemExit(code)
