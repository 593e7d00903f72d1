"""One runtime per process: the settings, the store, the Briefer, the digest service and the story
feed, built once.

The FastAPI lifespan, the CLI entry and the scheduler build a `Runtime` at start and close it at
shutdown; everything else gets these objects injected. Nothing builds an engine or an LLM client
per request, so the LLM call bound (`BRIEFING_LLM_MAX_CONCURRENCY`) and the HTTP connection pool
are per process, not per request.
"""

from __future__ import annotations

from briefing.config import Settings
from briefing.digests.feeds import FeedPoller
from briefing.digests.service import DigestService
from briefing.digests.stories import StoryFeed
from briefing.pipeline import Briefer
from briefing.store import Store, open_store
from briefing.store.slots import SharedSlots


class Runtime:
    """What a process shares: close it once, when the process stops."""

    def __init__(self, settings: Settings, store: Store, *, briefer: Briefer | None = None) -> None:
        self.settings = settings
        self.store = store
        # The one Briefer: its engines (and their LLM clients) are built on first use, then reused.
        self.briefer = briefer or Briefer(settings, cache=store)
        self.llm_slots: SharedSlots | None = None
        if store.engine.dialect.name == "postgresql":
            # BRIEFING_LLM_MAX_CONCURRENCY then bounds the calls of every process on the database.
            self.llm_slots = SharedSlots(
                store.engine, f"llm:{settings.openai_base_url or ''}", settings.llm_max_concurrency
            )
            self.briefer.llm_slots = self.llm_slots
        # BRIEFING_VERIFY=llm: build the second opinion now, so a missing template fails at start-up.
        self.briefer.verifier()
        self.digests = DigestService(settings, store, briefer=self.briefer)
        self.feeds = FeedPoller(settings, store)
        # Articles are put into stories right after they arrive (its `run` task is the worker's):
        # briefed by a job, or stored by a feed poll or POST /v1/articles (briefed here first).
        assigner = self.digests.builder.assigner
        self.stories: StoryFeed | None = None
        if assigner is not None:
            arrival = self.briefer if settings.brief_on_arrival else None
            self.stories = StoryFeed(assigner, briefer=arrival)
            self.feeds.on_stored = self.stories.note_stored

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        """Open (and migrate) the store and build the runtime over it; blocking, so call it in a thread."""
        return cls(settings, open_store(settings))

    async def aclose(self) -> None:
        """Close the engines' HTTP clients, then the database pool."""
        await self.briefer.aclose()
        if self.llm_slots is not None:
            self.llm_slots.close()
        self.store.close()
