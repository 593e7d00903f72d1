"""Group articles about the same story: text similarity + shared actors, close in time.

Pairwise similarity is `text_weight * tfidf_cosine + actor_weight * actor_jaccard`, damped for
articles far apart in time; stories are formed by average-linkage agglomerative clustering cut
at a distance threshold. Average linkage (not single) is what keeps two unrelated stories that
share one bridging article from being chained into one loose cluster. Items are sorted by
(published_at, id) first, so the result never depends on input order.

Scale: similarities are computed only for candidate pairs found by token blocking — two articles
are candidates when they share a term that at most `block_max_df` articles contain (common terms
such as "council" or "said" make blocks that are purged) and those shared terms alone give a
cosine of at least `block_min_score`. Every other pair counts as similarity 0 in the average.
The linkage then runs on that sparse graph (a heap of cluster pairs, neighbour sums merged into
the bigger side), so the cost grows with the number of candidate pairs, not with n².
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from briefing.engines.offline.stopwords import ENGLISH_STOP_WORDS
from briefing.gcpause import gc_paused

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

_NON_WORD = re.compile(r"[^\w]+")
# scikit-learn's default token pattern `\b\w\w+\b` finds the same tokens (a greedy run of word
# characters ends at a boundary) at 3/4 of the cost
_TOKEN = re.compile(r"\w\w+")
_HONORIFICS = {"the", "mr", "mrs", "ms", "dr", "prof"}
_PAIR_CHUNK = 200_000  # candidate pairs scored at once (bounds the memory of the row products)
_ROW_CHUNK = 2_000  # rows of the blocking product computed at once
_TOKEN_CHUNK = 4_096  # documents tokenised at once


@dataclass(frozen=True)
class ClusterItem:
    id: str
    title: str
    text: str
    published_at: datetime | None = None
    actors: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class ClusterParams:
    text_weight: float = 0.9
    actor_weight: float = 0.1
    lead_chars: int = 1500
    max_gap_hours: float = 96.0  # beyond this the similarity is damped
    gap_damping: float = 0.5
    threshold: float = 0.86  # average-linkage distance at which clusters stop merging
    ngram_max: int = 1  # bigrams made recall worse on the labelled set (reworded follow-ups)
    block_max_df: int = 500  # a term in more articles than this makes no candidate pairs
    block_min_score: float = 0.05  # cosine over the shared blocking terms a candidate pair needs


@dataclass(frozen=True)
class Features:
    """What similarities are computed from: L2-normalised TF-IDF rows, actor sets, timestamps."""

    tfidf: csr_matrix
    actors: csr_matrix
    actor_counts: np.ndarray
    stamps: np.ndarray


def canonical_actor(name: str) -> str:
    """Fold an actor name so "The Port Authority" and "port authority" count as one actor."""
    words = [word for word in _NON_WORD.sub(" ", name.lower()).split() if word not in _HONORIFICS]
    return " ".join(words)


def _ngrams(tokens: list[str], ngram_max: int) -> list[str]:
    """Words and their n-grams up to `ngram_max`, stop words removed first (as scikit-learn does)."""
    tokens = [token for token in tokens if token not in ENGLISH_STOP_WORDS]
    grams = list(tokens)
    for size in range(2, ngram_max + 1):
        grams.extend(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))
    return grams


def _tfidf(documents: Sequence[str], params: ClusterParams) -> csr_matrix:
    """L2-normalised sublinear TF-IDF rows, the weighting of scikit-learn's
    `TfidfVectorizer(stop_words="english", sublinear_tf=True)` (same values; columns in order of
    first occurrence instead of alphabetical), built in one pass with no per-token Python code.

    scikit-learn counts every token into a per-document dict and a vocabulary dict in Python and
    then sorts the vocabulary; its cost per article grew with the corpus (the vocabulary falls out
    of the CPU cache, the garbage collector rescans the growing token lists). Here the tokens of a
    few thousand documents go into one list, its new terms are taken from `dict.fromkeys` of it and
    the column of every token is one `map` over it (loops in C), with the collector paused; stop
    words are dropped as columns; duplicates are summed by SciPy's row-wise sort."""
    from itertools import chain

    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    n = len(documents)
    findall = _TOKEN.findall
    column: dict[str, int] = {}
    codes_parts: list[np.ndarray] = []
    lengths = np.zeros(n, dtype=np.int64)
    with gc_paused():
        for start in range(0, n, _TOKEN_CHUNK):  # a chunk's token strings at a time: bounded memory
            chunk = documents[start : start + _TOKEN_CHUNK]
            if params.ngram_max > 1:
                token_lists = [_ngrams(findall(document.lower()), params.ngram_max) for document in chunk]
            else:
                token_lists = [findall(document.lower()) for document in chunk]
            flat = list(chain.from_iterable(token_lists))
            new = [term for term in dict.fromkeys(flat) if term not in column]  # first-seen order
            column.update(zip(new, range(len(column), len(column) + len(new)), strict=True))
            codes_parts.append(np.fromiter(map(column.__getitem__, flat), dtype=np.int32, count=len(flat)))
            lengths[start : start + len(chunk)] = np.fromiter(map(len, token_lists), np.int64, len(chunk))
            del flat, token_lists
        stop = np.zeros(len(column) + 1, dtype=bool)
        stop[[column[word] for word in ENGLISH_STOP_WORDS if word in column]] = True
    codes = np.concatenate(codes_parts) if codes_parts else np.zeros(0, dtype=np.int32)
    kept = ~stop[codes]
    row_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of[kept], minlength=n), out=indptr[1:])
    counts = csr_matrix(
        (np.ones(int(kept.sum()), dtype=np.float32), codes[kept], indptr), shape=(n, max(1, len(column)))
    )
    counts.sum_duplicates()  # term counts per document, indices sorted within rows
    if counts.nnz == 0:  # every document empty or only stop words
        return csr_matrix((n, 1), dtype=np.float32)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    counts.data = (np.log(counts.data) + np.float32(1.0)) * idf[counts.indices]
    return normalize(counts, copy=False)


def features(items: Sequence[ClusterItem], params: ClusterParams) -> Features:
    """TF-IDF of title (twice) + lead, canonical actor sets and publication times of the items."""
    # scikit-learn and SciPy load here, not at import: they cost ~90 MB in every server process
    from scipy.sparse import csr_matrix

    n = len(items)
    documents = [f"{item.title}. {item.title}. {item.text[: params.lead_chars]}" for item in items]
    tfidf = _tfidf(documents, params)

    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    canonical: dict[str, str] = {}  # a story's names recur in each of its articles: fold each once
    for row, item in enumerate(items):
        folded = set()
        for name in item.actors:
            actor = canonical.get(name)
            if actor is None:
                actor = canonical[name] = canonical_actor(name)
            folded.add(actor)
        for actor in sorted(folded - {""}):
            rows.append(row)
            cols.append(vocabulary.setdefault(actor, len(vocabulary)))
    actors = csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, max(1, len(vocabulary)))
    )
    stamps = np.array(
        [item.published_at.timestamp() if item.published_at else np.nan for item in items], dtype=float
    )
    return Features(tfidf, actors, np.asarray(actors.sum(axis=1)).ravel(), stamps)


def _combine(
    text_sim: np.ndarray,
    shared: np.ndarray,
    union: np.ndarray,
    gap_seconds: np.ndarray,
    params: ClusterParams,
) -> np.ndarray:
    """The linking rule's similarity from its parts; one place for the dense and the sparse path."""
    actor_sim = np.divide(shared, union, out=np.zeros_like(shared, dtype=float), where=union > 0)
    similarity = params.text_weight * text_sim + params.actor_weight * actor_sim
    far = np.nan_to_num(gap_seconds / 3600.0, nan=0.0) > params.max_gap_hours
    return np.clip(np.where(far, similarity * params.gap_damping, similarity), 0.0, 1.0)


def similarity_matrix(items: Sequence[ClusterItem], params: ClusterParams) -> np.ndarray:
    """Dense n×n similarity in [0, 1], for small inputs (story continuity compares a few hundred)."""
    data = features(items, params)
    text_sim = (data.tfidf @ data.tfidf.T).toarray()
    shared = (data.actors @ data.actors.T).toarray()
    union = data.actor_counts[:, None] + data.actor_counts[None, :] - shared
    gaps = np.abs(data.stamps[:, None] - data.stamps[None, :])
    similarity = _combine(text_sim, shared, union, gaps, params)
    np.fill_diagonal(similarity, 1.0)
    return similarity


def candidate_pairs(data: Features, params: ClusterParams) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) sharing blocking terms worth `block_min_score` of cosine; near-linear in n
    because a term's block costs df² and blocks above `block_max_df` are purged."""
    from scipy.sparse import csr_matrix

    tfidf = data.tfidf
    n = tfidf.shape[0]
    df = np.bincount(tfidf.indices, minlength=tfidf.shape[1])
    keep = (df >= 2) & (df <= params.block_max_df)
    blocking = csr_matrix(tfidf.multiply(keep[None, :].astype(np.float32)))
    blocking.eliminate_zeros()
    transposed = csr_matrix(blocking.T)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for start in range(0, n, _ROW_CHUNK):
        product = (blocking[start : start + _ROW_CHUNK] @ transposed).tocoo()
        chosen = (product.data >= params.block_min_score) & (product.col > product.row + start)
        rows.append(product.row[chosen].astype(np.int64) + start)
        cols.append(product.col[chosen].astype(np.int64))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def pair_similarity(data: Features, rows: np.ndarray, cols: np.ndarray, params: ClusterParams) -> np.ndarray:
    """The full linking-rule similarity of the given pairs (all terms, not only the blocking ones)."""
    out = np.empty(len(rows), dtype=float)
    for start in range(0, len(rows), _PAIR_CHUNK):
        r, c = rows[start : start + _PAIR_CHUNK], cols[start : start + _PAIR_CHUNK]
        text_sim = np.asarray(data.tfidf[r].multiply(data.tfidf[c]).sum(axis=1)).ravel()
        shared = np.asarray(data.actors[r].multiply(data.actors[c]).sum(axis=1)).ravel()
        union = data.actor_counts[r] + data.actor_counts[c] - shared
        gaps = np.abs(data.stamps[r] - data.stamps[c])
        out[start : start + len(r)] = _combine(text_sim, shared, union, gaps, params)
    return out


def average_linkage(
    n: int, rows: np.ndarray, cols: np.ndarray, similarity: np.ndarray, threshold: float
) -> list[int]:
    """Average-linkage agglomeration on a sparse similarity graph (absent pairs count as 0).

    Repeatedly merges the two clusters with the highest mean pairwise similarity while their
    distance (1 − mean) is below `threshold`. Average linkage is reducible, so a heap of cluster
    pairs with lazy invalidation finds the same merges as the dense algorithm. Returns a root
    index per item.
    """
    with gc_paused():  # its dicts and heap entries hold no cycles; collections rescan them all
        return _average_linkage(n, rows, cols, similarity, threshold)


def _average_linkage(
    n: int,
    rows: np.ndarray,
    cols: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    groups: Sequence[Sequence[int]] = (),
) -> list[int]:
    """`groups` (stored stories) are merged first, whatever their similarity, and two clusters that
    each hold a group are never merged: new items join stored stories or form new ones."""
    floor = 1.0 - threshold  # merge while mean similarity > floor
    neighbours: list[dict[int, float]] = [{} for _ in range(n)]
    for a, b, value in zip(rows.tolist(), cols.tolist(), similarity.tolist(), strict=True):
        if value > 0.0:
            neighbours[a][b] = value
            neighbours[b][a] = value
    size = [1] * n
    parent = list(range(n))
    alive = [True] * n
    frozen = [False] * n

    def merge(a: int, b: int) -> int:
        keep, gone = (a, b) if len(neighbours[a]) >= len(neighbours[b]) else (b, a)
        alive[gone] = False
        kept = neighbours[keep]
        kept.pop(gone, None)
        for other, value in neighbours[gone].items():
            if other == keep:
                continue
            merged = kept.get(other, 0.0) + value
            kept[other] = merged
            theirs = neighbours[other]
            del theirs[gone]
            theirs[keep] = merged
        neighbours[gone] = {}
        size[keep] += size[gone]
        parent[gone] = keep
        frozen[keep] = frozen[keep] or frozen[gone]
        return keep

    for group in groups:
        if not group:
            continue
        root = group[0]
        for member in group[1:]:
            root = merge(root, member)
        frozen[root] = True
    if groups:
        entries = [
            (-total / (size[a] * size[b]), a, b)
            for a in range(n)
            if alive[a]
            for b, total in neighbours[a].items()
            if a < b and total / (size[a] * size[b]) > floor and not (frozen[a] and frozen[b])
        ]
    else:
        entries = [
            (-value, a, b)
            for a, b, value in zip(rows.tolist(), cols.tolist(), similarity.tolist(), strict=True)
            if value > floor
        ]
    # Clusters only ever merge inside a connected component of the similarity graph, so each
    # component gets its own small heap: one heap of every pair outgrew the CPU cache, and its
    # pops made the linkage grow faster than the number of pairs.
    component = _components(n, rows, cols, similarity, groups)
    heaps: dict[int, list[tuple[float, int, int]]] = {}
    for entry in entries:
        heaps.setdefault(component[entry[1]], []).append(entry)
    for heap in heaps.values():
        heapq.heapify(heap)
        while heap:
            negative, a, b = heapq.heappop(heap)
            if not (alive[a] and alive[b]):
                continue
            total = neighbours[a].get(b)
            if total is None or total / (size[a] * size[b]) != -negative:
                continue  # stale: one side has grown since this entry was pushed
            keep = merge(a, b)
            for other, total in neighbours[keep].items():
                mean = total / (size[keep] * size[other])
                if mean > floor and not (frozen[keep] and frozen[other]):
                    heapq.heappush(heap, (-mean, min(keep, other), max(keep, other)))
    roots = []
    for index in range(n):
        root = index
        while parent[root] != root:
            root = parent[root]
        parent[index] = root
        roots.append(root)
    return roots


def _components(
    n: int, rows: np.ndarray, cols: np.ndarray, similarity: np.ndarray, groups: Sequence[Sequence[int]]
) -> list[int]:
    """Connected component of every item over the positive pairs and the stored stories."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    positive = similarity > 0.0
    links_a = [rows[positive].astype(np.int64)]
    links_b = [cols[positive].astype(np.int64)]
    for group in groups:
        if len(group) > 1:
            links_a.append(np.asarray(group[:-1], dtype=np.int64))
            links_b.append(np.asarray(group[1:], dtype=np.int64))
    a, b = np.concatenate(links_a), np.concatenate(links_b)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.tolist()


def _ordered(items: Sequence[ClusterItem]) -> list[ClusterItem]:
    return sorted(items, key=lambda item: (item.published_at is None, item.published_at or 0, item.id))


def cluster_into(
    items: Sequence[ClusterItem], stories: Mapping[str, str], params: ClusterParams | None = None
) -> dict[str, str]:
    """Story of every item, given the stories some items are in already (item id → story id).

    The same average linkage as `cluster`, except that each given story starts as one cluster and
    two given stories never merge; a new story is named after its first item (`new_story_id`).
    With no stories given the groups are exactly `cluster`'s."""
    params = params or ClusterParams()
    ordered = _ordered(items)
    index_of = {item.id: index for index, item in enumerate(ordered)}
    by_story: dict[str, list[int]] = {}
    for item_id, story_id in stories.items():
        if item_id in index_of:
            by_story.setdefault(story_id, []).append(index_of[item_id])
    if len(ordered) >= 2:
        data = features(ordered, params)
        rows, cols = candidate_pairs(data, params)
        similarity = pair_similarity(data, rows, cols, params)
        with gc_paused():
            roots = _average_linkage(
                len(ordered), rows, cols, similarity, params.threshold, [sorted(g) for g in by_story.values()]
            )
    else:
        roots = list(range(len(ordered)))
    story_of_root: dict[int, str] = {}
    for story_id, members in by_story.items():
        story_of_root[roots[members[0]]] = story_id
    result: dict[str, str] = {}
    for item, root in zip(ordered, roots, strict=True):
        if root not in story_of_root:
            story_of_root[root] = new_story_id(item.id)
        result[item.id] = story_of_root[root]
    return result


def new_story_id(first_item_id: str) -> str:
    """A new story's id: from its first article, so two processes naming one story agree."""
    return hashlib.sha256(first_item_id.encode()).hexdigest()[:16]


def cluster(items: Sequence[ClusterItem], params: ClusterParams | None = None) -> list[list[str]]:
    """Clusters of item ids; each cluster in (published_at, id) order, clusters by their first item."""
    params = params or ClusterParams()
    ordered = _ordered(items)
    if len(ordered) < 2:
        return [[item.id] for item in ordered]
    data = features(ordered, params)
    rows, cols = candidate_pairs(data, params)
    similarity = pair_similarity(data, rows, cols, params)
    roots = average_linkage(len(ordered), rows, cols, similarity, params.threshold)
    groups: dict[int, list[str]] = {}
    for item, root in zip(ordered, roots, strict=True):
        groups.setdefault(root, []).append(item.id)
    return list(groups.values())


def bcubed(predicted: Sequence[Sequence[str]], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering against gold labels (item id → story).

    Per item: precision = share of its cluster that has its label; recall = share of its label's
    items that are in its cluster. Both averaged over items.
    """
    cluster_of = {item: index for index, members in enumerate(predicted) for item in members}
    items = list(cluster_of)
    if set(items) != set(gold):
        raise ValueError("predicted clusters and gold labels must cover the same items")
    members: dict[int, set[str]] = {}
    for item, index in cluster_of.items():
        members.setdefault(index, set()).add(item)
    by_label: dict[str, set[str]] = {}
    for item, label in gold.items():
        by_label.setdefault(label, set()).add(item)
    precision = recall = 0.0
    for item in items:
        same_cluster = members[cluster_of[item]]
        same_label = by_label[gold[item]]
        correct = len(same_cluster & same_label)
        precision += correct / len(same_cluster)
        recall += correct / len(same_label)
    precision /= len(items)
    recall /= len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
