"""Story continuity: link today's stories to yesterday's digest and say what changed.

Stories are linked when they share an article, else when their headline/summary and actors are
as similar as two articles of one story would have to be for clustering. What changed is judged
item by item with fuzzy text matching, since an LLM or the offline engine rarely words the same
fact identically twice. A dispute of yesterday that no longer appears is reported as resolved
("no longer reported as disputed"); a next step of yesterday that now matches a status item
is reported as happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz

from briefing.digests.cluster import ClusterItem, ClusterParams, similarity_matrix
from briefing.digests.models import Digest, Story, StoryChange
from briefing.models import Brief

SAME_ITEM = 80.0  # token_set_ratio above which two items state the same thing
HAPPENED = 70.0  # a next step counts as happened when a status item matches it this well


def _similar(text: str, others: Sequence[str], threshold: float) -> bool:
    return any(fuzz.token_set_ratio(text.lower(), other.lower()) >= threshold for other in others)


def story_change(
    previous: Brief, current: Brief, *, previous_digest_id: int | None, new_articles: int
) -> StoryChange:
    old_status = [item.text for item in previous.status]
    old_disputes = [item.issue for item in previous.disputes]
    new_disputes = [item.issue for item in current.disputes]
    current_status = [item.text for item in current.status]
    return StoryChange(
        previous_digest_id=previous_digest_id,
        previous_headline=previous.headline,
        new_status=[text for text in current_status if not _similar(text, old_status, SAME_ITEM)],
        new_disputes=[issue for issue in new_disputes if not _similar(issue, old_disputes, SAME_ITEM)],
        resolved_disputes=[issue for issue in old_disputes if not _similar(issue, new_disputes, SAME_ITEM)],
        happened_next_steps=[
            step.action for step in previous.next_steps if _similar(step.action, current_status, HAPPENED)
        ],
        new_articles=new_articles,
    )


def _item(story: Story) -> ClusterItem:
    brief = story.brief
    return ClusterItem(
        id=story.key,
        title=brief.headline,
        text=brief.summary,
        published_at=None,
        actors=tuple(actor.name for actor in brief.actors),
    )


def link_stories(
    stories: list[Story],
    previous: Digest | None,
    params: ClusterParams | None = None,
    *,
    story_of: Mapping[str, str] | None = None,
) -> list[Story]:
    """Return stories with `change` set (and the previous story's key kept) where linked.

    With `story_of` (article id → stored story, briefing/digests/stories.py), stories that share
    an article or a stored story are linked first; only the rest are compared by text."""
    if previous is None or not previous.stories or not stories:
        return stories
    params = params or ClusterParams()
    story_of = story_of or {}

    def marks(story: Story) -> set[str]:
        ids = {ref.id for ref in story.articles}
        return ids | {f"story:{story_of[aid]}" for aid in ids if aid in story_of}

    linked: dict[int, int] = {}
    used: set[int] = set()
    old_marks = [marks(old) for old in previous.stories]
    for index, story in enumerate(stories):
        ids = marks(story)
        for old_index in range(len(previous.stories)):
            if old_index not in used and ids & old_marks[old_index]:
                linked[index] = old_index
                used.add(old_index)
                break
    pending = [index for index in range(len(stories)) if index not in linked]
    if pending:
        items = [_item(stories[index]) for index in pending] + [_item(old) for old in previous.stories]
        similarity = similarity_matrix(items, params)
        for row, index in enumerate(pending):
            best, best_score = None, 1.0 - params.threshold
            for old_index in range(len(previous.stories)):
                score = similarity[row, len(pending) + old_index]
                if old_index not in used and score >= best_score:
                    best, best_score = old_index, score
            if best is not None:
                linked[index] = best
                used.add(best)
    result = []
    for index, story in enumerate(stories):
        if index not in linked:
            result.append(story)
            continue
        old = previous.stories[linked[index]]
        old_ids = {ref.id for ref in old.articles}
        change = story_change(
            old.brief,
            story.brief,
            previous_digest_id=previous.id,
            new_articles=sum(ref.id not in old_ids for ref in story.articles),
        )
        result.append(story.model_copy(update={"key": old.key, "change": change}))
    return result
