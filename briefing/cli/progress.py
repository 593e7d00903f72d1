"""Progress bars for `briefing brief` on stderr: one line per input, with its LLM calls, tokens and cost.

Drawn only on a terminal (and not with --quiet); otherwise every method here does nothing, so the
command's code is the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from briefing import progress

if TYPE_CHECKING:
    from types import TracebackType

    from rich.console import Console
    from rich.progress import Progress, TaskID

    from briefing.services.batch import Source


def describe(state: progress.CallProgress) -> str:
    """`3/5 calls · 12,400 tokens · $0.0031` (cost left out while the price is unknown)."""
    parts = [f"{state.done}/{state.planned} calls", f"{state.tokens:,} tokens"]
    if state.cost_usd is not None:
        parts.append(f"${state.cost_usd:.4f}")
    return " · ".join(parts)


class BriefProgress:
    """A rich `Progress` with one task per input, fed by the LLM engine's call reports."""

    def __init__(self, console: Console, sources: Sequence[Source], *, enabled: bool) -> None:
        self.enabled = enabled
        self._tasks: dict[Source, TaskID] = {}
        self._progress: Progress | None = None
        if not enabled:  # nothing to draw: rich.progress is not even imported
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TextColumn("{task.fields[calls]}", markup=False),
            TimeElapsedColumn(),
            console=console,
        )
        width = max((len(source.label) for source in sources), default=0)
        for source in sources:
            label = source.label if len(source.label) <= 40 else "…" + source.label[-39:]
            self._tasks[source] = self._progress.add_task(
                label.ljust(min(width, 40)), total=None, calls="waiting", start=False
            )

    def __enter__(self) -> BriefProgress:
        if self._progress is not None:
            self._progress.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(kind, error, trace)

    @contextmanager
    def track(self, source: Source) -> Iterator[None]:
        """Show this input's LLM calls while the block runs, then mark it done or failed."""
        bars = self._progress
        if bars is None:
            yield
            return
        task = self._tasks[source]
        bars.start_task(task)
        bars.update(task, calls="briefing")

        def listener(state: progress.CallProgress) -> None:
            bars.update(task, total=max(state.planned, 1), completed=state.done, calls=describe(state))

        with progress.watch(listener) as state:
            try:
                yield
            except BaseException:
                bars.update(task, calls=f"failed · {describe(state)}" if state.planned else "failed")
                raise
        summary = f"done · {describe(state)}" if state.planned else "done"
        bars.update(
            task, total=1 if not state.planned else state.planned, completed=state.planned or 1, calls=summary
        )
