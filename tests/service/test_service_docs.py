"""/docs and /redoc work offline: assets from the installed package, under the pages' CSP."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.docs import ASSETS_URL, assets_dir
from briefing.config import Settings
from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _directive(policy: str, name: str) -> str:
    return next(part.strip() for part in policy.split(";") if part.strip().startswith(name + " "))


def test_docs_pages_load_their_assets_from_this_server(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        _check_pages(client)


def _check_pages(client: TestClient) -> None:
    for path, assets in [
        ("/docs", ["swagger-ui-bundle.js", "swagger-ui.css"]),
        ("/redoc", ["redoc.standalone.js"]),
    ]:
        page = client.get(path)
        assert page.status_code == 200
        assert "cdn." not in page.text and "https://" not in page.text
        policy = page.headers["content-security-policy"]
        script_src = _directive(policy, "script-src").split()
        assert script_src[1] == "'self'" and all(source.startswith("'nonce-") for source in script_src[2:])
        for name in assets:
            assert f'"{ASSETS_URL}/{name}"' in page.text
            asset = client.get(f"{ASSETS_URL}/{name}")
            assert asset.status_code == 200
            assert asset.content == (assets_dir() / name).read_bytes()
    assert not {"/docs", "/redoc"} & set(client.get("/openapi.json").json()["paths"])


@pytest.mark.e2e
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
)
def test_docs_list_the_operations_in_a_browser_with_the_network_blocked(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    settings = dict(BRIEFING_DATA_DIR=str(tmp_path / "data"), BRIEFING_ENGINE="offline")
    blocked: list[str] = []
    refused: list[str] = []
    with live_server(**settings) as base:
        summaries = {
            op["summary"]
            for item in httpx.get(base + "/openapi.json").json()["paths"].values()
            for op in item.values()
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context()

            def only_loopback(route) -> None:  # every request that would leave the machine fails
                if urlsplit(route.request.url).hostname in LOOPBACK:
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", only_loopback)
            page = context.new_page()
            page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))

            page.goto(base + "/docs")
            page.wait_for_selector(".opblock-summary", timeout=30_000)
            shown = page.locator(".opblock-summary-description").all_inner_texts()
            assert "Brief an article" in shown
            assert page.locator(".opblock").count() == sum(
                len(item) for item in httpx.get(base + "/openapi.json").json()["paths"].values()
            )

            page.goto(base + "/redoc")
            page.wait_for_selector("h2:has-text('Brief an article')", timeout=30_000)
            headings = {text.strip() for text in page.locator("h2").all_inner_texts()}
            assert summaries <= headings  # one section per operation
            browser.close()
    assert blocked == []  # nothing was even tried off this machine
    # The CSP blocked nothing from this server; only ReDoc's "by Redocly" logo, an image on its CDN.
    assert all('"img-src' in text and base not in text for text in refused), refused
