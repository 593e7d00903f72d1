"""'Run now' with an Idempotency-Key: the same key gives the same digest and one delivery, also when
the repeats race each other; a key reused for another request is refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import time_machine
from digest_fakes import harbor_and_tram
from fastapi.testclient import TestClient

from api.main import create_app
from briefing.digests.models import DirectoryTarget, ScheduleIn
from briefing.digests.service import DigestService, Idempotency
from briefing.errors import InputError


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings.model_copy(update={"scheduler_enabled": False}))) as client:
        yield client


def test_repeated_run_now_with_one_key_makes_one_digest_and_one_delivery(client, tmp_path) -> None:
    for article in harbor_and_tram():
        client.post("/v1/articles", json=article.model_dump(mode="json", exclude={"id"}))
    out = tmp_path / "out"
    schedule = {
        "name": "Morning",
        "cron": "30 7 * * *",
        "window_hours": 40000,
        "targets": [{"kind": "directory", "path": str(out)}],
    }
    schedule_id = client.post("/v1/schedules", json=schedule).json()["id"]
    run = {"schedule_id": schedule_id}

    first = client.post("/v1/digests", json=run, headers={"Idempotency-Key": "k-1"})
    again = client.post("/v1/digests", json=run, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(client.get(f"/v1/digests?schedule_id={schedule_id}").json()["items"]) == 1
    deliveries = client.get(f"/v1/digests/{first.json()['id']}/deliveries").json()["items"]
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("delivered", 1)]
    assert len(list(out.iterdir())) == 3

    other = client.post("/v1/digests", json=run, headers={"Idempotency-Key": "k-2"})
    unkeyed = client.post("/v1/digests", json=run)
    assert other.status_code == 201 and unkeyed.status_code == 201
    assert len({first.json()["id"], other.json()["id"], unkeyed.json()["id"]}) == 3

    ids = [story["articles"][0]["id"] for story in first.json()["stories"]]
    reused = client.post("/v1/digests", json={"article_ids": ids}, headers={"Idempotency-Key": "k-1"})
    assert reused.status_code == 422 and "Idempotency-Key" in reused.json()["error"]["message"]
    bad = client.post("/v1/digests", json=run, headers={"Idempotency-Key": "x" * 201})
    assert bad.status_code == 422


async def test_racing_repeats_share_one_digest(settings, store, repo, builder, tmp_path) -> None:
    for article in harbor_and_tram():
        store.save_article(article)
    schedule = repo.create_schedule(
        ScheduleIn(
            name="Morning",
            cron="30 7 * * *",
            window_hours=40000,
            targets=[DirectoryTarget(path=str(tmp_path / "out"))],
        )
    )
    service = DigestService(settings, store, builder=builder)
    keys = [Idempotency.of("same", '{"schedule_id": 1}') for _ in range(2)]
    # both build (the first has not saved when the second looks), so the unique key decides
    made = await asyncio.gather(*(service.run_schedule_now(schedule.id, idempotency=key) for key in keys))
    assert made[0].id == made[1].id
    assert sorted(key.replayed for key in keys) == [False, True]
    assert len(repo.list_digests()) == 1
    assert [(d.status, d.attempts) for d in repo.list_deliveries()] == [("delivered", 1)]


def test_idempotency_key_must_be_printable_ascii() -> None:
    for key in ("", "naïve", "a\nb"):
        with pytest.raises(InputError):
            Idempotency.of(key, "{}")


async def test_a_run_now_digest_is_titled_in_the_schedules_time_zone(settings, store, repo, builder) -> None:
    schedule = repo.create_schedule(ScheduleIn(name="Morning", cron="30 7 * * *", timezone="Asia/Tokyo"))
    service = DigestService(settings, store, builder=builder)
    with time_machine.travel(datetime(2026, 5, 4, 23, 10, tzinfo=UTC), tick=False):
        digest = await service.run_schedule_now(schedule.id, deliver=False)
    assert digest.title == "Morning — Tue 05 May 2026, 08:10"  # 23:10 UTC is 08:10 the next day in Tokyo
