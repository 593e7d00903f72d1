"""The start-up shortcuts of the offline engine read the same word lists as the libraries they replace."""

from __future__ import annotations

from gender_guesser.detector import Detector
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS

from briefing.engines.offline.stopwords import ENGLISH_STOP_WORDS
from briefing.engines.offline.tables import NON_ACTORS, given_names


def test_stop_words_equal_scikit_learns() -> None:
    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS


def test_given_names_match_the_detector() -> None:
    expected = frozenset(Detector(case_sensitive=False).names) - NON_ACTORS
    assert given_names() == expected
    # "Abdel+Aziz" in the data file: the joined, spaced and hyphenated spellings are all names.
    assert {"abdelaziz", "abdel aziz", "abdel-aziz"} <= given_names()
