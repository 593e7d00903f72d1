"""Start-up time of the `briefing` command: `briefing --help` and a one-article offline brief.

Run: .venv/bin/python bench/bench_startup.py [--runs 7] [--cpu 0]
Each run is a fresh process of the installed console script, pinned with `taskset -c CPU` when
taskset exists. Prints the median (and min) wall-clock time and the median CPU time (user + system)
of the runs. CPU time is what the command costs; wall time also counts waiting for a shared core,
so on a busy machine read the CPU column. The brief runs on a scratch data dir that is warmed up
by one uncounted run (the schema is migrated once, as on any machine after the first command),
with --no-cache so each counted run really briefs the article.
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`; a failing run stops the bench."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return wall, _children_cpu() - cpu_before


def measure(name: str, command: list[str], env: dict[str, str], runs: int) -> None:
    timed(command, env)  # warm-up: the page cache, the database schema
    walls, cpus = zip(*(timed(command, env) for _ in range(runs)), strict=True)
    print(
        f"{name:<28} median {statistics.median(walls):.3f} s wall (min {min(walls):.3f}), "
        f"median {statistics.median(cpus):.3f} s CPU, {runs} runs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cpu", default="0", help="core for taskset -c (default 0)")
    args = parser.parse_args()
    pin = ["taskset", "-c", args.cpu] if shutil.which("taskset") else []
    data = tempfile.mkdtemp(prefix="briefing-bench-startup-")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BRIEFING_", "OPENAI_"))}
    env.update({"BRIEFING_DATA_DIR": data, "TERM": "dumb"})
    env.pop("DATABASE_URL", None)
    print(f"start-up of {BRIEFING} ({'pinned to CPU ' + args.cpu if pin else 'not pinned'})")
    try:
        measure("briefing --help", [*pin, str(BRIEFING), "--help"], env, args.runs)
        brief = [*pin, str(BRIEFING), "brief", str(ARTICLE), "--no-cache", "--quiet"]
        measure("briefing brief (offline)", brief, env, args.runs)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
