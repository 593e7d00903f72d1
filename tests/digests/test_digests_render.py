"""Rendered digests as a reader gets them: every link resolves, sources have readable labels, and the
Markdown parses (CommonMark) into the blocks the template means."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from digest_fakes import harbor_and_tram
from markdown_it import MarkdownIt

from briefing.config import Settings
from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.digests.models import ArticleRef, Digest, StoryChange
from briefing.digests.render import md_escape, ref_href, ref_label, render

HASH = re.compile(r"\b[0-9a-f]{12,}\b")


class _Links(HTMLParser):
    """Collects every href and every id of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.paragraphs: list[str] = []
        self._in_p = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href") is not None:
            self.hrefs.append(values["href"] or "")
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "p":
            self._in_p = True
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_p = False

    def handle_data(self, data: str) -> None:
        if self._in_p:
            self.paragraphs[-1] += data


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _assert_links_resolve(html: str) -> _Links:
    links = _links(html)
    assert links.hrefs
    for href in links.hrefs:
        if href.startswith("#"):
            assert href[1:] in links.ids, f"{href} points to no element"
        else:
            assert href.startswith(("https://", "http://")), href
    return links


@pytest.fixture
async def digest(builder: DigestBuilder) -> Digest:
    """Four articles: one complete, one without a source, one without a source or URL, one complete."""
    articles = harbor_and_tram()
    articles[1] = articles[1].model_copy(update={"source": None})
    articles[3] = articles[3].model_copy(update={"source": None, "url": None})
    built = await builder.build(BuildSpec(articles=articles, title="Morning"))
    first = built.stories[0].model_copy(
        update={"change": StoryChange(previous_digest_id=1, new_status=["A new fact."])}
    )
    return built.model_copy(update={"stories": [first, *built.stories[1:]]})


async def test_markdown_links_resolve_through_commonmark(digest: Digest, settings: Settings) -> None:
    markdown = render(digest, "md", settings)
    html = MarkdownIt("commonmark").render(markdown)
    links = _assert_links_resolve(html)
    assert any(href.startswith("#article-") for href in links.hrefs)  # the article without a URL
    assert "#article-" not in html.replace('href="#article-', "").replace('id="article-', "")


async def test_markdown_blocks_are_separate(digest: Digest, settings: Settings) -> None:
    tokens = MarkdownIt("commonmark").parse(render(digest, "md", settings))
    paragraphs = [
        tokens[index + 1].content for index, token in enumerate(tokens) if token.type == "paragraph_open"
    ]
    sources = [text for text in paragraphs if text.startswith("Sources:")]
    assert len(sources) == len(digest.stories)
    assert all("**" not in text for text in sources)  # no heading ran into the sources line
    assert "**Status**" in paragraphs and "**What changed since the previous digest**" in paragraphs
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0] == "Morning" and len(headings) == 1 + len(digest.stories)
    items = [tokens[i + 2].content for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert "New: A new fact." in items


async def test_html_links_resolve(digest: Digest, settings: Settings) -> None:
    links = _assert_links_resolve(render(digest, "html", settings))
    assert any(href.startswith("#article-") for href in links.hrefs)
    sources = [text for text in links.paragraphs if text.startswith("Sources:")]
    assert len(sources) == len(digest.stories)


@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
async def test_sources_are_labelled_without_hashes(digest: Digest, settings: Settings, fmt: str) -> None:
    output = render(digest, fmt, settings)
    visible = re.sub(r"article-[0-9a-f]+", "", output)  # anchors and fragment links may carry the id
    assert not HASH.search(visible), HASH.search(visible)
    assert "harbourpost.example" in visible  # no source: the URL's domain
    assert "Airport tram line wins council vote in Aldenburg" in visible  # no source, no URL: the title


async def test_text_and_json(digest: Digest, settings: Settings) -> None:
    text = render(digest, "txt", settings)
    assert "Sources: Coastline Daily <https://coastlinedaily.example/strike-a>" in text
    data = json.loads(render(digest, "json", settings))
    assert [len(story["articles"]) for story in data["stories"]] == [2, 2]
    assert Digest.model_validate(data) == digest


def test_labels_fall_back_source_domain_title() -> None:
    assert ref_label(ArticleRef(id="a" * 64, source=" Daily ", url="https://x.example/1")) == "Daily"
    assert ref_label(ArticleRef(id="a" * 64, url="https://www.x.example/1", title="T")) == "x.example"
    assert ref_label(ArticleRef(id="a" * 64, url="ftp://x.example/1", title="T")) == "T"
    assert ref_label(ArticleRef(id="a" * 64)) == "untitled article"


def test_only_http_urls_are_links() -> None:
    assert ref_href(ArticleRef(id="abc", url="javascript:alert(1)")) == "#article-abc"
    assert ref_href(ArticleRef(id="abc", url="https://x.example/a")) == "https://x.example/a"


def test_markdown_link_text_with_brackets_stays_one_link() -> None:
    title = "Strike [update] *now* <b>"
    html = MarkdownIt("commonmark").render(f"[{md_escape(title)}](https://x.example/a)")
    assert html.count("<a ") == 1 and "<b>" not in html
    assert "Strike [update] *now* &lt;b&gt;" in html


HOSTILE = (
    "<script>alert(1)</script> [click me](javascript:alert(document.domain)) <img src=x onerror=alert(3)>"
)


async def test_markdown_digests_carry_no_live_html_or_script_links(
    digest: Digest, settings: Settings
) -> None:
    story = digest.stories[0]
    brief = story.brief.model_copy(deep=True)
    brief.headline, brief.summary = f"Harbour {HOSTILE}", f"Summary {HOSTILE}"
    brief.status[0].text = f"Status {HOSTILE}"
    brief.actors[0].name, brief.actors[0].role = f"Actor {HOSTILE}", HOSTILE
    change = StoryChange(previous_digest_id=1, new_status=[HOSTILE], new_disputes=[HOSTILE])
    hostile = digest.model_copy(
        update={
            "title": f"Morning {HOSTILE}",
            "stories": [story.model_copy(update={"brief": brief, "change": change}), *digest.stories[1:]],
        }
    )
    markdown = render(hostile, "md", settings)
    html = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in html and "<img" not in html  # escaped: shown as text, never live
    links = _assert_links_resolve(html)  # every link is http(s) or an anchor of the page
    assert not any(href.lower().startswith("javascript:") for href in links.hrefs)
    assert "click me" in html  # the text is kept, as text
