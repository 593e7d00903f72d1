"""A text stored before, posted again with metadata: missing fields are filled in, a field the store
already has with another value is kept and reported (`conflicts`), never overwritten. On SQLite and
(in CI) PostgreSQL, through the store, `POST /v1/articles` and `briefing articles add`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import Settings
from briefing.models import Article
from briefing.store import Store, open_store

TEXT = "The council of Lakeside voted on Monday to extend the tram line by four kilometres."
MARCH = datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_missing_metadata_is_filled_in_and_named(store: Store) -> None:
    first = store.ingest_article(Article(text=TEXT))
    assert first.created and first.filled == [] and first.conflicts == []
    again = store.ingest_article(Article(text=TEXT, title="Tram", source="wire", published_at=MARCH))
    assert not again.created
    assert again.filled == ["title", "source", "published_at"]
    assert again.conflicts == []
    stored = store.get_article(first.article.id)
    assert (stored.title, stored.source, stored.published_at) == ("Tram", "wire", MARCH)
    assert again.article == stored


def test_a_different_value_is_kept_and_reported_never_overwritten(store: Store) -> None:
    store.ingest_article(Article(text=TEXT, title="Tram", source="wire", url="https://a.example/tram"))
    again = store.ingest_article(
        Article(text=TEXT, title="Tram", source="gazette", url="https://b.example/tram", language="en")
    )
    assert again.filled == ["language"]
    assert [(c.field, c.stored, c.given) for c in again.conflicts] == [
        ("source", "wire", "gazette"),
        ("url", "https://a.example/tram", "https://b.example/tram"),
    ]
    stored = store.get_article(again.article.id)
    assert (stored.source, stored.url, stored.title, stored.language) == (
        "wire",
        "https://a.example/tram",
        "Tram",
        "en",
    )


def test_the_same_instant_in_another_zone_is_no_conflict(store: Store) -> None:
    store.ingest_article(Article(text=TEXT, published_at=MARCH))
    berlin = MARCH.astimezone(timezone(timedelta(hours=1)))
    assert store.ingest_article(Article(text=TEXT, published_at=berlin)).conflicts == []
    later = store.ingest_article(Article(text=TEXT, published_at=MARCH + timedelta(hours=1)))
    assert [(c.field, c.stored, c.given) for c in later.conflicts] == [
        ("published_at", "2026-03-01T08:00:00+00:00", "2026-03-01T09:00:00+00:00")
    ]


def test_racing_fills_leave_one_value_and_report_the_other(store_settings: Settings) -> None:
    stores = [open_store(store_settings) for _ in range(2)]
    try:
        stores[0].ingest_article(Article(text=TEXT))
        with ThreadPoolExecutor(2) as pool:
            results = list(
                pool.map(
                    lambda pair: pair[0].ingest_article(Article(text=TEXT, source=pair[1])),
                    zip(stores, ["a", "b"], strict=True),
                )
            )
    finally:
        for opened in stores:
            opened.close()
    assert sorted(len(result.filled) for result in results) == [0, 1]
    winner = next(result for result in results if result.filled)
    loser = next(result for result in results if not result.filled)
    assert [(c.field, c.stored) for c in loser.conflicts] == [("source", winner.article.source)]


def test_post_articles_reports_filled_and_conflicts(client) -> None:
    made = client.post("/v1/articles", json={"text": TEXT})
    assert made.status_code == 201
    assert made.json()["filled"] == [] and made.json()["conflicts"] == []
    filled = client.post("/v1/articles", json={"text": TEXT, "source": "wire", "title": "Tram"})
    assert filled.status_code == 200
    body = filled.json()
    assert body["created"] is False and body["filled"] == ["title", "source"] and body["conflicts"] == []
    assert body["article"]["source"] == "wire"
    clash = client.post(
        "/v1/articles", json={"text": TEXT, "source": "gazette", "published_at": "2026-03-01T08:00:00Z"}
    )
    assert clash.status_code == 200
    assert clash.json()["filled"] == ["published_at"]
    assert clash.json()["conflicts"] == [{"field": "source", "stored": "wire", "given": "gazette"}]
    stored = client.get(f"/v1/articles/{body['article']['id']}").json()
    assert stored["source"] == "wire" and stored["published_at"].startswith("2026-03-01T08:00:00")


def test_articles_add_fills_in_and_warns_on_a_conflict(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "tram.txt").write_text(TEXT)
    runner = CliRunner()
    path = str(tmp_path / "tram.txt")
    assert runner.invoke(app, ["articles", "add", path]).stdout.split("\t")[1] == "added"
    filled = runner.invoke(app, ["articles", "add", path, "--source", "wire"])
    assert filled.exit_code == 0, filled.output
    assert filled.stdout.split("\t")[1] == "already stored (filled in: source)"
    assert filled.stderr == ""
    clash = runner.invoke(app, ["articles", "add", path, "--source", "gazette", "--title", "Tram"])
    assert clash.exit_code == 0, clash.output
    assert clash.stdout.split("\t")[1] == "already stored (filled in: title)"
    assert clash.stderr == f"warning: {path}: kept the stored source 'wire' (given: 'gazette')\n"
    assert "\twire\tTram" in runner.invoke(app, ["articles", "list"]).stdout
