"""Permanent delivery errors fail at once; targets that can never work are refused when saved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from digest_fakes import harbor_and_tram
from digest_servers import http_server
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from briefing.digests.build import BuildSpec
from briefing.digests.deliver import Deliverer
from briefing.digests.models import DirectoryTarget, EmailTarget, ScheduleIn, WebhookTarget
from briefing.digests.schedules import validate_schedule
from briefing.errors import InputError

NOW = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


async def _digest(builder, repo):
    digest, _ = repo.save_digest(await builder.build(BuildSpec(articles=harbor_and_tram(), title="Morning")))
    return digest


async def test_refused_private_webhook_address_fails_at_once(settings, builder, repo) -> None:
    tuned = settings.model_copy(update={"webhook_secret": SecretStr("k"), "delivery_max_attempts": 5})
    digest = await _digest(builder, repo)
    with http_server() as (base, recorder):
        repo.ensure_deliveries(digest.id, [WebhookTarget(url=f"{base}/hook")], NOW)
        (delivery,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
        assert recorder.posts() == []
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.next_attempt_at is None and "non-public" in delivery.last_error


async def test_folder_outside_the_allow_list_fails_at_once(settings, builder, repo, tmp_path) -> None:
    tuned = settings.model_copy(update={"delivery_dirs": [tmp_path / "allowed"]})
    digest = await _digest(builder, repo)
    repo.ensure_deliveries(digest.id, [DirectoryTarget(path=str(tmp_path / "outside"))], NOW)
    (delivery,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert "outside the allowed delivery folders" in delivery.last_error


async def test_an_upstream_failure_is_still_retried(settings, builder, repo) -> None:
    tuned = settings.model_copy(update={"allow_private_urls": True, "webhook_secret": SecretStr("k")})
    digest = await _digest(builder, repo)
    with http_server() as (base, recorder):
        recorder.fail_next = 1
        repo.ensure_deliveries(digest.id, [WebhookTarget(url=f"{base}/hook")], NOW)
        (delivery,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
    assert delivery.status == "pending" and delivery.next_attempt_at is not None


def test_email_target_without_smtp_is_refused_when_the_schedule_is_saved(settings) -> None:
    schedule = ScheduleIn(name="x", cron="30 7 * * *", targets=[EmailTarget(to=["reader@example.org"])])
    with pytest.raises(InputError, match="BRIEFING_SMTP_HOST") as caught:
        validate_schedule(schedule, settings)
    assert caught.value.context["field"] == "targets"
    configured = settings.model_copy(update={"smtp_host": "smtp.example.org"})
    assert validate_schedule(schedule, configured).targets == schedule.targets


def test_email_target_without_smtp_is_422_in_the_api(settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"scheduler_enabled": False}))) as client:
        body = {"name": "x", "cron": "30 7 * * *", "targets": [{"kind": "email", "to": ["a@example.org"]}]}
        response = client.post("/v1/schedules", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["fields"] == ["targets"] and "BRIEFING_SMTP_HOST" in error["message"]


def test_directory_targets_need_delivery_dirs_on_a_server_beyond_loopback(settings, tmp_path) -> None:
    schedule = ScheduleIn(name="x", cron="30 7 * * *", targets=[DirectoryTarget(path=str(tmp_path / "out"))])
    public = settings.model_copy(update={"host": "0.0.0.0"})
    with pytest.raises(InputError, match="BRIEFING_DELIVERY_DIRS") as caught:
        validate_schedule(schedule, public)
    assert caught.value.context["field"] == "targets[0]"
    assert validate_schedule(schedule, settings).targets == schedule.targets  # loopback-only: any folder
    allowed = public.model_copy(update={"delivery_dirs": [tmp_path]})
    assert validate_schedule(schedule, allowed).targets == schedule.targets
