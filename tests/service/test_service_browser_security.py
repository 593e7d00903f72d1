"""In headless Chromium: planted URLs and text run no script on any page (home, brief, digests, job).

The payloads are written straight into the store, past the API's URL checks, as data from an older
version or another writer could be: what stops them here is escaping, http(s)-only links and the
Content-Security-Policy.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from briefing.config import Settings
from briefing.models import Actor, Article, Brief, BriefMeta, Evidence
from briefing.store import open_store
from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
HIT = "fetch('/pwned');window.top.__pwned=1"
PAYLOADS = [
    f"<script>{HIT}</script>",
    f'<img src="x" onerror="{HIT}">',
    f'"><svg onload="{HIT}">',
    f"javascript:{HIT}",
]
TEXT = "Mayor Jane Doe said the bridge would close in May for repairs. " + " ".join(PAYLOADS)


def _plant(data_dir: Path) -> tuple[str, str]:
    """An article whose URL, title and source are payloads, its brief, and a failed job; (brief, job) ids."""
    store = open_store(Settings(data_dir=data_dir))
    try:
        article = Article.model_construct(
            id="",
            text=TEXT,
            title=PAYLOADS[1],
            source=PAYLOADS[2],
            url=f"javascript:{HIT}",
            published_at=None,
            language=None,
        )
        article.id = Article(text=TEXT).id
        store.save_article(article)
        quote = "Mayor Jane Doe said the bridge would close in May for repairs."
        brief = Brief(
            headline=PAYLOADS[0],
            summary=PAYLOADS[1],
            actors=[
                Actor(name=PAYLOADS[2], role=PAYLOADS[3], evidence=[Evidence(quote=quote, start=0, end=62)])
            ],
            meta=BriefMeta(engine="offline"),
        )
        brief_id = store.put_brief(article=article, brief=brief).id or ""
        job = store.submit_job("brief", {"article_id": article.id}, article=article, run_lease_seconds=60)
        store.fail_job(job.id, error={"type": "InputError", "message": PAYLOADS[1], "status": 422})
        return brief_id, job.id
    finally:
        store.close()


@pytest.mark.e2e
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
)
def test_planted_urls_and_text_run_no_script_on_any_page(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    data_dir = tmp_path / "data"
    brief_id, job_id = _plant(data_dir)
    settings = dict(
        BRIEFING_DATA_DIR=str(data_dir),
        BRIEFING_ENGINE="offline",
        BRIEFING_SCHEDULER_ENABLED="false",
    )
    with live_server(**settings) as base:
        article_id = Article(text=TEXT).id
        made = httpx.post(
            base + "/v1/digests", json={"title": PAYLOADS[0], "article_ids": [article_id]}, timeout=120
        )
        assert made.status_code == 201, made.text
        digest_id = made.json()["id"]
        pages = [
            "/",
            "/briefs",
            f"/briefs/{brief_id}",
            "/digests",
            f"/digests/{digest_id}",
            f"/jobs/{job_id}",
        ]

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            hits: list[str] = []
            dialogs: list[str] = []
            page.on("request", lambda request: hits.append(request.url) if "pwned" in request.url else None)
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for path in pages:
                response = page.goto(base + path)
                assert response is not None and response.status == 200, path
                assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"], path
                page.wait_for_load_state("load")
                for frame in page.frames:
                    links = frame.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
                    bad = [href for href in links if not href.startswith(("http://", "https://"))]
                    assert bad == [], (path, bad)
                # Even markup that slipped through could not run: inline script without the nonce is blocked.
                injected = page.evaluate(
                    """() => { const s = document.createElement('script');
                               s.textContent = 'window.__injected = 1'; document.body.appendChild(s);
                               return window.__injected === 1; }"""
                )
                assert injected is False, path
                assert page.evaluate("() => window.__pwned") is None, path
                if path.startswith("/digests/"):
                    # The digest is rendered into the page by its own escaped template, not framed.
                    assert len(page.frames) == 1 and page.locator("#digest h1").inner_text() == PAYLOADS[0]
            page.wait_for_timeout(300)
            assert hits == [] and dialogs == []
            browser.close()
