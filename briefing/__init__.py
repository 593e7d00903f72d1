"""briefing: structured, grounded briefs from news articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.models import Article, Brief

__all__ = ["Article", "Brief"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`briefing.Article` and `briefing.Brief` on first use: importing the package (as every CLI
    command does) then costs no pydantic model building until a model is needed."""
    if name in __all__:
        from briefing import models

        return getattr(models, name)
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")
