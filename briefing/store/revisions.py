"""The head revisions of the bundled migrations, read without Alembic or SQLAlchemy.

Every store open compares them with the database's `alembic_version`: at head, no migration is
loaded (`database.migrate`, and `lite`, the CLI's sqlite3 path to the brief cache).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def script_heads() -> frozenset[str]:
    """The head revisions of the bundled migration scripts, read from the files without Alembic.

    A head is a revision no other script names as its `down_revision` (a merge names several).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_ASSIGNMENT.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)
