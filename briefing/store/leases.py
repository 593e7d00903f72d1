"""The one lease rule for rows a worker owns for a while: brief jobs, digest runs, deliveries.

A row is held while its status is the table's `held` value, until its `lease_until`. Its holder
keeps it by renewing the lease (the heartbeat in `briefing/queue/heartbeat.py`); a holder that
stops renewing (killed, frozen, cut off) lets the lease lapse, and then another worker may take
the row over. Every write of a holder is fenced with what it took the row with (a job's attempt
and start, a run's owner), so a holder that resumes after a takeover writes nothing.

Jobs, digest runs and deliveries state their rule once (`JOB_LEASE` here; `RUN_LEASE` and
`DELIVERY_LEASE` in `briefing/store/digest_work.py`) and build their statements from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_

from briefing.store.tables import JobRow


@dataclass(frozen=True)
class LeaseRule:
    """How one table marks a held row: `status` equal to `held`, owned until `lease_until`."""

    status: Any  # the status column (an ORM attribute or a Core column)
    lease_until: Any
    held: str

    def holding(self) -> ColumnElement[bool]:
        """The row is held (by whoever the caller's fence names)."""
        return self.status == self.held

    def lapsed(self, now: datetime) -> ColumnElement[bool]:
        """Held, but its holder stopped renewing before `now`: another worker may take it over."""
        return and_(self.status == self.held, self.lease_until < now)

    def hold(self, now: datetime, lease: timedelta) -> dict[str, Any]:
        """The values that take a row, or keep it: held until `now + lease`."""
        return {self.status.key: self.held, self.lease_until.key: now + lease}

    def renewal(self, until: Any) -> dict[str, Any]:
        """The values that renew a held row's lease to `until` (a value or a bound parameter)."""
        return {self.lease_until.key: until}

    def released(self) -> dict[str, Any]:
        """The lease part of the values that end a hold (finished, failed or given back)."""
        return {self.lease_until.key: None}


JOB_LEASE = LeaseRule(JobRow.status, JobRow.lease_until, "running")
