"""The `briefing` command. Each area registers its commands from its own module."""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from briefing.errors import BriefingError

app = typer.Typer(
    name="briefing",
    help="Structured, grounded briefs from news articles.",
    pretty_exceptions_enable=False,
    # --install-completion / --show-completion for bash, zsh, fish and PowerShell (docs/cli.md).
    add_completion=True,
)


def package_version() -> str:
    """The installed distribution's version (the source tree's when run uninstalled)."""
    from importlib.metadata import PackageNotFoundError, version  # ~20 ms: only for --version

    try:
        return version("briefing")
    except PackageNotFoundError:
        from briefing import __version__

        return __version__


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"briefing {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_show_version, is_eager=True),
    ] = False,
) -> None:
    """Structured, grounded briefs from news articles."""


def _register() -> None:
    from briefing.cli import brief, digests, evaluate, history, serve, stories, verify

    for module in (brief, history, serve, digests, stories, evaluate, verify):
        module.register(app)


_register()


# Typer's type labels → the short value labels shown in help (`--jobs N`, not `--jobs <int range>`).
VALUE_LABELS = {
    "<str>": "TEXT",
    "<list[str]>": "TEXT",
    "<int>": "N",
    "<int range>": "N",
    "<float>": "NUMBER",
    "<float range>": "NUMBER",
    "<path>": "PATH",
    "<list[path]>": "PATH",
    "<datetime>": "TIME",
}


def _tidy_help(command: Any) -> Any:
    """Help lines that read well in 80 columns: no `<bool>` on flags, short value labels.

    Typer labels every option with its type: `--no-cache <bool>` reads as if the flag took a value,
    and long labels (`<int range>`, `<list[str]>`) squeeze the help column until rich cuts words
    with "…". A flag gets no label (the help option too, which click builds on first use); a value
    option without its own metavar gets a short one. Applied to the whole command tree.
    """
    params = list(getattr(command, "params", []))
    context = typer.Context(command)
    help_option = command.get_help_option(context)
    for param in [*params, help_option]:
        if param is not None and getattr(param, "param_type_name", "") == "argument":
            _tidy_argument(param)
        if param is None or param.metavar is not None or getattr(param, "param_type_name", "") != "option":
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
        else:
            param.metavar = VALUE_LABELS.get(param.display_type(context))
    for child in getattr(command, "commands", {}).values():
        _tidy_help(child)
    return command


def _no_type_label(ctx: Any) -> None:
    return None


def _tidy_argument(param: Any) -> None:
    """An argument is named in capitals (`NAME`, not `{name}` or `name <str>`) with no type label.

    Its name says what it takes; the type column (`<str>`, `<list[str]>`) only widens the table.
    """
    if param.metavar is None:
        param.metavar = param.name.upper() + ("..." if param.nargs != 1 else "")
    param.display_type_rich = _no_type_label


def command(args: Sequence[str] | None = None) -> Any:
    """The click command behind `app`, with the help texts tidied (what `main` runs).

    For `briefing NAME …` with NAME one of the app's commands or groups, only that branch is built:
    typer reads every command's signature to build the whole tree (~35 ms of each start-up), and a
    command's parsing, help and errors need only its own. Anything else (no arguments, an option,
    an unknown name, shell completion) gets the whole tree.
    """
    args = sys.argv[1:] if args is None else args
    branch = _branch(args[0]) if args and not _completing() else None
    return _tidy_help(typer.main.get_command(branch or app))


def _branch(name: str) -> typer.Typer | None:
    """The app with only the command or group called `name` (None when it has none by that name)."""
    commands = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return None
    branch = copy.copy(app)  # the same settings and root callback (--version)
    branch.registered_commands = commands
    branch.registered_groups = groups
    return branch


def _command_name(info: Any) -> str | None:
    """The name typer gives a registered command: its own, else its function's (`serve`)."""
    if info.name:
        return str(info.name)
    return typer.main.get_command_name(info.callback.__name__) if info.callback is not None else None


def _completing() -> bool:
    """True while a shell asks for completions (click's `_BRIEFING_COMPLETE` variable is set)."""
    return any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ)


def _click_exception_type() -> type[Exception]:
    """The ClickException class typer raises: its bundled copy (typer >= 0.29) or click's own.

    `typer.BadParameter` is re-exported by every typer release, so its bases name the right class
    without importing a private module or assuming which click is installed.
    """
    for base in typer.BadParameter.__mro__:
        if base.__name__ == "ClickException":
            return base
    return typer.BadParameter.__mro__[1]  # pragma: no cover - typer keeps the name


def _usage_error(error: Any) -> int:
    """One line naming the problem, one line with the usage and where to get help; exit 2."""
    ctx = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError":
        # A group built with no_args_is_help: typer has printed its help already.
        message = "Missing command."
    else:
        message = error.format_message().strip().replace("\n", " ")
    print(f"briefing: error: {message}", file=sys.stderr)
    if ctx is not None:
        usage = ctx.get_usage().strip().replace("\n", " ")
        print(f"{usage} (try '{ctx.command_path} --help')", file=sys.stderr)
    return int(getattr(error, "exit_code", 2) or 2)


def main() -> None:
    """Entry point: a BriefingError or usage error becomes one line on stderr and its exit code."""
    click_exception = _click_exception_type()
    try:
        # Outside standalone mode click returns a `typer.Exit` code instead of raising it.
        code = command()(standalone_mode=False)
    except BriefingError as error:
        print(f"briefing: error: {error.message}", file=sys.stderr)
        raise SystemExit(error.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        print("briefing: aborted", file=sys.stderr)
        raise SystemExit(130) from None
    except typer.Exit as done:
        raise SystemExit(done.exit_code) from None
    except click_exception as error:
        raise SystemExit(_usage_error(error)) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)
