"""Engine registry: a name from settings or a request → an engine instance."""

from __future__ import annotations

from importlib import import_module

from briefing.config import Settings
from briefing.engines.base import Engine
from briefing.errors import UnknownEngineError

ENGINES: dict[str, str] = {
    "llm": "briefing.engines.llm:LLMEngine",
    "offline": "briefing.engines.offline:OfflineEngine",
    "lead": "briefing.engines.lead:LeadEngine",
}


def get_engine(name: str | None, settings: Settings, *, model: str | None = None) -> Engine:
    """Build the named engine (default: `settings.default_engine`)."""
    name = name or settings.default_engine
    target = ENGINES.get(name)
    if target is None:
        known = ", ".join(sorted(ENGINES))
        raise UnknownEngineError(f"unknown engine {name!r}; choose one of: {known}")
    module_name, class_name = target.split(":")
    engine_cls = getattr(import_module(module_name), class_name)
    return engine_cls(settings, model=model)


__all__ = ["ENGINES", "Engine", "get_engine"]
