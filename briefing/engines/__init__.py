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


def check_engine_name(name: str, what: str = "engine") -> str:
    """The name, if an engine answers to it; callers check early, before doing any work."""
    if name not in ENGINES:
        raise UnknownEngineError(f"unknown {what} {name!r}; choose one of: {', '.join(sorted(ENGINES))}")
    return name


def get_engine(name: str | None, settings: Settings, *, model: str | None = None) -> Engine:
    """Build the named engine (default: `settings.default_engine`)."""
    name = check_engine_name(name or settings.default_engine)
    module_name, class_name = ENGINES[name].split(":")
    engine_cls = getattr(import_module(module_name), class_name)
    return engine_cls(settings, model=model)


__all__ = ["ENGINES", "Engine", "check_engine_name", "get_engine"]
