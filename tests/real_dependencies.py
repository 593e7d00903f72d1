"""In CI a test that needs a real dependency must run it: its skip becomes a failure.

Locally a missing Chromium or an unset DATABASE_URL skips the end-to-end and PostgreSQL tests (the
reasons are listed at the end of the run). With `CI` set, .ci/run (or the CI service) has promised
those dependencies, so a skip would turn a broken install into a green run that tested less:
- a test marked `e2e` (headless Chromium) must not skip;
- a test marked `postgres` (or using a PostgreSQL fixture) must not skip when DATABASE_URL is set.
Both are read when the session starts, before any test cleans the environment.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping

import pytest

POSTGRES_FIXTURES = frozenset({"postgres_settings", "postgres_schema_url", "postgres_url"})
_CI = pytest.StashKey[bool]()
_POSTGRES_URL = pytest.StashKey[str | None]()


def ci_enabled(environ: Mapping[str, str]) -> bool:
    """CI services set CI=true; unset, empty, "0", "false" or "no" mean a developer's run."""
    return environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def required_dependency(item: pytest.Item, postgres_url: str | None) -> str | None:
    """The real dependency this test must not skip in CI, or None."""
    if item.get_closest_marker("e2e") is not None:
        return "headless Chromium"
    uses_postgres = item.get_closest_marker("postgres") is not None or bool(
        POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ()))
    )
    if uses_postgres and postgres_url:
        return "PostgreSQL (DATABASE_URL is set)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_CI] = ci_enabled(os.environ)
    config.stash[_POSTGRES_URL] = os.environ.get("DATABASE_URL") or os.environ.get(
        "BRIEFING_TEST_DATABASE_URL"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail") or not item.config.stash.get(_CI, False):
        return
    dependency = required_dependency(item, item.config.stash.get(_POSTGRES_URL, None))
    if dependency is None:
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = f"CI is set, so this test must run against {dependency}, but it was skipped: {reason}"
