"""The web page in headless Chromium, briefing through an LLM that invents one quote per item."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live_server import live_server
from tests.verify.fake_openai import ARTICLE, INVENTED, serve

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
@pytest.mark.parametrize("grounding", ["flag", "strict"])
def test_page_marks_or_drops_invented_quotes(tmp_path: Path, grounding: str) -> None:
    from playwright.sync_api import sync_playwright

    fake, base_url = serve()
    settings = dict(
        BRIEFING_DATA_DIR=str(tmp_path / "data"),
        BRIEFING_ENGINE="llm",
        BRIEFING_GROUNDING=grounding,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=base_url,
        BRIEFING_MODEL="fake-model",
    )
    with live_server(**settings) as base:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.goto(base + "/")
            page.fill("#text", ARTICLE)
            page.click("main button[type=submit]")
            page.wait_for_selector("#headline", timeout=30_000)
            shown = page.inner_text("main")
            if grounding == "strict":
                for quote in INVENTED:
                    assert quote not in shown
                assert page.locator(".unfound").count() == 0
                assert "100% of items grounded" in shown
            else:
                unfound = page.locator("#items .unfound")
                assert unfound.count() == len(INVENTED)
                for index, quote in enumerate(INVENTED):
                    text = unfound.nth(index).inner_text()
                    assert "not found in the article" in text and quote in text
                assert "0% of items grounded" in shown and "3 of 6 quotes found" in shown
                marked = page.locator("#article mark").all_inner_texts()
                assert marked and not any(q in m for q in INVENTED for m in marked)  # only real quotes
            browser.close()
        fake.shutdown()
