from __future__ import annotations

from pathlib import Path

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.models import Article, BriefOptions

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "article.txt"


async def test_a_sentence_is_not_briefed_as_two_disputes() -> None:
    brief = await OfflineEngine(Settings()).brief(Article(text=EXAMPLE.read_text()), BriefOptions())
    issues = [dispute.issue.lower() for dispute in brief.disputes]
    assert len(issues) == len(set(issues))
    quoted = [{evidence.quote for evidence in dispute.evidence} for dispute in brief.disputes]
    for index, quotes in enumerate(quoted):
        for other in quoted[:index] + quoted[index + 1 :]:
            assert not quotes <= other
    # the accusation and its denial stay one two-sided dispute
    hostage = [d for d in brief.disputes if "hostage" in d.issue]
    assert len(hostage) == 1 and len(hostage[0].evidence) == 2
