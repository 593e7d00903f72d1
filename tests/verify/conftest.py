"""Claim-check tests start from empty caches: claims.py memoizes per text (articles, quotes,
claims, facts), and a result cached by an earlier test, or by code under mutation testing's clean
run, would hide what the code under test does now."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from briefing import claims


def _caches() -> list[Any]:
    """Every memoized function of briefing.claims (functools.lru_cache gives them cache_clear)."""
    return [value for value in vars(claims).values() if callable(getattr(value, "cache_clear", None))]


@pytest.fixture(autouse=True)
def _fresh_claim_caches() -> Iterator[None]:
    for cache in _caches():
        cache.cache_clear()
    yield
