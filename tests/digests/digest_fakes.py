"""Test doubles and sample articles for the digest tests (imported by conftest and test modules)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from briefing.config import Settings
from briefing.models import (
    Actor,
    Article,
    Brief,
    BriefMeta,
    BriefOptions,
    Dispute,
    Evidence,
    NextStep,
    StatusItem,
)
from briefing.pipeline import Briefer
from briefing.store import Store
from briefing.store.digest_repo import DigestRepo

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_NAME = re.compile(r"\b([A-Z][a-z]+(?: [A-Z][a-z]+)+)\b")


class CountingEngine:
    """Status = sentences; actors = capitalized multi-word names; 'dispute:' and 'next:' lines become
    disputes and next steps. Every brief and merge counts as one LLM call."""

    name = "counting"
    model = "fake-1"
    prompt_version = "t1"

    def __init__(self) -> None:
        self.brief_calls = 0
        self.merge_calls = 0

    async def brief(self, article: Article, options: BriefOptions) -> Brief:
        self.brief_calls += 1
        sentences = [s for s in _SENTENCE.split(article.text) if s]
        status, disputes, steps = [], [], []
        for sentence in sentences:
            quote = [Evidence(quote=sentence)]
            if sentence.lower().startswith("dispute:"):
                disputes.append(Dispute(issue=sentence[8:].strip(), evidence=quote))
            elif sentence.lower().startswith("next:"):
                steps.append(NextStep(action=sentence[5:].strip(), evidence=quote))
            else:
                status.append(StatusItem(text=sentence, evidence=quote))
        names = dict.fromkeys(_NAME.findall(article.text))
        return Brief(
            headline=article.title or sentences[0],
            summary=sentences[0],
            actors=[Actor(name=name, evidence=[Evidence(quote=name)]) for name in names],
            status=status,
            disputes=disputes,
            next_steps=steps,
            meta=BriefMeta(
                engine=self.name, model=self.model, prompt_version=self.prompt_version, llm_calls=1
            ),
        )

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief:
        self.merge_calls += 1
        first = briefs[0]
        seen: set[str] = set()

        def unique(items: list, key: str) -> list:
            out = []
            for item in items:
                value = getattr(item, key).lower()
                if value not in seen:
                    seen.add(value)
                    out.append(item)
            return out

        return Brief(
            headline=first.headline,
            summary=first.summary,
            actors=unique([a for b in briefs for a in b.actors], "name"),
            status=unique([s for b in briefs for s in b.status], "text"),
            disputes=unique([d for b in briefs for d in b.disputes], "issue"),
            next_steps=unique([n for b in briefs for n in b.next_steps], "action"),
            meta=BriefMeta(
                engine=self.name, model=self.model, prompt_version=self.prompt_version, llm_calls=1
            ),
        )


class FakeBriefer(Briefer):
    def __init__(self, settings: Settings, cache: Store, engine: CountingEngine) -> None:
        super().__init__(settings, cache)
        self.fake = engine

    def engine(self, options: BriefOptions | None = None) -> CountingEngine:  # type: ignore[override]
        return self.fake


DAY1 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def article(slug: str, title: str, text: str, source: str, hours: float = 0.0) -> Article:
    return Article(
        text=text,
        title=title,
        source=source,
        url=f"https://{source.lower().replace(' ', '')}.example/{slug}",
        published_at=DAY1 + timedelta(hours=hours),
    )


def harbor_and_tram() -> list[Article]:
    """Two stories, two articles each, from different outlets."""
    return [
        article(
            "strike-a",
            "Dockworkers strike at Port Arlen over night pay",
            "Dockworkers at Port Arlen walked out on Monday over night-shift pay. "
            "The United Port Workers union said the strike would last "
            "until Arlen Terminals restored the pay. "
            "Dispute: the cut to the night-shift premium. Next: talks with a mediator on Wednesday.",
            "Coastline Daily",
        ),
        article(
            "strike-b",
            "Port Arlen strike halts container loading",
            "Container loading at Port Arlen stopped as dockworkers went on strike over night-shift pay. "
            "Arlen Terminals said the night premium was out of line with other ports.",
            "Harbour Post",
            2,
        ),
        article(
            "tram-a",
            "Aldenburg council approves airport tram line",
            "The Aldenburg city council approved the airport tram line on Monday. "
            "Construction of the tram line will start in the autumn. Next: tenders for the tram cars.",
            "Capital Times",
            1,
        ),
        article(
            "tram-b",
            "Airport tram line wins council vote in Aldenburg",
            "Aldenburg councillors voted for the airport tram line, with construction due in autumn. "
            "Opponents said the tram line budget was too small.",
            "Metro Wire",
            3,
        ),
    ]


EMPTY_FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>"""


def minutely_schedule(repo: DigestRepo, targets: list, created: datetime) -> int:
    """A schedule firing every minute (UTC, a 48 h window), as if created at `created`."""
    from sqlalchemy import update

    from briefing.digests.models import ScheduleIn
    from briefing.digests.tables import ScheduleRow

    spec = ScheduleIn(name="Minutely", cron="* * * * *", timezone="UTC", targets=targets, window_hours=48)
    schedule = repo.create_schedule(spec)
    with repo.store.session() as session:
        session.execute(update(ScheduleRow).where(ScheduleRow.id == schedule.id).values(created_at=created))
    return schedule.id


def just_due_cron(now: datetime) -> str:
    """A daily UTC cron whose slot fell a minute before `now`: due once, the next slot a day away.

    Tests that run on the wall clock use it instead of a minutely cron, whose next slot would come
    due if the minute turned while the test ran.
    """
    slot = now.astimezone(UTC) - timedelta(minutes=1)
    return f"{slot.minute} {slot.hour} * * *"


def just_due_schedule(repo: DigestRepo, targets: list, now: datetime) -> int:
    """A schedule with one slot due at `now` (created two minutes before it), the next a day later."""
    from sqlalchemy import update

    from briefing.digests.models import ScheduleIn
    from briefing.digests.tables import ScheduleRow

    spec = ScheduleIn(name="Daily", cron=just_due_cron(now), timezone="UTC", targets=targets, window_hours=48)
    schedule = repo.create_schedule(spec)
    with repo.store.session() as session:
        created = now - timedelta(minutes=2)
        session.execute(update(ScheduleRow).where(ScheduleRow.id == schedule.id).values(created_at=created))
    return schedule.id
