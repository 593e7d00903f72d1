"""The start-up shortcuts of the offline engine give the same word sets as the libraries they replace."""

from __future__ import annotations

from gender_guesser.detector import Detector
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS

from briefing.engines.offline import tables
from briefing.engines.offline.stopwords import ENGLISH_STOP_WORDS


def test_stop_words_equal_scikit_learns() -> None:
    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS


def test_given_names_match_the_detector() -> None:
    expected = frozenset(Detector(case_sensitive=False).names) - tables.NON_ACTORS
    assert tables._build_given_names() == expected
    assert tables.given_names() == expected  # also when read from the cache folder
    # "Abdel+Aziz" in the data file: the joined, spaced and hyphenated spellings are all names.
    assert {"abdelaziz", "abdel aziz", "abdel-aziz"} <= expected


def test_library_tables_are_cached_and_rebuilt_when_damaged(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path))
    builds: list[int] = []

    def build() -> frozenset[str]:
        builds.append(1)
        return frozenset({"ohio", "bavaria"})

    assert tables._library_table("probe", build) == {"ohio", "bavaria"}
    (cached,) = tmp_path.glob("offline-probe-*.marshal")
    assert tables._library_table("probe", build) == {"ohio", "bavaria"} and len(builds) == 1
    cached.write_bytes(b"\x00garbage")
    assert tables._library_table("probe", build) == {"ohio", "bavaria"} and len(builds) == 2


def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(blocker / "sub"))
    assert tables._library_table("probe", lambda: frozenset({"x"})) == {"x"}
