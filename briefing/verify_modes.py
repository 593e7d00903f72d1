"""Which stored claim check covers which `BRIEFING_VERIFY` mode.

Apart from `second_opinion` (which imports the LLM client, ~1 s of start-up) because every cached
brief is judged with it before reuse, and a cached `briefing brief` needs no LLM code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefing.models import Brief, VerifyMode

# Which stored checks already cover a mode: a brief judged with llm-all needs nothing more for llm.
COVERS: dict[VerifyMode, frozenset[VerifyMode]] = {
    "offline": frozenset({"offline", "llm", "llm-all"}),
    "llm": frozenset({"llm", "llm-all"}),
    "llm-all": frozenset({"llm-all"}),
}


def needs_second_opinion(brief: Brief, mode: VerifyMode) -> bool:
    """True when `mode` asks for more than the check the (stored) brief had."""
    return brief.meta.verify not in COVERS[mode]
