"""Every command's --help reads well in 80 columns: no text cut with "…", no `<bool>` or type labels.

The help of all commands is rendered in one fresh process (one process per command would take
a minute on a busy 2-core machine); `eval --help` also goes through the installed console script.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ENTRY_POINT = Path(sys.executable).with_name("briefing")

# Renders `briefing PATH... --help` for every command of the tree, as `main` builds it.
RENDER_ALL = r"""
import contextlib, io, json, sys
from briefing.cli import command

def walk(cmd, path):
    yield path
    for name, child in sorted(getattr(cmd, "commands", {}).items()):
        yield from walk(child, [*path, name])

root = command()
pages = {}
for path in walk(root, []):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            root.main([*path, "--help"], prog_name="briefing", standalone_mode=False)
        except SystemExit:
            pass
    pages[" ".join(path)] = out.getvalue()
json.dump(pages, sys.stdout)
"""

TYPE_LABEL = re.compile(r"<[a-z][a-z_ \[\]|,]*>|\{[a-z_]+\}")


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    env.update({"COLUMNS": "80", "TERM": "dumb", "NO_COLOR": "1"})
    env.pop("TERMINAL_WIDTH", None)
    return env


def _problems(page: str) -> list[str]:
    return [line for line in page.splitlines() if "…" in line or TYPE_LABEL.search(line) or len(line) > 80]


def test_every_command_help_fits_80_columns_without_cuts_or_type_labels() -> None:
    done = subprocess.run(
        [sys.executable, "-c", RENDER_ALL],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=True,
    )
    pages = json.loads(done.stdout)
    # The walk reached the whole tree: groups and their sub-commands.
    assert {"", "brief", "eval", "briefs show", "articles add", "schedules run", "feeds poll"} <= set(pages)
    assert all("Usage: briefing" in page for page in pages.values()), [k for k, v in pages.items() if not v]
    bad = {name or "(root)": _problems(page) for name, page in pages.items() if _problems(page)}
    assert bad == {}


def test_eval_help_through_the_installed_command_names_the_concurrency_option_in_full() -> None:
    done = subprocess.run(
        [str(ENTRY_POINT), "eval", "--help"], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "--concurrency" in done.stdout
    assert _problems(done.stdout) == []


def test_arguments_are_named_in_capitals_without_a_type() -> None:
    done = subprocess.run(
        [str(ENTRY_POINT), "verify", "--help"], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "{ARTICLE} {CLAIMS_FILE}" in done.stdout
    assert "<path>" not in done.stdout
