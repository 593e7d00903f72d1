"""Per-module mutation scores from a `mutmut run`, gated: each module must kill >= 90 % of its mutants.

mutmut 3 keeps one result file per mutated module (mutants/<path>.meta, the exit code of the tests
for each mutant). A mutant counts as killed when the tests failed on it (or timed out: an endless
loop caught). Equivalent mutants (they change the code, not what it does, so no test can kill
them) are listed by name with a one-line reason in tests/mutation_equivalent.toml; they leave the
count. An entry there that no longer names a surviving mutant fails the gate too, so the list is
re-reviewed when the code moves.

    python tools/mutation_score.py [--min 90] [--allow tests/mutation_equivalent.toml]

Prints a Markdown table and the surviving mutants; exits 1 below the gate, 2 on unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}  # tests failed, pytest error, timeouts, type check
NOT_CHECKED = None


@dataclass
class ModuleScore:
    path: str
    killed: int = 0
    equivalent: list[str] = field(default_factory=list)
    survivors: list[str] = field(default_factory=list)
    unchecked: int = 0

    @property
    def counted(self) -> int:
        return self.killed + len(self.survivors)

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 100.0


def modules_to_mutate(pyproject: Path) -> list[str]:
    """The `only_mutate` files of [tool.mutmut]: the modules the gate scores."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("mutmut", {})
    return list(config.get("only_mutate", []))


def load_allow_list(path: Path) -> dict[str, str]:
    """Mutant name -> why it is equivalent; every entry must give a reason."""
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", {})
    unexplained = [name for name, why in entries.items() if not isinstance(why, str) or not why.strip()]
    if unexplained:
        raise ValueError(f"{path}: give a one-line reason for {', '.join(unexplained)}")
    return dict(entries)


def score_module(path: str, exit_codes: dict[str, int | None], allowed: dict[str, str]) -> ModuleScore:
    result = ModuleScore(path)
    for name, code in sorted(exit_codes.items()):
        if code is NOT_CHECKED:
            result.unchecked += 1
        elif code in KILLED:
            result.killed += 1
        elif name in allowed:
            result.equivalent.append(name)
        else:
            result.survivors.append(name)
    return result


def stale_entries(exit_codes: dict[str, int | None], allowed: dict[str, str]) -> list[str]:
    """Allow-list names that are not surviving mutants (killed now, or renumbered by a code change)."""
    return sorted(name for name in allowed if name not in exit_codes or exit_codes[name] in KILLED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=90.0, help="minimum %% killed per module")
    parser.add_argument("--allow", type=Path, default=ROOT / "tests" / "mutation_equivalent.toml")
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    args = parser.parse_args(argv)
    try:
        allowed = load_allow_list(args.allow)
        modules = modules_to_mutate(args.pyproject)
    except (OSError, ValueError) as error:
        print(f"mutation_score: {error}", file=sys.stderr)
        return 2
    if not modules:
        print("mutation_score: no [tool.mutmut] only_mutate modules in pyproject.toml", file=sys.stderr)
        return 2
    scores: list[ModuleScore] = []
    all_codes: dict[str, int | None] = {}
    for module in modules:
        meta = args.mutants / f"{module}.meta"
        if not meta.exists():
            print(f"mutation_score: no results for {module} ({meta}); run mutmut first", file=sys.stderr)
            return 2
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        all_codes.update(codes)
        scores.append(score_module(module, codes, allowed))

    print(f"| module | mutants | killed | equivalent | survived | score (gate {args.min:.0f} %) |")
    print("|---|---|---|---|---|---|")
    for s in scores:
        total = s.counted + len(s.equivalent) + s.unchecked
        row = [f"`{s.path}`", total, s.killed, len(s.equivalent), len(s.survivors), f"{s.score:.1f} %"]
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    failed = False
    for s in scores:
        if s.unchecked:
            print(f"\n{s.path}: {s.unchecked} mutant(s) not checked: the run did not finish")
            failed = True
        if s.survivors:
            print(f"\n{s.path}: surviving mutants (`mutmut show NAME` prints each):")
            print("\n".join(f"  {name}" for name in s.survivors))
        if s.score < args.min:
            print(f"\nFAILED: {s.path} kills {s.score:.1f} % of its mutants, below {args.min:.0f} %")
            failed = True
    stale = stale_entries(all_codes, allowed)
    if stale:
        print(f"\nFAILED: {args.allow.name} lists mutants that are not surviving ones; re-review them:")
        print("\n".join(f"  {name}" for name in stale))
        failed = True
    print("\nMutation gate: " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
