"""With CI set, a test that cannot reach its real dependency fails instead of skipping."""

from __future__ import annotations

import pytest

CONFTEST = """
from tests.real_dependencies import pytest_configure, pytest_runtest_makereport
"""

TESTS = """
import pytest

@pytest.fixture
def postgres_settings():
    pytest.skip("DATABASE_URL is not set")

@pytest.mark.e2e
@pytest.mark.skipif(True, reason="/usr/bin/chromium is not installed")
def test_browser():
    pass

@pytest.mark.postgres
def test_marked_postgres():
    pytest.skip("no server")

def test_postgres_fixture(postgres_settings):
    pass

def test_ordinary_skip():
    pytest.skip("not a real dependency")

@pytest.mark.e2e
def test_browser_runs():
    pass
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> pytest.RunResult:
    for name in ("CI", "DATABASE_URL", "BRIEFING_TEST_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_deps=TESTS)
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "markers =\n    e2e: browser\n    postgres: database\n"
    )
    return pytester.runpytest("-rA")


def test_without_ci_missing_dependencies_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, {"DATABASE_URL": "postgresql://127.0.0.1/x"})
    result.assert_outcomes(passed=1, skipped=4)


@pytest.mark.parametrize("ci", ["false", "0", ""])
def test_ci_false_is_not_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    _run(pytester, monkeypatch, {"CI": ci}).assert_outcomes(passed=1, skipped=4)


def test_in_ci_a_missing_browser_fails(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, {"CI": "true"})
    # no DATABASE_URL: the PostgreSQL tests may still skip, the browser test may not
    result.assert_outcomes(passed=1, skipped=3, errors=1)  # the skipif marker acts at setup: an error
    result.stdout.fnmatch_lines(
        ["ERROR*test_browser - CI is set, so this test must run against headless Chromium, but it was "
         "skipped: /usr/bin/chromium is not installed"]
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_in_ci_with_database_url_a_skipped_postgres_test_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, {"CI": "1", "DATABASE_URL": "postgresql://127.0.0.1/x"})
    result.assert_outcomes(passed=1, skipped=1, failed=1, errors=2)
    result.stdout.fnmatch_lines(["*test_marked_postgres*PostgreSQL (DATABASE_URL is set)*no server*"])
    result.stdout.fnmatch_lines(["ERROR*test_postgres_fixture*PostgreSQL*DATABASE_URL is not set*"])
    result.stdout.fnmatch_lines(["ERROR*test_browser*headless Chromium*"])
    result.stdout.fnmatch_lines(["SKIPPED*not a real dependency*"])
