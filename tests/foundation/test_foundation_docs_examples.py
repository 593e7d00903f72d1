"""The shell examples of README.md and docs/*.md run as written (the ones that need no network).

Every ```sh, ```bash, ```shell or ```console block runs in bash (`set -euo pipefail`) in a scratch
folder laid out like the checkout (`examples/` and `.venv` linked in), with `.venv/bin` first on
PATH so `briefing` is the installed command, no LLM settings (the offline engine) and a scratch
SQLite store. A block that cannot run here (a server, the network, minutes of work) carries
`<!-- no-run: reason -->` on the line just before it; an unmarked block that fails fails the test.
In a console block only the `$ ` lines are commands. The blocks run a few at a time, each in its
own folder and store, sharing the word tables and the bytecode (built by the first block).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib.util import cache_from_source
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(sh|bash|shell|console)\s*$")
NO_RUN = re.compile(r"^<!--\s*no-run:\s*(?P<reason>.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Example:
    where: str  # file:line of the opening fence
    kind: str
    script: str
    no_run: str | None  # the reason, when the block is marked


def examples(path: Path) -> list[Example]:
    """The shell blocks of one Markdown file, each with the no-run reason that precedes it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        end = next(j for j in range(index + 1, len(lines)) if lines[j].startswith("```"))
        body = lines[index + 1 : end]
        if fence.group(1) == "console":
            body = [line[2:] for line in body if line.startswith("$ ")]
        marker = NO_RUN.match(lines[index - 1]) if index else None
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        found.append(
            Example(f"{name}:{index + 1}", fence.group(1), "\n".join(body), marker and marker["reason"])
        )
        index = end + 1
    return found


def run_example(
    example: Example, folder: Path, cache: Path, bytecode: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one block in `folder` (a scratch copy of the checkout's layout) against the installed
    command; `cache` holds the offline engine's word tables, built once for all examples, and
    `bytecode` the compiled modules (PYTHONPYCACHEPREFIX), so each command does not compile the
    package and its dependencies again when PYTHONDONTWRITEBYTECODE is set (~1 s a command)."""
    venv = Path(sys.executable).parent.parent
    for name, target in (("examples", ROOT / "examples"), (".venv", venv)):
        if not (folder / name).exists():
            (folder / name).symlink_to(target)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    env.pop("DATABASE_URL", None)
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    env.update(
        {
            "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "BRIEFING_DATA_DIR": str(folder / "data"),
            "BRIEFING_ENV_FILE": "",
            "BRIEFING_CACHE_DIR": str(cache),
            "TERM": "dumb",
        }
    )
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", example.script],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("briefing-cache")


def compiled_at_install() -> bool:
    """True when the package and its dependencies have bytecode beside their sources (make setup)."""
    import typer

    import briefing.cli

    return all(Path(cache_from_source(module.__file__ or "")).is_file() for module in (briefing.cli, typer))


@pytest.fixture(scope="module")
def bytecode(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """A scratch bytecode folder for the commands, unless the install has bytecode already."""
    return None if compiled_at_install() else tmp_path_factory.mktemp("bytecode")


ALL = [example for path in DOCS for example in examples(path)]
RUNNABLE = [example for example in ALL if example.no_run is None]
# Blocks run this many at a time (each in its own folder and store); the first runs alone, so it
# builds the shared word tables and bytecode once instead of every block building them at once.
JOBS = max(1, min(4, os.cpu_count() or 1))


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    cache: Path,
    bytecode: Path | None,
) -> Iterator[dict[str, Future[subprocess.CompletedProcess[str]]] | None]:
    """Every selected block started up front, JOBS at a time; each test then checks its own.

    None under pytest-xdist: the workers share the blocks out already, and a worker that started
    every block would repeat the others' work; each test then runs its own block.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        yield None
        return
    selected = [
        item.callspec.params["example"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_shell_example_runs_as_written"
        and hasattr(item, "callspec")
    ]
    pool = ThreadPoolExecutor(max_workers=JOBS, thread_name_prefix="docs-example")
    started: dict[str, Future[subprocess.CompletedProcess[str]]] = {}
    for index, example in enumerate(selected):
        folder = tmp_path_factory.mktemp("example")
        started[example.where] = pool.submit(run_example, example, folder, cache, bytecode)
        if index == 0:
            started[example.where].exception()  # wait: the caches are warm for the rest
    yield started
    pool.shutdown(wait=True, cancel_futures=True)


def test_the_docs_have_runnable_examples_and_every_marked_one_says_why() -> None:
    assert len(RUNNABLE) >= 4
    assert len({example.where for example in RUNNABLE}) == len(RUNNABLE)  # each block's result by its place
    assert all(example.no_run for example in ALL if example.no_run is not None), (
        "a no-run marker needs a reason"
    )


@pytest.mark.parametrize("example", RUNNABLE, ids=lambda e: e.where)
def test_shell_example_runs_as_written(
    example: Example,
    runs: dict[str, Future[subprocess.CompletedProcess[str]]] | None,
    tmp_path: Path,
    cache: Path,
    bytecode: Path | None,
) -> None:
    done = run_example(example, tmp_path, cache, bytecode) if runs is None else runs[example.where].result()
    assert done.returncode == 0, f"{example.where} failed ({done.returncode}):\n{done.stderr[-2000:]}"


def test_an_unmarked_failing_example_fails_and_a_marked_one_is_skipped(
    tmp_path: Path, cache: Path, bytecode: Path | None
) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n```sh\nbriefing brief missing.txt\n```\n\n"
        "<!-- no-run: needs a server -->\n```bash\ncurl x\n```\n\n"
        "```console\n$ briefing schema > schema.json\n{ ... }\n```\n",
        encoding="utf-8",
    )
    failing, marked, console = examples(page)
    assert (failing.no_run, marked.no_run, console.script) == (
        None,
        "needs a server",
        "briefing schema > schema.json",
    )
    (tmp_path / "run").mkdir()
    failed = run_example(failing, tmp_path / "run", cache, bytecode)
    assert failed.returncode == 2 and "no such file: missing.txt" in failed.stderr
    assert run_example(console, tmp_path / "run", cache, bytecode).returncode == 0
    assert '"title": "Brief"' in (tmp_path / "run" / "schema.json").read_text()
