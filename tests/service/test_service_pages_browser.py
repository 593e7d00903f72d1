"""Every web page in headless Chromium, on a desktop and a phone viewport, with a screenshot of each.

The screenshots go to artifacts/screenshots/ (BRIEFING_SCREENSHOTS_DIR overrides it); the GitHub
workflow uploads that folder, so a reviewer sees the pages without running anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.live_server import ROOT, live_server

CHROMIUM = "/usr/bin/chromium"
STORIES = ROOT / "tests" / "digests" / "data" / "stories.yaml"
PICK = ["harbor-strike-1", "harbor-strike-2", "budget-2027-1"]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def _screenshots() -> Path:
    folder = Path(os.environ.get("BRIEFING_SCREENSHOTS_DIR") or ROOT / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _seed(base: str) -> tuple[str, int]:
    """Three stored articles (two on one story), a brief of each, one digest; (a brief id, digest id)."""
    cases = {case["id"]: case for case in yaml.safe_load(STORIES.read_text())["articles"]}
    brief_ids, article_ids = [], []
    with httpx.Client(base_url=base, timeout=120) as client:
        for key in PICK:
            case = cases[key]
            body = {k: str(case[k]) for k in ("text", "title", "source", "url", "published_at")}
            made = client.post("/v1/briefs", json=body)
            assert made.status_code in (200, 201), made.text
            brief_ids.append(made.json()["id"])
            article_ids.append(made.json()["article_id"])
        digest = client.post("/v1/digests", json={"title": "Morning briefing", "article_ids": article_ids})
        assert digest.status_code == 201, digest.text
    return brief_ids[0], digest.json()["id"]


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
def test_every_page_reads_well_on_desktop_and_phone(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    settings = dict(
        BRIEFING_DATA_DIR=str(tmp_path / "data"),
        BRIEFING_ENGINE="offline",
        BRIEFING_SCHEDULER_ENABLED="false",
    )
    folder = _screenshots()
    with live_server(**settings) as base:
        brief_id, digest_id = _seed(base)
        pages = {
            "home": "/",
            "brief": f"/briefs/{brief_id}",
            "history": "/briefs",
            "history-search": "/briefs?q=dockworkers",
            "digests": "/digests",
            "digest": f"/digests/{digest_id}",
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
            )
            blocked: list[str] = []  # console messages about the Content-Security-Policy
            for device, options in VIEWPORTS.items():
                context = browser.new_context(**options)
                page = context.new_page()
                page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
                for name, path in pages.items():
                    response = page.goto(base + path)
                    assert response is not None and response.status == 200, path
                    _check_layout(page, device, name)
                    shot = folder / f"{name}-{device}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
                assert blocked == [], device  # the page's own style runs under the policy
                context.close()
            _walk_from_home(browser, base)
            browser.close()


def _check_layout(page: Any, device: str, name: str) -> None:
    """Nothing wider than the screen; the page's style applied; the brief's two columns only on desktop."""
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"{name} on {device} scrolls sideways by {wide}px"
    assert page.evaluate("() => getComputedStyle(document.querySelector('header.site')).display") == "flex"
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert size >= 16, (name, device, size)
    if name == "brief":
        headings = page.locator("#items h3").all_inner_texts()
        assert headings == ["Key actors", "Status", "Disputes", "Next steps"]
        assert page.locator("#article mark").count() >= 1
        items = page.locator("#items").bounding_box()
        article = page.locator("#article").bounding_box()
        side_by_side = article["x"] >= items["x"] + items["width"]
        assert side_by_side == (device == "desktop"), (device, items, article)
    if name == "digest":
        assert page.locator("#digest .story h2").count() >= 2  # the strike story and the budget story
        assert page.locator("iframe").count() == 0
        width = page.locator("#digest").bounding_box()["width"]
        assert width <= page.viewport_size["width"]


def _walk_from_home(browser: Any, base: str) -> None:
    """As a reader would: home → digests → a digest; home → history → search by word and by source."""
    page = browser.new_page()
    page.goto(base + "/")
    page.click("#all-digests")
    page.wait_for_url("**/digests")
    page.click("#digests li a")
    page.wait_for_selector("#digest h1")
    assert page.inner_text("#digest h1") == "Morning briefing"
    page.goto(base + "/")
    page.click("#all-briefs")
    page.wait_for_url("**/briefs")
    assert page.locator("#history li").count() == len(PICK)
    page.fill("#q", "budget")
    page.click("form.search button")
    page.wait_for_url("**/briefs?q=budget**")
    assert page.locator("#history li").count() == 1
    page.fill("#q", "")
    page.fill("#source", "Coastline Daily")
    page.click("form.search button")
    page.wait_for_url("**source=Coastline**")
    sources = page.locator("#history .source").all_inner_texts()
    assert sources and set(sources) == {"Coastline Daily"}
    page.close()
