"""The web page: form → brief page with evidence marked in the article; and a real browser run."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.highlight import highlight
from briefing.models import Actor, Brief, BriefMeta, Evidence, StatusItem
from tests.live_server import live_server

ARTICLE = "Mayor Jane Doe said the park would reopen. Work begins Monday, officials said."
CHROMIUM = "/usr/bin/chromium"


def test_highlight_splits_text_at_evidence_offsets() -> None:
    brief = Brief(
        headline="h",
        summary="s",
        actors=[Actor(name="Jane Doe", evidence=[Evidence(quote="Mayor Jane Doe", start=0, end=14)])],
        status=[
            StatusItem(text="t", evidence=[Evidence(quote="Jane Doe said", start=6, end=19)]),
            StatusItem(text="u", evidence=[Evidence(quote="not found")]),
        ],
        meta=BriefMeta(engine="x"),
    )
    segments = highlight(ARTICLE, brief)
    assert "".join(s.text for s in segments) == ARTICLE
    assert [(s.text, s.marks) for s in segments[:3]] == [
        ("Mayor ", [1]),
        ("Jane Doe", [1, 2]),
        (" said", [2]),
    ]
    assert all(3 not in s.marks for s in segments)


def test_form_post_shows_brief_with_marks_and_recent_list(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "No briefs yet" in page.text
    response = client.post("/v1/briefs?engine=test", json={"text": ARTICLE})
    brief_id = response.json()["id"]
    shown = client.get(f"/briefs/{brief_id}")
    assert shown.status_code == 200
    assert (
        '<mark data-evidence="1">Mayor Jane Doe said the park would reopen<sup>1</sup></mark>' in shown.text
    )
    assert "[2] not found in the article:" in shown.text  # the invented quote is flagged
    assert "<s>this quote is not in the article at all</s>" in shown.text
    assert f'href="/briefs/{brief_id}"' in client.get("/").text


def test_form_errors_are_shown_on_the_page(client: TestClient) -> None:
    response = client.post("/", data={"text": "   ", "url": ""})
    assert response.status_code == 422 and "must not be empty" in response.text


@pytest.mark.e2e
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
)
@pytest.mark.parametrize("keys", [False, True], ids=["open", "signed-in"])
def test_browser_pastes_article_and_sees_highlighted_evidence(tmp_path: Path, keys: bool) -> None:
    from playwright.sync_api import sync_playwright

    settings = dict(BRIEFING_DATA_DIR=str(tmp_path / "data"), BRIEFING_ENGINE="offline")
    if keys:
        settings["BRIEFING_API_KEYS"] = "e2e-key-1,e2e-key-2"
    with live_server(**settings) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        page.goto(base + "/")
        if keys:  # sent to the login form; the key goes into an HttpOnly cookie
            assert "/login" in page.url
            page.fill("#key", "e2e-key-2")
            page.click("main button[type=submit]")
            page.wait_for_selector("#text")
            assert page.evaluate("document.cookie") == ""  # HttpOnly: invisible to scripts
        text = (
            "The city council voted on Tuesday to close the old bridge for repairs. "
            "Mayor Jane Doe said work would begin in May and last six months. "
            "Residents of the east bank objected, saying the detour adds an hour to their commute."
        )
        page.fill("#text", text)
        page.click("main button[type=submit]")
        page.wait_for_selector("#headline", timeout=30_000)
        assert "/briefs/" in page.url
        marks = page.locator("#article mark")
        assert marks.count() >= 1
        quoted = marks.first.evaluate("mark => mark.firstChild.textContent")
        assert len(quoted) > 10 and quoted in text
        page.goto(base + "/")
        assert page.locator("#recent li").count() == 1
        browser.close()
