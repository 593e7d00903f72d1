"""Durable jobs (kept for imports): the queue lives in `briefing.queue`."""

from __future__ import annotations

from briefing.queue.base import Handler, Outcome, WorkQueue, error_document
from briefing.queue.local import LocalQueue
from briefing.store import QueueFullError

DatabaseJobQueue = LocalQueue
JobQueue = WorkQueue

__all__ = ["DatabaseJobQueue", "Handler", "JobQueue", "Outcome", "QueueFullError", "error_document"]
