from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app
from briefing.config import Settings
from briefing.models import BriefOptions


def test_shutdown_closes_the_llm_engines_http_client(llm_settings: Settings) -> None:
    app = create_app(llm_settings.model_copy(update={"scheduler_enabled": False}))
    with TestClient(app):
        engine = app.state.service.briefer.engine(BriefOptions(engine="llm"))
        sdk = engine.client._client
        assert not sdk.is_closed()
    assert sdk.is_closed()
