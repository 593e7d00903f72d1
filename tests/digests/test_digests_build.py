"""Building a digest: brief (cached), cluster, merge (cached), ground, rank, render."""

from __future__ import annotations

import json
from datetime import timedelta

from digest_fakes import DAY1, CountingEngine, article, harbor_and_tram

from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.digests.render import render


async def test_two_stories_merged_grounded_and_linked(builder: DigestBuilder) -> None:
    articles = harbor_and_tram()
    digest = await builder.build(BuildSpec(articles=articles, title="Morning"), now=DAY1 + timedelta(hours=6))
    assert len(digest.stories) == 2
    assert sorted(len(story.articles) for story in digest.stories) == [2, 2]
    for story in digest.stories:
        assert len(story.sources) == 2
        ids = {ref.id for ref in story.articles}
        quotes = [e for item in story.brief.items() for e in item.evidence]
        assert quotes and all(e.article_id in ids and e.grounded for e in quotes)
        assert story.brief.meta.grounded_ratio == 1.0


async def test_rerun_makes_no_llm_calls(builder: DigestBuilder, engine: CountingEngine) -> None:
    spec = BuildSpec(articles=harbor_and_tram(), title="Morning")
    first = await builder.build(spec)
    assert (engine.brief_calls, engine.merge_calls) == (4, 2)
    assert first.stats.llm_calls == 6
    second = await builder.build(spec)
    assert (engine.brief_calls, engine.merge_calls) == (4, 2)
    assert second.stats.llm_calls == 0
    assert second.stats.briefs_cached == 4 and second.stats.merges_cached == 2
    assert [s.brief.headline for s in second.stories] == [s.brief.headline for s in first.stories]


async def test_corroboration_drops_single_source_stories(builder: DigestBuilder) -> None:
    articles = [*harbor_and_tram()[:2], harbor_and_tram()[2]]
    digest = await builder.build(BuildSpec(articles=articles, title="x", min_sources=2))
    assert len(digest.stories) == 1 and "Port Arlen" in digest.stories[0].brief.headline
    assert digest.stats.dropped_uncorroborated == 1


async def test_max_stories_keeps_best_ranked(builder: DigestBuilder) -> None:
    lone = article(
        "lone", "Library reopens in Lenby", "The Lenby library reopened after repairs.", "Lenby News"
    )
    digest = await builder.build(BuildSpec(articles=[*harbor_and_tram(), lone], title="x", max_stories=2))
    assert len(digest.stories) == 2
    assert all(len(story.sources) == 2 for story in digest.stories)  # the single-source story ranks last


async def test_render_every_format_links_items_to_sources(builder: DigestBuilder, settings) -> None:
    digest = await builder.build(BuildSpec(articles=harbor_and_tram(), title="Morning <b>"))
    markdown = render(digest, "md", settings)
    assert markdown.startswith("# Morning \\<b\\>")  # escaped: no live HTML in Markdown
    assert "(https://harbourpost.example/strike-b)" in markdown
    html = render(digest, "html", settings)
    assert "Morning &lt;b&gt;" in html and 'href="https://metrowire.example/tram-b"' in html
    assert "<style" not in html  # inline CSS only, for email clients
    text = render(digest, "txt", settings)
    assert "https://capitaltimes.example/tram-a" in text
    data = json.loads(render(digest, "json", settings))
    assert len(data["stories"]) == 2
    for story in digest.stories:
        for item in story.brief.status:
            assert item.text in markdown


async def test_user_template_overrides_builtin(builder: DigestBuilder, settings, tmp_path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "digest.md.j2").write_text("CUSTOM {{ digest.stories | length }}")
    custom = settings.model_copy(update={"templates_dir": tmp_path / "tpl"})
    digest = await builder.build(BuildSpec(articles=harbor_and_tram(), title="x"))
    assert render(digest, "md", custom) == "CUSTOM 2"
    assert render(digest, "txt", custom).startswith("x\n")  # other formats still built in
