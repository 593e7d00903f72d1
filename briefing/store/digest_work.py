"""SQL for digest work run as queued tasks: which deliveries and feeds are due, one delivery's claim.

Used by `briefing.digests.tasks` (on procrastinate and on the embedded queue). The claim is the
same atomic update the deliverer uses for a digest's deliveries: two tasks for one delivery
(enqueued by two schedulers a moment apart) cannot both send it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from briefing.digests.tables import DeliveryRow, DigestRunRow, FeedRow
from briefing.store import Store
from briefing.store.leases import LeaseRule

# The lease rule (briefing/store/leases.py) of scheduled runs (owner-fenced) and of deliveries.
RUN_LEASE = LeaseRule(DigestRunRow.status, DigestRunRow.lease_until, "running")
DELIVERY_LEASE = LeaseRule(DeliveryRow.status, DeliveryRow.lease_until, "sending")


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        and_(DeliveryRow.status == "pending", DeliveryRow.next_attempt_at <= now),
        DELIVERY_LEASE.lapsed(now),
    )


def due_delivery_ids(
    store: Store, now: datetime, *, digest_id: int | None = None, limit: int = 100
) -> list[int]:
    """Deliveries to send now: pending and due, or claimed by a sender that died."""
    query = select(DeliveryRow.id).where(_due(now)).order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
    if digest_id is not None:
        query = query.where(DeliveryRow.digest_id == digest_id)
    with store.session() as session:
        return list(session.scalars(query.limit(limit)))


def claim_delivery(store: Store, delivery_id: int, *, now: datetime, lease: timedelta) -> bool:
    """Take one due delivery for sending; False when it is not due or another sender has it."""
    with store.session() as session:
        claimed = session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, _due(now))
            .values(**DELIVERY_LEASE.hold(now, lease))
        )
        return claimed.rowcount == 1


def due_feed_ids(store: Store, now: datetime) -> list[int]:
    """Feeds whose polling interval has passed (never polled ones included)."""
    with store.session() as session:
        rows = session.execute(
            select(FeedRow.id, FeedRow.last_polled_at, FeedRow.poll_minutes).order_by(FeedRow.id)
        )
        return [
            feed_id
            for feed_id, polled, minutes in rows
            if polled is None or polled + timedelta(minutes=minutes) <= now
        ]


def feed_due(store: Store, feed_id: int, now: datetime) -> bool:
    """The feed exists and is due at `now` (a poll task re-checks: another may have just polled it)."""
    with store.session() as session:
        row = session.execute(
            select(FeedRow.last_polled_at, FeedRow.poll_minutes).where(FeedRow.id == feed_id)
        ).first()
    if row is None:
        return False
    polled, minutes = row
    return polled is None or polled + timedelta(minutes=minutes) <= now


def run_finished(store: Store, schedule_id: int, period: str) -> bool:
    """The period's run is done (or given up): nothing to enqueue for it."""
    with store.session() as session:
        status = session.scalar(
            select(DigestRunRow.status).where(
                DigestRunRow.schedule_id == schedule_id, DigestRunRow.period == period
            )
        )
    return status is not None and status != "running"
