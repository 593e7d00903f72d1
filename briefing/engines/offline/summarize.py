"""Sentence centrality: TextRank over TF-IDF cosine similarity, with a lead-biased teleport.

News puts the most important facts first, so the random walk restarts at sentence i with a weight
proportional to 1 / (i + 1) instead of uniformly; centrality then promotes the lead sentences that
the rest of the article keeps echoing, and demotes a lead that is only scene-setting.

The TF-IDF weighting is scikit-learn's (smoothed idf, sublinear tf, its English stop words), computed
here with numpy on a dense matrix: for one article's few dozen sentences that is ~10x faster than
the vectorizer's per-call validation, which the 200 briefs/s target needs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from briefing.engines.offline.stopwords import ENGLISH_STOP_WORDS

if TYPE_CHECKING:
    import numpy as np

DAMPING = 0.3
# scikit-learn's token pattern `\b\w\w+\b`: a greedy run of word characters starts and ends at word
# boundaries anyway, so the same words are found without the boundary tests (~20% faster)
_WORD = re.compile(r"\w\w+")


# Up to this many sentences the scores are computed in plain Python (about 1 ms at 40), which
# spares a one-article `briefing brief` numpy's import (~0.1 s of its start-up); longer articles
# use numpy, whose cost per sentence is far lower. Which one runs depends on the article alone,
# so one article gets the same brief in every process.
PURE_PYTHON_MAX = 40


def centrality(texts: Sequence[str], *, english: bool = True) -> list[float]:
    """A score per sentence that sums to 1 (empty input → empty list)."""
    count = len(texts)
    if count <= PURE_PYTHON_MAX:
        return centrality_python(texts, english=english)
    import numpy as np  # here: a cached brief needs no numpy (~0.1 s of the CLI's start-up)

    lead = np.array([1.0 / (index + 1) for index in range(count)])
    lead /= lead.sum()
    matrix = tfidf(texts, english=english)
    if matrix is None:  # nothing but stop words or symbols
        return lead.tolist()
    # einsum, not `matrix @ matrix.T`: BLAS threads cost ~30x more than the product itself at this size
    # (and far more when the process is pinned to one core).
    similarity = np.einsum("ik,jk->ij", matrix, matrix)
    np.fill_diagonal(similarity, 0.0)
    row_sums = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, row_sums, out=np.zeros_like(similarity), where=row_sums > 0)
    dangling = row_sums[:, 0] == 0
    # The fixed point of the power iteration s = (1-d)·lead + d·(s·T + (s·dangling)·lead), solved
    # directly: one small linear solve instead of 30 matrix-vector rounds (0.3^30 ≈ 2e-16, so the
    # rounds had converged to the same scores).
    if dangling.any():  # a sentence that shares no word with any other spreads its score by the lead
        transition[dangling] = lead
    system = np.eye(count) - DAMPING * transition.T
    scores = np.linalg.solve(system, (1 - DAMPING) * lead)
    total = scores.sum()
    return (scores / total).tolist() if total > 0 else lead.tolist()


def tfidf(texts: Sequence[str], *, english: bool = True) -> np.ndarray | None:
    """L2-normalized TF-IDF rows (sublinear tf, smoothed idf), or None when no word survives."""
    import numpy as np

    stop = ENGLISH_STOP_WORDS if english else frozenset()
    words = [[w for w in _WORD.findall(text.lower()) if w not in stop] for text in texts]
    flat = [w for sentence in words for w in sentence]
    if not flat:
        return None
    vocabulary = {word: index for index, word in enumerate(dict.fromkeys(flat))}  # first-seen order
    size = len(vocabulary)
    rows = np.repeat(np.arange(len(texts)), [len(sentence) for sentence in words])
    columns = np.fromiter(map(vocabulary.__getitem__, flat), dtype=np.intp, count=len(flat))
    # term counts in one C call instead of a Counter per sentence and a Python loop over its items
    counts = np.bincount(rows * size + columns, minlength=len(texts) * size).reshape(len(texts), size)
    present = counts > 0
    matrix = np.zeros((len(texts), size))
    matrix[present] = 1.0 + np.log(counts[present])
    document_frequency = (matrix > 0).sum(axis=0)
    matrix *= np.log((1 + len(texts)) / (1 + document_frequency)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def centrality_python(texts: Sequence[str], *, english: bool = True) -> list[float]:
    """`centrality` in plain Python: the same TF-IDF, similarity and linear solve, term by term."""
    count = len(texts)
    if count == 0:
        return []
    weight = [1.0 / (index + 1) for index in range(count)]
    total = sum(weight)
    lead = [value / total for value in weight]
    if count == 1:
        return [1.0]
    rows = tfidf_python(texts, english=english)
    if rows is None:
        return lead
    similarity = [[0.0] * count for _ in range(count)]
    for i in range(count):
        row_i = rows[i]
        for j in range(i + 1, count):
            row_j = rows[j]
            small, large = (row_i, row_j) if len(row_i) <= len(row_j) else (row_j, row_i)
            value = sum(w * large[term] for term, w in small.items() if term in large)
            similarity[i][j] = similarity[j][i] = value
    transition = []
    for i in range(count):
        row_sum = sum(similarity[i])
        # a sentence that shares no word with any other spreads its score by the lead
        transition.append([value / row_sum for value in similarity[i]] if row_sum > 0 else list(lead))
    # (I - d·Tᵀ) s = (1 - d)·lead, by Gaussian elimination with partial pivoting
    system = [
        [(1.0 if i == j else 0.0) - DAMPING * transition[j][i] for j in range(count)]
        + [(1 - DAMPING) * lead[i]]
        for i in range(count)
    ]
    for column in range(count):
        pivot = max(range(column, count), key=lambda row: abs(system[row][column]))
        system[column], system[pivot] = system[pivot], system[column]
        head = system[column]
        for row in range(column + 1, count):
            factor = system[row][column] / head[column]
            if factor:
                target = system[row]
                for k in range(column, count + 1):
                    target[k] -= factor * head[k]
    scores = [0.0] * count
    for row in range(count - 1, -1, -1):
        line = system[row]
        scores[row] = (line[count] - sum(line[k] * scores[k] for k in range(row + 1, count))) / line[row]
    total = sum(scores)
    return [score / total for score in scores] if total > 0 else lead


def tfidf_python(texts: Sequence[str], *, english: bool = True) -> list[dict[str, float]] | None:
    """`tfidf` as one sparse row (term → weight) per text, or None when no word survives."""
    stop = ENGLISH_STOP_WORDS if english else frozenset()
    words = [[w for w in _WORD.findall(text.lower()) if w not in stop] for text in texts]
    if not any(words):
        return None
    counts: list[dict[str, int]] = []
    frequency: dict[str, int] = {}
    for sentence in words:
        row: dict[str, int] = {}
        for word in sentence:
            row[word] = row.get(word, 0) + 1
        counts.append(row)
        for word in row:
            frequency[word] = frequency.get(word, 0) + 1
    size = len(texts)
    idf = {word: math.log((1 + size) / (1 + df)) + 1.0 for word, df in frequency.items()}
    rows = []
    for row in counts:
        weights = {word: (1.0 + math.log(n)) * idf[word] for word, n in row.items()}
        norm = math.sqrt(sum(value * value for value in weights.values()))
        rows.append({word: value / norm for word, value in weights.items()} if norm > 0 else {})
    return rows
