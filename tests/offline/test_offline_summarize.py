"""Lead-biased TextRank centrality."""

from __future__ import annotations

import numpy as np

from briefing.engines.offline.summarize import centrality, tfidf


def test_scores_are_a_distribution() -> None:
    scores = centrality(["The port strike continues.", "Ships wait outside the port.", "The mayor spoke."])
    assert len(scores) == 3
    assert abs(sum(scores) - 1.0) < 1e-9
    assert all(score > 0 for score in scores)


def test_lead_wins_among_equals_and_central_beats_off_topic() -> None:
    texts = [
        "Dockworkers strike at the port over pay cuts.",
        "The weather in the region was mild for the season.",
        "The port strike over pay cuts left ships waiting.",
        "Union leaders said the port strike over pay would continue.",
    ]
    scores = centrality(texts)
    assert scores[0] == max(scores)
    assert scores[2] > scores[1]  # echoes the story, unlike the weather line


def test_degenerate_inputs() -> None:
    assert centrality([]) == []
    assert centrality(["Only one sentence here."]) == [1.0]
    scores = centrality(["The.", "And it is."])  # nothing but stop words
    assert scores[0] > scores[1]
    assert tfidf(["the and", "of"]) is None


def test_tfidf_rows_are_unit_length() -> None:
    matrix = tfidf(["Port strike enters second week.", "Strike talks resume at the port."])
    assert matrix is not None
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0)
