"""`briefing brief` input: files and stdin are decoded the same way, and bad bytes are an input error."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from briefing.cli.brief import read_article_text
from briefing.errors import InputError


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_non_utf8_stdin_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"caf\xe9 talks resume.\n"))
    with pytest.raises(InputError, match="stdin is not UTF-8 text"):
        read_article_text("-")


def test_stdin_and_file_read_the_same_text(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    data = "Café talks resume.\r\nThe union agreed.\rDone.\n".encode()
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    from_stdin = read_article_text("-")
    assert from_stdin == read_article_text(str(path)) == "Café talks resume.\nThe union agreed.\nDone.\n"


def test_cli_non_utf8_stdin_prints_one_line(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "briefing", "brief", "-"],
        input=b"caf\xe9 talks resume.\n",
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "BRIEFING_DATA_DIR": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.decode().strip().splitlines() == [
        "briefing: error: stdin is not UTF-8 text; convert it first (e.g. with iconv)"
    ]


def test_unknown_engine_is_the_only_line_on_stderr(tmp_path) -> None:
    """No "engine: nope" note before the error: the name is checked first."""
    article = tmp_path / "a.txt"
    article.write_text("The council met on Monday.")
    done = subprocess.run(
        [sys.executable, "-m", "briefing", "brief", str(article), "--engine", "nope"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "BRIEFING_DATA_DIR": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "briefing: error: unknown engine 'nope'; choose one of: lead, llm, offline"
    ]


def _cli(*args: str, tmp_path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "BRIEFING_DATA_DIR": str(tmp_path)},
        timeout=60,
    )


def test_a_number_too_long_for_a_float_is_briefed_and_verified_without_a_traceback(tmp_path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Strike\n\nAbout " + "9" * 400 + " workers walked out on Monday.\n")
    claims = tmp_path / "c.txt"
    claims.write_text("About 12 workers walked out on Monday.\n")
    brief = _cli("brief", str(article), "--format", "json", tmp_path=tmp_path)
    assert brief.returncode == 0 and "Traceback" not in brief.stderr, brief.stderr
    checked = _cli("verify", str(article), str(claims), tmp_path=tmp_path)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr  # 1: the claim is unsupported
    assert 'number "12" not in its evidence' in checked.stdout


def test_a_time_ago_before_the_year_1_is_one_line_and_exit_2(tmp_path) -> None:
    done = _cli("briefs", "list", "--since", "99999999999999d", tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "briefing: error: --since '99999999999999d': that is before the year 1; give a shorter time ago"
    ]


def test_an_article_without_letters_or_digits_is_one_line_and_exit_2(tmp_path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("\u200b\u200b\n— \u2060\n", encoding="utf-8")
    done = _cli("brief", str(article), tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"briefing: error: the article in {article} has no letters or digits to brief"
    ]


def test_an_output_file_that_cannot_be_written_is_a_one_line_error_before_any_work(tmp_path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("The council met on Monday. It approved the budget.")
    done = _cli("brief", str(article), "-o", "/proc/briefing-brief.md", tmp_path=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "briefing: error: -o /proc/briefing-brief.md: cannot write there (No such file or directory)"
    ]


def test_the_write_check_leaves_no_file_behind(tmp_path) -> None:
    from briefing.services.batch import check_writable

    target = tmp_path / "out.md"
    check_writable(target, "-o")
    assert not target.exists()
    target.write_text("kept")
    check_writable(target, "-o")
    assert target.read_text() == "kept"


@pytest.mark.parametrize(("spelling", "starts"), [("md", "# "), ("MARKDOWN", "# "), ("JSON", "{")])
def test_format_spellings_of_other_commands_are_accepted(tmp_path, spelling: str, starts: str) -> None:
    article = tmp_path / "a.txt"
    article.write_text("The council met on Monday. It approved the budget.")
    done = _cli("brief", str(article), "--format", spelling, "-q", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(starts)
