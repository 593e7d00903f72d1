"""Progress of one brief's LLM calls, for whoever is watching (the CLI's progress bars).

The LLM engine reports the calls it plans and each call it finishes; a caller that wants to see
them wraps its brief in `watch(listener)`. The listener lives in a context variable, so briefs run
concurrently in one process (several files, one engine) each report to their own listener, and
code that watches nothing pays one lookup per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class CallProgress:
    """Calls planned and done so far, with the tokens and cost of the done ones."""

    planned: int = 0
    done: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


Listener = Callable[[CallProgress], None]
_listener: ContextVar[tuple[Listener, CallProgress] | None] = ContextVar("briefing_progress", default=None)


@contextmanager
def watch(listener: Listener) -> Iterator[CallProgress]:
    """Send the progress of the LLM calls made inside this block to `listener`."""
    state = CallProgress()
    token = _listener.set((listener, state))
    try:
        yield state
    finally:
        _listener.reset(token)


def calls_planned(count: int) -> None:
    """`count` more calls are known to be needed (the map calls, then each reduce round's)."""
    watched = _listener.get()
    if watched is None or count <= 0:
        return
    listener, state = watched
    state.planned += count
    listener(state)


def call_done(prompt_tokens: int, completion_tokens: int, cost_usd: float | None) -> None:
    """One planned call finished (with its repair round, if it needed one)."""
    watched = _listener.get()
    if watched is None:
        return
    listener, state = watched
    state.done += 1
    state.planned = max(state.planned, state.done)
    state.prompt_tokens += prompt_tokens
    state.completion_tokens += completion_tokens
    if cost_usd is not None:
        state.cost_usd = (state.cost_usd or 0.0) + cost_usd
    listener(state)
