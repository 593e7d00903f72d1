"""Bounds that the API and the CLI both check, so the two refuse the same input the same way."""

from __future__ import annotations

MAX_ID = 2**31 - 1
"""Largest id of a schedule, feed, digest or delivery: a 32-bit column on PostgreSQL (and past
SQLite's 64-bit integers, a number cannot even be bound). A larger one names nothing."""
