"""Every list endpoint answers one page: `{items, limit, offset, next_offset}`, with `limit`/`offset`
checked the same way everywhere (1-200, 0-1 000 000)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from briefing.config import Settings

TEXTS = [f"Story {n}: the council met on day {n} and voted {n} to 1 on the bridge." for n in range(3)]
LISTS = [
    "/v1/briefs",
    "/v1/articles",
    "/v1/digests",
    "/v1/schedules",
    "/v1/feeds",
    "/v1/deliveries",
    "/v1/digests/4/deliveries",
    "/v1/schedules/1/runs",
]


@pytest.fixture
def client(settings: Settings, tmp_path: Path):
    out = tmp_path / "out"
    app = create_app(settings.model_copy(update={"scheduler_enabled": False, "delivery_dirs": [out]}))
    with TestClient(app) as client:
        ids = [client.post("/v1/articles", json={"text": text}).json()["article"]["id"] for text in TEXTS]
        for text in TEXTS:
            assert client.post("/v1/briefs", json={"text": text}).status_code == 200
        for n in range(3):
            schedule = {
                "name": f"s{n}",
                "cron": "30 7 * * *",
                "window_hours": 24,
                "targets": [{"path": f"{out}/a"}, {"path": f"{out}/b"}, {"path": f"{out}/c"}],
            }
            assert client.post("/v1/schedules", json=schedule).status_code == 201
            assert client.post("/v1/feeds", json={"url": f"http://feeds.example/{n}.xml"}).status_code == 201
        for _ in range(3):
            assert client.post("/v1/digests", json={"article_ids": ids}).status_code == 201
        assert client.post("/v1/digests", json={"schedule_id": 1}).json()["id"] == 4  # 3 deliveries
        repo = client.app.state.runtime.digests.repo  # runs come from the scheduler: made here directly
        now = datetime.now(UTC)
        for day in range(3):
            period = f"2026-05-0{day + 1}T07:30"
            assert repo.claim_run(1, period, now, owner="test", now=now, lease=timedelta(minutes=1))
        yield client


@pytest.mark.parametrize("path", LISTS)
def test_every_list_is_paged_the_same_way(client: TestClient, path: str) -> None:
    whole = client.get(path)
    assert whole.status_code == 200, whole.text
    body = whole.json()
    assert set(body) == {"items", "limit", "offset", "next_offset"}
    assert body["limit"] == 50 and body["offset"] == 0 and body["next_offset"] is None
    items = body["items"]
    assert len(items) >= 3, path
    seen = []
    offset: int | None = 0
    while offset is not None:
        page = client.get(path, params={"limit": 2, "offset": offset}).json()
        assert len(page["items"]) <= 2 and page["offset"] == offset
        seen += page["items"]
        offset = page["next_offset"]
    assert seen == items  # the pages, joined, are the whole list, in the same order
    last = client.get(path, params={"limit": len(items)}).json()
    assert last["next_offset"] is None and len(last["items"]) == len(items)
    for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": 1_000_001}, {"limit": "x"}):
        refused = client.get(path, params=bad)
        assert refused.status_code == 422, (path, bad)
        assert refused.json()["error"]["fields"] == [f"query.{next(iter(bad))}"]


def test_the_schema_publishes_the_paged_shape_for_every_list(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in LISTS:
        template = path.replace("/4/", "/{digest_id}/").replace("/1/", "/{schedule_id}/")
        operation = paths[template]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].startswith("#/components/schemas/Page_"), path
        names = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert names["limit"]["maximum"] == 200 and names["offset"]["maximum"] == 1_000_000, path
