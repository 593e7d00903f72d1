"""briefing: structured, grounded briefs from news articles."""

from briefing.models import Article, Brief

__all__ = ["Article", "Brief"]
__version__ = "0.1.0"
