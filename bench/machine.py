"""A machine-speed reference printed beside the speed figures (run alone, it prints it).

    .venv/bin/python bench/machine.py

Briefs per CPU-second depend on the processor as much as on the code: the same commit gave 185
briefs/CPU-s on one machine of this workplace and under 60 on another. The reference is the CPU time
of a fixed pure-Python loop (best of three), so figures from two machines can be compared: divide
each by its machine's reference rate, or re-measure the old commit on the new machine.
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
