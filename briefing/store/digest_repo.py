"""Data access for digests on the store's database; every method is one short transaction.

Exactly-once rests on three rules enforced here with unique keys: one run row per (schedule,
period), one digest per (schedule, period), one delivery per (digest, target). A run or a
delivery is owned through a lease; an expired lease may be taken over by another process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from briefing.digests.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryTarget,
    Digest,
    DigestFilters,
    Schedule,
    ScheduleIn,
    target_key,
)
from briefing.digests.tables import (
    DeliveryAttemptRow,
    DeliveryRow,
    DigestRow,
    DigestRunRow,
    FeedEntryRow,
    FeedRow,
    ScheduleRow,
)
from briefing.errors import ConflictError, NotFoundError
from briefing.models import Article
from briefing.store import Store, digest_work
from briefing.store.digest_work import DELIVERY_LEASE, RUN_LEASE
from briefing.store.tables import ArticleRow, utcnow


def _schedule_row(session: Session, schedule_id: int) -> ScheduleRow:
    row = session.get(ScheduleRow, schedule_id)
    if row is None:
        raise NotFoundError(f"no schedule with id {schedule_id}")
    return row


def _schedule(row: ScheduleRow) -> Schedule:
    times = {"created_at": row.created_at, "updated_at": row.updated_at}
    fields = {"id": row.id, **times, **_stored_spec(row.spec)}
    return Schedule.model_validate(fields, context={"stored": True})


def _non_blank(values: list[Any]) -> list[Any]:
    return [value for value in values if not isinstance(value, str) or value.strip()]


def _stored_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A stored spec as it validates today: blank filter values, which matched nothing and are now
    refused on input, are dropped from schedules saved before that rule."""
    filters = spec.get("filters")
    if not isinstance(filters, dict):
        return spec
    kept = {
        name: _non_blank(values) if isinstance(values, list) else values for name, values in filters.items()
    }
    return spec if kept == filters else {**spec, "filters": kept}


def _spec(spec: ScheduleIn) -> dict[str, Any]:
    """The stored part of a schedule (a full `Schedule` may be passed; its id and times are not spec)."""
    return spec.model_dump(mode="json", include=set(ScheduleIn.model_fields))


def _digest(row: DigestRow) -> Digest:
    digest = Digest.model_validate(row.data)
    digest.id = row.id
    return digest


class DigestRepo:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _insert(self) -> Any:
        return postgresql.insert if self.store.engine.dialect.name == "postgresql" else sqlite.insert

    # --- schedules -----------------------------------------------------------------------------
    def create_schedule(self, spec: ScheduleIn) -> Schedule:
        now = utcnow()
        row = ScheduleRow(
            name=spec.name,
            cron=spec.cron,
            timezone=spec.timezone,
            enabled=spec.enabled,
            spec=_spec(spec),
            created_at=now,
            updated_at=now,
        )
        with self.store.session() as session:
            session.add(row)
            session.flush()
            return _schedule(row)

    def get_schedule(self, schedule_id: int) -> Schedule:
        with self.store.session() as session:
            return _schedule(_schedule_row(session, schedule_id))

    def list_schedules(
        self, *, enabled_only: bool = False, limit: int | None = None, offset: int = 0
    ) -> list[Schedule]:
        """By id; `limit=None` is all of them (the scheduler), a number is one page (the API)."""
        query = select(ScheduleRow).order_by(ScheduleRow.id).limit(limit).offset(offset)
        if enabled_only:
            query = query.where(ScheduleRow.enabled.is_(True))
        with self.store.session() as session:
            return [_schedule(row) for row in session.scalars(query)]

    def update_schedule(self, schedule_id: int, spec: ScheduleIn) -> Schedule:
        with self.store.session() as session:
            row = _schedule_row(session, schedule_id)
            row.name, row.cron, row.timezone, row.enabled = spec.name, spec.cron, spec.timezone, spec.enabled
            row.spec = _spec(spec)
            row.updated_at = utcnow()
            session.flush()
            return _schedule(row)

    def delete_schedule(self, schedule_id: int) -> None:
        """Delete a schedule; its digests stay (without it), their run keys go: a schedule created
        later that reuses the id must not replay the deleted one's runs."""
        with self.store.session() as session:
            row = _schedule_row(session, schedule_id)  # NotFoundError before anything changes
            session.execute(  # before the delete, which sets the digests' schedule_id to NULL
                update(DigestRow).where(DigestRow.schedule_id == schedule_id).values(idempotency_key=None)
            )
            session.delete(row)

    # --- runs ------------------------------------------------------------------------------------
    def claim_run(
        self, schedule_id: int, period: str, fire_at: datetime, *, owner: str, now: datetime, lease: timedelta
    ) -> int | None:
        """Run id if this owner now holds the run of (schedule, period); None if someone else does or
        it is done. A new run is created; an unfinished run whose lease expired is taken over."""
        try:
            with self.store.session() as session:
                row = DigestRunRow(
                    schedule_id=schedule_id,
                    period=period,
                    fire_at=fire_at,
                    owner=owner,
                    attempts=1,
                    started_at=now,
                    **RUN_LEASE.hold(now, lease),
                )
                session.add(row)
                session.flush()
                return row.id
        except IntegrityError:
            pass
        with self.store.session() as session:
            result = session.execute(
                update(DigestRunRow)
                .where(
                    DigestRunRow.schedule_id == schedule_id,
                    DigestRunRow.period == period,
                    RUN_LEASE.lapsed(now),
                )
                .values(owner=owner, attempts=DigestRunRow.attempts + 1, **RUN_LEASE.hold(now, lease))
            )
            if result.rowcount != 1:
                return None
            return session.scalar(
                select(DigestRunRow.id).where(
                    DigestRunRow.schedule_id == schedule_id, DigestRunRow.period == period
                )
            )

    def renew_run(self, run_id: int, *, owner: str, now: datetime, lease: timedelta) -> bool:
        """Extend this owner's lease; False when the run was taken over (or finished) meanwhile.

        An owner whose lease lapsed but that nobody took over may still renew: no one else has
        started the work, so keeping it is safe."""
        return self._update_own_running_run(run_id, owner, **RUN_LEASE.renewal(now + lease))

    def finish_run(self, run_id: int, *, owner: str, digest_id: int | None, now: datetime) -> bool:
        """Mark the run done; False (nothing changed) when another scheduler owns it now."""
        return self._update_own_running_run(
            run_id,
            owner,
            status="done",
            digest_id=digest_id,
            finished_at=now,
            error=None,
            **RUN_LEASE.released(),
        )

    def _update_own_running_run(self, run_id: int, owner: str, **values: Any) -> bool:
        """Update a run only while `owner` still holds it; False when it was taken over or finished."""
        with self.store.session() as session:
            result = session.execute(
                update(DigestRunRow)
                .where(
                    DigestRunRow.id == run_id,
                    DigestRunRow.owner == owner,
                    RUN_LEASE.holding(),
                )
                .values(**values)
            )
            return result.rowcount == 1

    def fail_run(
        self, run_id: int, *, owner: str, error: str, now: datetime, retry_in: timedelta, give_up: bool
    ) -> None:
        """Keep a failed run claimable after `retry_in` (another attempt) unless we give up."""
        # Still held (by nobody): the lease lapses after `retry_in`, and the next claim takes it over.
        values: dict[str, Any] = {"error": error, **RUN_LEASE.renewal(now + retry_in)}
        if give_up:
            values.update(status="failed", finished_at=now)
        with self.store.session() as session:
            session.execute(
                update(DigestRunRow)
                .where(DigestRunRow.id == run_id, DigestRunRow.owner == owner)
                .values(**values)
            )

    def run_attempts(self, run_id: int) -> int:
        with self.store.session() as session:
            return session.scalar(select(DigestRunRow.attempts).where(DigestRunRow.id == run_id)) or 0

    def previous_run_fire_at(self, schedule_id: int, before_period: str) -> datetime | None:
        """When the last completed run before this period fired: the default window start."""
        with self.store.session() as session:
            return session.scalar(
                select(func.max(DigestRunRow.fire_at)).where(
                    DigestRunRow.schedule_id == schedule_id,
                    DigestRunRow.status == "done",
                    DigestRunRow.period < before_period,
                )
            )

    def list_runs(
        self, schedule_id: int, *, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        query = (
            select(DigestRunRow)
            .where(DigestRunRow.schedule_id == schedule_id)
            .order_by(DigestRunRow.id)
            .limit(limit)
            .offset(offset)
        )
        with self.store.session() as session:
            return [
                {
                    "id": row.id,
                    "period": row.period,
                    "status": row.status,
                    "attempts": row.attempts,
                    "digest_id": row.digest_id,
                    "error": row.error,
                    "owner": row.owner,
                    "lease_until": row.lease_until.isoformat() if row.lease_until else None,
                }
                for row in session.scalars(query)
            ]

    # --- digests ---------------------------------------------------------------------------------
    def save_digest(
        self, digest: Digest, *, idempotency_key: str | None = None, request_hash: str | None = None
    ) -> tuple[Digest, bool]:
        """Insert; when a digest for the same (schedule, period) or the same idempotency key exists,
        return that one instead (False)."""
        row = DigestRow(
            schedule_id=digest.schedule_id,
            period=digest.period,
            title=digest.title,
            data=digest.model_dump(mode="json", exclude={"id"}),
            window_start=digest.window_start,
            window_end=digest.window_end,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            created_at=digest.created_at,
        )
        try:
            with self.store.session() as session:
                session.add(row)
                session.flush()
                return _digest(row), True
        except IntegrityError:
            if idempotency_key is None and (digest.schedule_id is None or digest.period is None):
                raise
        if idempotency_key is not None:
            found = self.digest_for_key(idempotency_key)
            if found is not None:
                return found[0], False
        assert digest.schedule_id is not None and digest.period is not None
        existing = self.digest_for_period(digest.schedule_id, digest.period)
        assert existing is not None
        return existing, False

    def digest_for_key(self, idempotency_key: str) -> tuple[Digest, str | None] | None:
        """The digest made for this Idempotency-Key, with the hash of the request that made it."""
        with self.store.session() as session:
            row = session.scalars(
                select(DigestRow).where(DigestRow.idempotency_key == idempotency_key)
            ).first()
            return (_digest(row), row.request_hash) if row is not None else None

    def digest_for_period(self, schedule_id: int, period: str) -> Digest | None:
        with self.store.session() as session:
            row = session.scalars(
                select(DigestRow).where(DigestRow.schedule_id == schedule_id, DigestRow.period == period)
            ).first()
            return _digest(row) if row is not None else None

    def get_digest(self, digest_id: int) -> Digest:
        with self.store.session() as session:
            row = session.get(DigestRow, digest_id)
            if row is None:
                raise NotFoundError(f"no digest with id {digest_id}")
            return _digest(row)

    def list_digests(
        self, *, schedule_id: int | None = None, limit: int = 50, offset: int = 0
    ) -> list[Digest]:
        query = select(DigestRow).order_by(DigestRow.created_at.desc(), DigestRow.id.desc())
        if schedule_id is not None:
            query = query.where(DigestRow.schedule_id == schedule_id)
        with self.store.session() as session:
            return [_digest(row) for row in session.scalars(query.limit(limit).offset(offset))]

    def previous_digest(self, schedule_id: int, before_period: str) -> Digest | None:
        with self.store.session() as session:
            row = session.scalars(
                select(DigestRow)
                .where(DigestRow.schedule_id == schedule_id, DigestRow.period < before_period)
                .order_by(DigestRow.period.desc())
                .limit(1)
            ).first()
            return _digest(row) if row is not None else None

    # --- articles in a window --------------------------------------------------------------------
    def select_articles(
        self, *, since: datetime | None, until: datetime | None, filters: DigestFilters, limit: int = 50_000
    ) -> list[Article]:
        """Articles whose time (published, else ingested) is in [since, until), matching the filters."""
        when = func.coalesce(ArticleRow.published_at, ArticleRow.ingested_at)
        query = select(ArticleRow.__table__)  # rows, not ORM objects: cheaper for a day of thousands
        if since is not None:
            query = query.where(when >= since)
        if until is not None:
            query = query.where(when < until)
        if filters.sources:
            query = query.where(func.lower(ArticleRow.source).in_([s.lower() for s in filters.sources]))
        if filters.feeds or filters.tags:
            entries = select(FeedEntryRow.article_id).join(FeedRow, FeedRow.id == FeedEntryRow.feed_id)
            if filters.feeds:
                entries = entries.where(FeedRow.id.in_(filters.feeds))
            with self.store.session() as session:
                feed_ids = [
                    row.id for row in session.scalars(select(FeedRow)) if self._tags_match(row, filters)
                ]
            entries = entries.where(FeedRow.id.in_(feed_ids))
            query = query.where(ArticleRow.id.in_(entries))
        query = query.order_by(when, ArticleRow.id).limit(limit)
        with self.store.session() as session:
            rows = list(session.execute(query))
            articles = [
                Article.model_construct(  # stored text is normalized and hashed already
                    id=row.id,
                    text=row.text,
                    title=row.title,
                    source=row.source,
                    url=row.url,
                    published_at=row.published_at or row.ingested_at,
                    language=row.language,
                )
                for row in rows
            ]
        if filters.keywords:
            words = [word.lower() for word in filters.keywords]
            articles = [a for a in articles if any(w in f"{a.title or ''}\n{a.text}".lower() for w in words)]
        return articles

    @staticmethod
    def _tags_match(row: FeedRow, filters: DigestFilters) -> bool:
        if not filters.tags:
            return True
        return bool({tag.lower() for tag in row.tags or []} & {tag.lower() for tag in filters.tags})

    def get_articles(self, article_ids: Sequence[str]) -> list[Article]:
        """The articles in the order given, read in batches; NotFoundError names the first missing id."""
        found = self.store.get_articles(article_ids)
        missing = next((article_id for article_id in article_ids if article_id not in found), None)
        if missing is not None:
            raise NotFoundError(f"no article with id {missing}")
        return [found[article_id] for article_id in article_ids]

    # --- deliveries ------------------------------------------------------------------------------
    def ensure_deliveries(self, digest_id: int, targets: Sequence[DeliveryTarget], now: datetime) -> None:
        """One delivery row per target; re-running this (a second scheduler, a retry) adds nothing."""
        with self.store.session() as session:
            for target in targets:
                session.execute(
                    self._insert()(DeliveryRow)
                    .values(
                        digest_id=digest_id,
                        target_key=target_key(target),
                        kind=target.kind,
                        target=target.model_dump(mode="json"),
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["digest_id", "target_key"])
                )

    def claim_deliveries(
        self, *, now: datetime, lease: timedelta, digest_id: int | None = None, limit: int = 20
    ) -> list[int]:
        """Ids of deliveries this caller now owns: due pending ones and ones whose sender died.

        The same claim (one conditional UPDATE per delivery) as a queued delivery task's."""
        candidates = digest_work.due_delivery_ids(self.store, now, digest_id=digest_id, limit=limit)
        return [
            delivery_id
            for delivery_id in candidates
            if digest_work.claim_delivery(self.store, delivery_id, now=now, lease=lease)
        ]

    def delivery_row(self, delivery_id: int) -> tuple[int, dict[str, Any], int]:
        """(digest id, target, attempts so far)."""
        with self.store.session() as session:
            row = session.get(DeliveryRow, delivery_id)
            if row is None:
                raise NotFoundError(f"no delivery with id {delivery_id}")
            return row.digest_id, dict(row.target), row.attempts

    def record_attempt(
        self, delivery_id: int, *, ok: bool, error: str | None, now: datetime, retry_at: datetime | None
    ) -> None:
        """Record one attempt; `retry_at` None after a failure means attempts are used up."""
        values: dict[str, Any] = {
            "attempts": DeliveryRow.attempts + 1,
            "last_error": error,
            **DELIVERY_LEASE.released(),
        }
        if ok:
            values.update(status="delivered", delivered_at=now, next_attempt_at=None)
        elif retry_at is not None:
            values.update(status="pending", next_attempt_at=retry_at)
        else:
            values.update(status="failed", next_attempt_at=None)
        with self.store.session() as session:
            session.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values))
            session.add(DeliveryAttemptRow(delivery_id=delivery_id, at=now, ok=ok, error=error))

    def retry_delivery(self, delivery_id: int, now: datetime) -> Delivery:
        """Put a failed delivery back in the queue (after the user fixed the target), or make a
        pending one due now; ConflictError for one that was delivered or is being sent, where a
        retry could only send it twice."""
        with self.store.session() as session:
            changed = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.status.in_(("failed", "pending")))
                .values(status="pending", next_attempt_at=now)
            ).rowcount
        delivery = self.get_delivery(delivery_id)
        if not changed and delivery.status == "delivered":
            at = f" at {delivery.delivered_at:%Y-%m-%d %H:%M}Z" if delivery.delivered_at else ""
            raise ConflictError(f"delivery {delivery_id} was delivered{at}; there is nothing to retry")
        if not changed:
            raise ConflictError(f"delivery {delivery_id} is being sent right now; there is nothing to retry")
        return delivery

    def get_delivery(self, delivery_id: int) -> Delivery:
        with self.store.session() as session:
            row = session.get(DeliveryRow, delivery_id)
            if row is None:
                raise NotFoundError(f"no delivery with id {delivery_id}")
            return self._delivery(session, row)

    def list_deliveries(
        self,
        *,
        digest_id: int | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Delivery]:
        query = select(DeliveryRow).order_by(DeliveryRow.id).limit(limit).offset(offset)
        if digest_id is not None:
            query = query.where(DeliveryRow.digest_id == digest_id)
        if status is not None:
            query = query.where(DeliveryRow.status == status)
        with self.store.session() as session:
            return [self._delivery(session, row) for row in session.scalars(query)]

    @staticmethod
    def _delivery(session: Any, row: DeliveryRow) -> Delivery:
        attempts = session.scalars(
            select(DeliveryAttemptRow)
            .where(DeliveryAttemptRow.delivery_id == row.id)
            .order_by(DeliveryAttemptRow.id)
        )
        return Delivery(
            id=row.id,
            digest_id=row.digest_id,
            target=row.target_key,
            kind=row.kind,
            status=row.status,  # type: ignore[arg-type]
            attempts=row.attempts,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
            history=[DeliveryAttempt(at=a.at, ok=a.ok, error=a.error) for a in attempts],
        )

    # --- feeds (what a run reports as failed) ----------------------------------------------------
    def failing_feeds(self, schedule: Schedule) -> list[tuple[str, str]]:
        """Feeds relevant to the schedule whose last poll failed: (url, error)."""
        query = select(FeedRow).where(FeedRow.last_error.is_not(None)).order_by(FeedRow.id)
        if schedule.filters.feeds:
            query = query.where(FeedRow.id.in_(schedule.filters.feeds))
        with self.store.session() as session:
            return [
                (row.url, row.last_error or "")
                for row in session.scalars(query)
                if self._tags_match(row, schedule.filters)
            ]
