"""The offline engine: grounded briefs with no LLM and no network (the default without an LLM)."""

from briefing.engines.offline.engine import OfflineEngine

__all__ = ["OfflineEngine"]
