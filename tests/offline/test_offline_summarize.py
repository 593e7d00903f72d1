"""Lead-biased TextRank centrality."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import yaml

from briefing.engines.offline import summarize
from briefing.engines.offline.summarize import centrality, tfidf, tfidf_python

GOLD = Path(__file__).resolve().parents[2] / "evals" / "gold"


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


def _numpy_centrality(texts: list[str], monkeypatch) -> list[float]:
    monkeypatch.setattr(summarize, "PURE_PYTHON_MAX", -1)  # numpy whatever the length
    try:
        return centrality(texts)
    finally:
        monkeypatch.undo()


def _sentence_sets() -> list[list[str]]:
    rng = random.Random(7)
    words = [
        "port",
        "strike",
        "union",
        "council",
        "tram",
        "bridge",
        "vote",
        "minister",
        "bank",
        "merger",
        "court",
        "the",
        "of",
    ]
    sets = [
        [" ".join(rng.choice(words) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(2, 40))]
        for _ in range(150)
    ]
    sets.append(["Dockworkers strike.", "Dockworkers strike.", "The mayor spoke.", "Unrelated weather."])
    sets.append(["Alpha beta.", "Gamma delta.", "Epsilon zeta."])  # no shared words: all dangling
    for path in sorted(GOLD.glob("*.yaml"))[:20]:
        text = yaml.safe_load(path.read_text(encoding="utf-8"))["article"]
        sets.append([s for s in text.replace("\n", " ").split(". ") if s][:40])
    return sets


def test_the_plain_python_scores_are_numpys_in_value_and_order(monkeypatch) -> None:
    """Short articles are ranked in plain Python (no numpy import): the same scores and the same
    order as the numpy path, on random sentence sets (ties, stop-word-only and isolated sentences
    included) and on gold articles."""
    for texts in _sentence_sets():
        plain = centrality(texts)
        dense = _numpy_centrality(texts, monkeypatch)
        assert len(plain) == len(dense) == len(texts)
        assert max(abs(a - b) for a, b in zip(plain, dense, strict=True)) < 1e-12
        assert sorted(range(len(texts)), key=lambda i: -plain[i]) == sorted(
            range(len(texts)), key=lambda i: -dense[i]
        )


def test_the_sparse_tfidf_rows_are_the_dense_ones() -> None:
    texts = ["Port strike enters second week.", "Strike talks resume at the port.", "The and of."]
    dense = tfidf(texts)
    sparse = tfidf_python(texts)
    assert dense is not None and sparse is not None
    vocabulary = ["port", "strike", "enters", "second", "week", "talks", "resume"]
    for row, weights in zip(dense, sparse, strict=True):
        assert {word for word, value in weights.items() if value} == {
            vocabulary[k] for k in range(len(vocabulary)) if row[k]
        }
        for k, word in enumerate(vocabulary):
            assert abs(row[k] - weights.get(word, 0.0)) < 1e-12
    assert tfidf_python(["the and", "of"]) is None


def test_long_articles_are_ranked_with_numpy(monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(summarize, "centrality_python", lambda texts, english=True: calls.append(len(texts)))
    texts = [f"Sentence {i} about the port strike." for i in range(summarize.PURE_PYTHON_MAX + 1)]
    assert len(centrality(texts)) == len(texts) and calls == []  # the numpy path
    centrality(texts[:-1])
    assert calls == [summarize.PURE_PYTHON_MAX]
