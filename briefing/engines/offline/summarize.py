"""Sentence centrality: TextRank over TF-IDF cosine similarity, with a lead-biased teleport.

News puts the most important facts first, so the random walk restarts at sentence i with a weight
proportional to 1 / (i + 1) instead of uniformly; centrality then promotes the lead sentences that
the rest of the article keeps echoing, and demotes a lead that is only scene-setting.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

DAMPING = 0.5
ITERATIONS = 30


def centrality(texts: Sequence[str], *, english: bool = True) -> list[float]:
    """A score per sentence that sums to 1 (empty input → empty list)."""
    count = len(texts)
    if count == 0:
        return []
    lead = np.array([1.0 / (index + 1) for index in range(count)])
    lead /= lead.sum()
    if count == 1:
        return [1.0]
    vectorizer = TfidfVectorizer(
        stop_words="english" if english else None, sublinear_tf=True, token_pattern=r"(?u)\b\w\w+\b"
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words or symbols
        return lead.tolist()
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    row_sums = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, row_sums, out=np.zeros_like(similarity), where=row_sums > 0)
    dangling = row_sums[:, 0] == 0
    scores = lead.copy()
    for _ in range(ITERATIONS):
        spread = scores @ transition + scores[dangling].sum() * lead
        scores = (1 - DAMPING) * lead + DAMPING * spread
    total = scores.sum()
    return (scores / total).tolist() if total > 0 else lead.tolist()
