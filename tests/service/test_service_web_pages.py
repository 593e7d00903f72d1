"""The web pages beyond the form: the brief in sections, the searchable history, the digests.

Everything runs on SQLite and (in CI) PostgreSQL: the history search is SQL in briefing/store/.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from briefing.models import (
    Actor,
    Article,
    Brief,
    BriefMeta,
    Dispute,
    Evidence,
    NextStep,
    Position,
    StatusItem,
)
from briefing.store import Store

ARTICLE = (
    "The city council voted on Tuesday to close the old bridge for repairs. "
    "Mayor Jane Doe said work would begin in May and last six months. "
    "Residents of the east bank objected, saying the detour adds an hour to their commute. "
    "The council will publish the detour plan on Friday."
)


def _store(client: TestClient) -> Store:
    return client.app.state.runtime.store  # type: ignore[attr-defined]


def _full_brief() -> Brief:
    def ev(quote: str) -> list[Evidence]:
        return [Evidence(quote=quote)]

    return Brief(
        headline="Council closes the old bridge",
        summary="The council voted to close the bridge for repairs.",
        actors=[
            Actor(
                name="Jane Doe",
                role="Mayor",
                aliases=["the mayor"],
                evidence=ev("Mayor Jane Doe said work would begin in May"),
            )
        ],
        status=[StatusItem(text="The bridge will close for repairs.", evidence=ev("close the old bridge"))],
        disputes=[
            Dispute(
                issue="The detour",
                parties=["Residents of the east bank", "City council"],
                positions=[Position(party="Residents of the east bank", position="the detour is too long")],
                evidence=ev("the detour adds an hour to their commute"),
            )
        ],
        next_steps=[
            NextStep(
                action="Publish the detour plan",
                who="The council",
                when="Friday",
                certainty="planned",
                evidence=[
                    Evidence(quote="publish the detour plan on Friday"),
                    Evidence(quote="an invented line"),
                ],
            )
        ],
        meta=BriefMeta(engine="offline"),
    )


def _section(page: str, key: str) -> str:
    found = re.search(rf'<section class="brief-section" id="{key}">(.*?)</section>', page, re.S)
    assert found, f"no section {key}"
    return found.group(1)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_brief_page_shows_each_section_under_its_heading(client: TestClient) -> None:
    store = _store(client)
    article, _ = store.save_article(Article(text=ARTICLE, source="City Desk"))
    brief_id = store.put_brief(article=article, brief=_full_brief()).id
    page = client.get(f"/briefs/{brief_id}").text

    headings = re.findall(r"<h3>([^<]+)</h3>", page)
    assert headings == ["Key actors", "Status", "Disputes", "Next steps"]
    assert "Jane Doe" in _text(_section(page, "actors")) and "also: the mayor" in _text(
        _section(page, "actors")
    )
    disputes = _text(_section(page, "disputes"))
    assert "Parties: Residents of the east bank · City council" in disputes
    assert "Residents of the east bank: the detour is too long" in disputes
    steps = _text(_section(page, "next-steps"))
    assert "Who: The council · When: Friday · planned" in steps
    # Evidence numbers follow the article marks: found ones link to their anchor, unfound ones do not.
    assert '<a class="ev" href="#ev-4">[4]</a>' in page and 'id="ev-4"' in page
    assert "[5] not found in the article:" in steps and "<s>an invented line</s>" in page
    assert 'href="#ev-5"' not in page and 'id="ev-5"' not in page
    for n in range(1, 5):  # every found quote has exactly one anchor in the article
        assert page.count(f'id="ev-{n}"') == 1


def test_brief_page_says_so_when_a_section_is_empty(client: TestClient) -> None:
    store = _store(client)
    article, _ = store.save_article(Article(text=ARTICLE))
    brief = Brief(headline="h", summary="s", meta=BriefMeta(engine="offline"))
    page = client.get(f"/briefs/{store.put_brief(article=article, brief=brief).id}").text
    assert _text(_section(page, "disputes")) == "Disputes None in this brief."


def _seed(store: Store, count: int, *, source: str, word: str) -> list[str]:
    ids = []
    for index in range(count):
        text = f"Story {word} number {index} about the harbour. Officials said so."
        article, _ = store.save_article(Article(text=text, source=source, title=f"{word} title {index}"))
        brief = Brief(headline=f"{word} headline {index}", summary="s", meta=BriefMeta(engine="offline"))
        ids.append(store.put_brief(article=article, brief=brief).id or "")
    return ids


def _listed(page: str) -> list[str]:
    return re.findall(r'<li><a href="/briefs/([0-9a-f]{32})">', page)


def test_history_searches_words_and_source_on_the_server(client: TestClient) -> None:
    store = _store(client)
    bridges = _seed(store, 3, source="Wire", word="bridge")
    harbours = _seed(store, 2, source="Gazette", word="ferry")
    everything = _listed(client.get("/briefs").text)
    assert sorted(everything) == sorted(bridges + harbours)

    assert sorted(_listed(client.get("/briefs", params={"q": "BRIDGE"}).text)) == sorted(bridges)
    assert sorted(_listed(client.get("/briefs", params={"source": "gazette"}).text)) == sorted(harbours)
    both = client.get("/briefs", params={"q": "ferry", "source": "Wire"}).text
    assert _listed(both) == [] and "No brief matches “ferry” from Wire" in html.unescape(both)
    # The article text is searched too, and LIKE wildcards in the words are plain characters.
    assert len(_listed(client.get("/briefs", params={"q": "harbour"}).text)) == 5
    assert _listed(client.get("/briefs", params={"q": "%"}).text) == []
    assert 'value="Gazette"' in client.get("/briefs").text  # the source picker lists known sources


def test_history_pages_through_results_newest_first(client: TestClient) -> None:
    store = _store(client)
    made = _seed(store, 23, source="Wire", word="quay")
    first = client.get("/briefs", params={"q": "quay"}).text
    assert len(_listed(first)) == 20 and 'id="newer"' not in first
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older and html.unescape(older.group(1)) == "/briefs?q=quay&offset=20"
    second = client.get(html.unescape(older.group(1))).text
    assert len(_listed(second)) == 3 and 'rel="next"' not in second
    assert 'href="/briefs?q=quay" rel="prev"' in second
    assert sorted(_listed(first) + _listed(second)) == sorted(made)
    newest = store.search_briefs(limit=1).items[0]
    assert _listed(first)[0] == newest.brief.id


@pytest.mark.parametrize(
    "params", [{"offset": "-1"}, {"offset": "x"}, {"q": "w" * 201}, {"offset": "99999999999"}]
)
def test_history_rejects_bad_parameters_with_422(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/briefs", params=params)
    assert response.status_code == 422 and response.json()["error"]["message"]


def test_home_page_links_history_and_digests_and_lists_recent(client: TestClient) -> None:
    store = _store(client)
    _seed(store, 12, source="Wire", word="pier")
    page = client.get("/").text
    assert 'href="/briefs"' in page and 'href="/digests"' in page
    assert len(_listed(page)) == 10  # the ten newest; the rest are on /briefs


def test_listing_links_only_http_article_urls(client: TestClient) -> None:
    store = _store(client)
    good = Article(text="A safe story. It is.", title="Safe title", url="https://example.org/a")
    bad = Article.model_construct(
        id=Article(text="A bad story. It is.").id,
        text="A bad story. It is.",
        title="Bad title",
        source=None,
        url="javascript:alert(1)",
        published_at=None,
        language=None,
    )
    for article in (good, bad):
        store.save_article(article)
        brief = Brief(headline="h " + (article.title or ""), summary="s", meta=BriefMeta(engine="offline"))
        store.put_brief(article=article, brief=brief)
    page = client.get("/briefs").text
    assert '<a href="https://example.org/a" rel="noopener noreferrer">Safe title</a>' in page
    assert "javascript:" not in page and "Bad title" in page


def test_digest_pages_list_and_show_stories_by_section(make_client: Callable[..., TestClient]) -> None:
    client = make_client(engine="offline")
    ids = [
        client.post(
            "/v1/articles", json={"text": ARTICLE, "source": "City Desk", "url": "https://example.org/bridge"}
        ).json()["article"]["id"]
    ]
    digest = client.post("/v1/digests", json={"title": "Morning <b>news</b>", "article_ids": ids}).json()
    listing = client.get("/digests").text
    assert f'href="/digests/{digest["id"]}"' in listing and "Morning &lt;b&gt;news&lt;/b&gt;" in listing
    assert "1 story from 1 article" in _text(listing)
    page = client.get(f"/digests/{digest['id']}").text
    story = digest["stories"][0]["brief"]
    assert html.escape(story["headline"], quote=False) in page
    for title, key in [("Status", "status"), ("Next steps", "next_steps"), ("Key actors", "actors")]:
        assert (f"<h3>{title}</h3>" in page) == bool(story[key]), title
    assert '<a href="https://example.org/bridge" rel="noopener noreferrer">City Desk</a>' in page
    assert client.get("/digests/0").status_code == 422 and client.get("/digests/77").status_code == 404


def test_digests_page_pages_through_digests(make_client: Callable[..., TestClient]) -> None:
    client = make_client(engine="offline")
    ids = [client.post("/v1/articles", json={"text": ARTICLE}).json()["article"]["id"]]
    for index in range(21):
        assert client.post("/v1/digests", json={"title": f"D{index}", "article_ids": ids}).status_code == 201
    stored = client.app.state.runtime.digests.repo.list_digests(limit=1000)  # type: ignore[attr-defined]
    titles = r'<li><a href="/digests/\d+">([^<]+)<'
    first = client.get("/digests").text
    assert [html.unescape(t) for t in re.findall(titles, first)] == [d.title for d in stored[:20]] and stored[
        0
    ].title == "D20"
    assert 'href="/digests?offset=20" rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/digests?offset=20").text
    assert [html.unescape(t) for t in re.findall(titles, second)] == [
        d.title for d in stored[20:40]
    ] and "D0" in second
    assert 'href="/digests" rel="prev"' in second


@pytest.mark.parametrize("path", ["/", "/briefs", "/digests", "/login"])
def test_every_page_has_the_viewport_meta_and_a_nonce_on_its_style(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.text
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce and f'<style nonce="{nonce.group(1)}">' in response.text
    assert "<script" not in response.text  # the pages need no script at all
    assert client.get(path, headers={"Host": "evil.example"}).status_code == 400
