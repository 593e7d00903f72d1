"""App-wide guards: a number the database cannot hold is the caller's error (422), on any route."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.testclient import TestClient


def test_out_of_range_numbers_are_422_not_500(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    app = client.app

    def huge_offset(request: Request, offset: int) -> dict[str, int]:
        # Any route that passes a client's integer to the store: SQLite raises OverflowError,
        # PostgreSQL a DataError ("bigint out of range").
        return {"n": len(request.app.state.service.store.list_briefs(offset=offset))}

    app.add_api_route("/v1/_probe", huge_offset)  # type: ignore[attr-defined]
    assert client.get("/v1/_probe?offset=3").json() == {"n": 0}
    response = client.get(f"/v1/_probe?offset={2**70}")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "ValidationError" and "out of range" in error["message"]
    assert "SELECT" not in error["message"]
    assert client.get("/v1/_probe?offset=3").status_code == 200  # the store still works afterwards


def test_a_lone_surrogate_anywhere_in_a_body_is_422_not_500(make_client: Callable[..., TestClient]) -> None:
    # JSON can spell "\ud800"; no text column and no UTF-8 output can hold it
    client = make_client()
    body = b'{"url": "http://example.com/feed.xml", "title": "\\ud800"}'
    response = client.post("/v1/feeds", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert "unpaired surrogate" in response.json()["error"]["message"]
    assert client.get("/v1/feeds").json()["items"] == []  # nothing half-stored
