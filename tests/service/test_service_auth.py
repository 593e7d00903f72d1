"""API keys: 401 without, 403 wrong, health stays open; and the public-bind guard of `serve`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from briefing.cli.serve import check_bind
from briefing.config import Settings
from briefing.errors import ConfigError
from briefing.store import open_store

BODY = {"text": "A story. With two sentences."}


def test_configured_keys_guard_every_endpoint_but_health(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=["secret-key-1"])
    missing = client.post("/v1/briefs?engine=test", json=BODY)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    wrong = client.get("/v1/briefs", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    for path in ("/metrics", "/openapi.json", "/", "/v1/jobs/x"):
        assert client.get(path).status_code == 401, path
    assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200
    good = client.post("/v1/briefs?engine=test", json=BODY, headers={"Authorization": "Bearer secret-key-1"})
    assert good.status_code == 200


def test_stored_keys_enable_auth_and_revocation_takes_effect(
    make_client: Callable[..., TestClient], store_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.service.AUTH_CACHE_SECONDS", 0.0)
    client = make_client()
    assert client.get("/v1/briefs").status_code == 200  # no keys: open (loopback use)
    store = open_store(store_settings)
    try:
        key, info = store.create_api_key("ci")
        assert client.get("/v1/briefs").status_code == 401
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/v1/briefs", headers=headers).status_code == 200
        store.revoke_api_key(info.id)
        assert client.get("/v1/briefs", headers=headers).status_code == 403
        assert client.get("/v1/briefs").status_code == 401  # revoking the last key keeps auth on
    finally:
        store.close()


def test_serve_refuses_public_bind_without_keys(settings: Settings) -> None:
    check_bind(settings, "127.0.0.1", public_ok=False, keys_exist=False)
    check_bind(settings, "::1", public_ok=False, keys_exist=False)
    with pytest.raises(ConfigError, match=r"refusing to listen on 0\.0\.0\.0"):
        check_bind(settings, "0.0.0.0", public_ok=False, keys_exist=False)
    check_bind(settings, "0.0.0.0", public_ok=True, keys_exist=False)
    check_bind(settings, "0.0.0.0", public_ok=False, keys_exist=True)
    check_bind(
        settings.model_copy(update={"allow_public_bind": True}), "0.0.0.0", public_ok=False, keys_exist=False
    )
