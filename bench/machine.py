"""A reading of the machine's pure-Python speed, printed beside the speed figures (`make bench`).

    .venv/bin/python bench/machine.py

Briefs per CPU-second depend on the processor as much as on the code: the offline engine at one
commit gave 185 briefs/CPU-s on one machine of this workplace and under 60 on another. This prints
the CPU time of a fixed pure-Python loop (best of three), so a reader can tell a slow machine from
a slow change. It is no exact scale: on a shared machine it moved between 0.47 and 1.07 s within one
session while the engine's figure moved less. To compare two commits, run both on one machine in
one session, alternating.
"""

from __future__ import annotations

import time

LOOP = 10_000_000


def _loop() -> float:
    started = time.process_time()
    total = 0
    for number in range(LOOP):
        total += number
    return time.process_time() - started


def reference() -> str:
    """One line: the loop's best CPU time of three runs."""
    best = min(_loop() for _ in range(3))
    return f"machine reference: {LOOP:,} pure-Python additions in {best:.2f} s CPU (best of 3)"


if __name__ == "__main__":
    print(reference())
