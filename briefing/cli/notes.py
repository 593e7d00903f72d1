"""Notes on stderr (which engine ran, warnings, files written): styled on a terminal, plain otherwise.

On a terminal the notes go through rich (which also draws the progress bars); in a pipe, a script or
CI they are plain lines, one per note, never wrapped, and rich is not imported at all (~25 ms of a
one-article `briefing brief`'s start-up).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.console import Console


class Notes(Protocol):
    is_terminal: bool

    def print(self, text: str, *, style: str | None = None, highlight: bool = False) -> None: ...


class PlainNotes:
    """A rich `Console` stand-in for a stderr that is not a terminal: the text, one line per note."""

    is_terminal = False

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def print(self, text: str, *, style: str | None = None, highlight: bool = False) -> None:
        print(text, file=self.stream, flush=True)


def stderr_notes() -> Console | PlainNotes:
    """rich's console on a terminal (colours, progress bars), else plain lines."""
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty is not None and isatty():
        from rich.console import Console

        return Console(stderr=True)
    return PlainNotes(sys.stderr)
