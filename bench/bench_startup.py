"""Start-up time of the `briefing` command: --help, a one-article offline brief (cache cold and warm), verify.

Run: .venv/bin/python bench/bench_startup.py [--runs 5] [--cpu 0] [--briefing PATH ...]

Each run is a fresh process of the installed console script, pinned with `taskset -c CPU` when
taskset exists. Printed per command: the median (and min) wall-clock time and the median (and min)
CPU time (user + system) of the runs. CPU time is what the command costs; wall time also counts
waiting for a shared core, so on a busy machine read the CPU columns.

- `brief (cache cold)`: `briefing brief short.txt --no-cache`: the article is briefed and the brief
  stored, on a store that is already at head (one uncounted run migrates it, as any first command
  on a machine does). Markdown goes to stdout, the engine note to stderr, as a user sees them.
- `brief (cache warm)`: the same command without --no-cache: the stored brief is served.
- `verify`: `briefing verify short.txt claims.txt` with one claim.

The short article is examples/article.txt (330 words). Bytecode is cached in a scratch folder
(PYTHONPYCACHEPREFIX; PYTHONDONTWRITEBYTECODE is dropped), as an installed package has it: without
it every process compiles the sources again (~1 s) and the figures measure the compiler.

With several --briefing commands (e.g. another checkout's .venv/bin/briefing), the runs alternate
between them, so a load change on the machine touches each build alike.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFING = Path(sys.executable).with_name("briefing")
ARTICLE = ROOT / "examples" / "article.txt"
CLAIM = "About 2,400 workers walked out on June 1.\n"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`; a failing run stops the bench."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return wall, _children_cpu() - cpu_before


CASES = (
    ("briefing --help", ["--help"]),
    ("brief short.txt (cache cold)", ["brief", "short.txt", "--no-cache"]),
    ("brief short.txt (cache warm)", ["brief", "short.txt"]),
    ("verify short.txt claims.txt", ["verify", "short.txt", "claims.txt"]),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu", default="0", help="core for taskset -c (default 0)")
    parser.add_argument(
        "--briefing",
        action="append",
        type=Path,
        help="the command to time (repeatable; default: the one next to this Python)",
    )
    args = parser.parse_args()
    builds = [build.absolute() for build in args.briefing or [BRIEFING]]
    pin = ["taskset", "-c", args.cpu] if shutil.which("taskset") else []
    scratch = Path(tempfile.mkdtemp(prefix="briefing-bench-startup-"))
    (scratch / "short.txt").write_bytes(ARTICLE.read_bytes())
    (scratch / "claims.txt").write_text(CLAIM, encoding="utf-8")
    base = {key: value for key, value in os.environ.items() if not key.startswith(("BRIEFING_", "OPENAI_"))}
    for key in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE"):
        base.pop(key, None)
    base.update({"TERM": "dumb", "BRIEFING_ENV_FILE": ""})
    envs = []
    for index, _ in enumerate(builds):  # each build its own store and bytecode
        env = dict(base)
        env["BRIEFING_DATA_DIR"] = str(scratch / f"data-{index}")
        env["PYTHONPYCACHEPREFIX"] = str(scratch / f"pycache-{index}")
        envs.append(env)
    where = f"pinned to CPU {args.cpu}" if pin else "not pinned"
    print(f"start-up of the briefing command ({where}, {args.runs} runs each, median (min)):")
    print(f"{'command':<30} {'wall s':>15} {'CPU s':>15}  build")
    try:
        for label, arguments in CASES:
            commands = [[*pin, str(build), *arguments] for build in builds]
            for command, env in zip(commands, envs, strict=True):
                timed(command, env, scratch)  # warm-up: bytecode, page cache, the store's schema
            walls: list[list[float]] = [[] for _ in builds]
            cpus: list[list[float]] = [[] for _ in builds]
            for _ in range(args.runs):
                for index, (command, env) in enumerate(zip(commands, envs, strict=True)):
                    wall, cpu = timed(command, env, scratch)
                    walls[index].append(wall)
                    cpus[index].append(cpu)
            for index, build in enumerate(builds):
                wall_text = f"{statistics.median(walls[index]):.3f} ({min(walls[index]):.3f})"
                cpu_text = f"{statistics.median(cpus[index]):.3f} ({min(cpus[index]):.3f})"
                print(f"{label:<30} {wall_text:>15} {cpu_text:>15}  {build}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
