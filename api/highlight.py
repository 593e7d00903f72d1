"""Article text cut into segments, with the spans that evidence quotes point at marked."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from briefing.models import Brief


@dataclass
class Segment:
    text: str
    marks: list[int] = field(default_factory=list)  # evidence numbers covering this segment


def highlight(text: str, brief: Brief) -> list[Segment]:
    """Split `text` at every evidence boundary so each piece is either plain or marked.

    Evidence is numbered in item order (the page lists items with the same numbers); quotes that
    grounding could not locate have no offsets and mark nothing.
    """
    spans: list[tuple[int, int, int]] = []
    number = 0
    for item in brief.items():
        for evidence in item.evidence:
            number += 1
            if evidence.start is None or evidence.end is None:
                continue
            start, end = max(0, evidence.start), min(len(text), evidence.end)
            if start < end:
                spans.append((start, end, number))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        marks = [n for s, e, n in spans if s <= start and end <= e]
        segments.append(Segment(text[start:end], marks))
    return segments
