"""Delivery: signed webhooks, SMTP through a loopback aiosmtpd, retries with backoff, nothing dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from digest_fakes import harbor_and_tram
from digest_servers import free_port, http_server, smtp_server, valid_signature
from pydantic import SecretStr

from briefing.digests.build import BuildSpec
from briefing.digests.deliver import Deliverer, backoff, sign
from briefing.digests.models import EmailTarget, WebhookTarget

NOW = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


async def saved_digest(builder, repo):
    digest, _ = repo.save_digest(await builder.build(BuildSpec(articles=harbor_and_tram(), title="Morning")))
    return digest


def test_signature_is_hmac_sha256_of_body() -> None:
    # RFC 4231 test case 2
    body, key = b"what do ya want for nothing?", "Jefe"
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert sign(body, key) == f"sha256={expected}"


def test_backoff_doubles_and_caps(settings) -> None:
    tuned = settings.model_copy(update={"delivery_backoff_base": 10.0, "delivery_backoff_max": 35.0})
    assert [backoff(n, tuned).total_seconds() for n in (1, 2, 3, 4)] == [10.0, 20.0, 35.0, 35.0]


async def test_webhook_signed_and_retried_after_500(settings, builder, repo) -> None:
    tuned = settings.model_copy(
        update={
            "allow_private_urls": True,
            "webhook_secret": SecretStr("s3cret"),
            "delivery_backoff_base": 60.0,
        }
    )
    digest = await saved_digest(builder, repo)
    with http_server() as (base, recorder):
        recorder.fail_next = 1
        repo.ensure_deliveries(digest.id, [WebhookTarget(url=f"{base}/hook")], NOW)
        deliverer = Deliverer(tuned, repo)
        (first,) = await deliverer.deliver_due(now=NOW)
        assert first.status == "pending" and first.attempts == 1 and "HTTP 500" in first.last_error
        assert first.next_attempt_at == NOW + timedelta(seconds=60)
        assert await deliverer.deliver_due(now=NOW + timedelta(seconds=30)) == []  # not due yet
        (second,) = await deliverer.deliver_due(now=NOW + timedelta(seconds=61))
        assert second.status == "delivered" and second.attempts == 2
        assert [attempt.ok for attempt in second.history] == [False, True]
        posts = recorder.posts()
    assert len(posts) == 2
    headers, body = posts[-1]
    assert valid_signature(headers, body, "s3cret")
    assert headers["X-Briefing-Delivery"] == str(second.id)
    assert json.loads(body)["id"] == digest.id


@pytest.mark.parametrize(
    ("status", "final"), [(404, "failed"), (410, "failed"), (408, "pending"), (429, "pending")]
)
async def test_a_webhook_4xx_fails_at_once_unless_it_is_a_timeout_or_rate_limit(
    settings, builder, repo, status, final
) -> None:
    tuned = settings.model_copy(update={"allow_private_urls": True, "webhook_secret": SecretStr("s")})
    digest = await saved_digest(builder, repo)
    with http_server() as (base, recorder):
        recorder.post_status = status
        repo.ensure_deliveries(digest.id, [WebhookTarget(url=f"{base}/hook")], NOW)
        (delivery,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
    assert delivery.status == final and delivery.attempts == 1 and f"HTTP {status}" in delivery.last_error
    assert (delivery.next_attempt_at is None) == (final == "failed")


async def test_webhook_to_loopback_refused_by_default(settings, builder, repo) -> None:
    digest = await saved_digest(builder, repo)
    with http_server() as (base, recorder):
        repo.ensure_deliveries(digest.id, [WebhookTarget(url=f"{base}/hook")], NOW)
        (delivery,) = await Deliverer(settings, repo).deliver_due(now=NOW)
        assert recorder.posts() == []
    assert delivery.status == "failed" and "non-public" in delivery.last_error  # permanent: no retry


async def test_email_over_smtp(settings, builder, repo) -> None:
    digest = await saved_digest(builder, repo)
    with smtp_server() as (port, messages):
        tuned = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
        )
        repo.ensure_deliveries(digest.id, [EmailTarget(to=["reader@example.org"])], NOW)
        (delivery,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
    assert delivery.status == "delivered"
    (envelope,) = messages
    assert envelope.rcpt_tos == ["reader@example.org"]
    raw = envelope.content.decode()
    assert "Subject: Morning" in raw and "text/html" in raw and "text/plain" in raw


async def test_smtp_down_retried_then_failed_digest_kept(settings, builder, repo) -> None:
    tuned = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": free_port(),  # nothing listens there
            "smtp_starttls": False,
            "delivery_max_attempts": 3,
            "delivery_backoff_base": 1.0,
        }
    )
    digest = await saved_digest(builder, repo)
    repo.ensure_deliveries(digest.id, [EmailTarget(to=["reader@example.org"])], NOW)
    deliverer = Deliverer(tuned, repo)
    statuses = []
    moment = NOW
    for _ in range(5):
        for delivery in await deliverer.deliver_due(now=moment):
            statuses.append(delivery.status)
        moment += timedelta(seconds=10)
    assert statuses == ["pending", "pending", "failed"]
    (delivery,) = repo.list_deliveries(status="failed")
    assert delivery.attempts == 3 and "SMTP" in delivery.last_error and len(delivery.history) == 3
    assert repo.get_digest(digest.id).title == "Morning"
    retried = repo.retry_delivery(delivery.id, moment)
    assert retried.status == "pending"


async def test_missing_smtp_settings_recorded_as_error(settings, builder, repo) -> None:
    digest = await saved_digest(builder, repo)
    repo.ensure_deliveries(digest.id, [EmailTarget(to=["reader@example.org"])], NOW)
    repo.ensure_deliveries(digest.id, [EmailTarget(to=["READER@example.org"])], NOW)  # same target
    (delivery,) = await Deliverer(settings, repo).deliver_due(now=NOW)
    assert "BRIEFING_SMTP_HOST" in delivery.last_error


async def test_webhook_without_secret_is_not_sent_unless_the_target_allows_it(
    settings, builder, repo
) -> None:
    tuned = settings.model_copy(update={"allow_private_urls": True})  # no webhook_secret
    digest = await saved_digest(builder, repo)
    with http_server() as (base, recorder):
        repo.ensure_deliveries(digest.id, [WebhookTarget(url=f"{base}/hook")], NOW)
        (refused,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
        assert recorder.posts() == []
    assert refused.status == "failed" and "BRIEFING_WEBHOOK_SECRET" in refused.last_error
    assert "allow_unsigned" in refused.last_error


async def test_unsigned_webhook_sent_with_one_warning_per_target(settings, builder, repo, caplog) -> None:
    tuned = settings.model_copy(update={"allow_private_urls": True})
    digests = [await saved_digest(builder, repo) for _ in range(2)]
    deliverer = Deliverer(tuned, repo)
    with http_server() as (base, recorder):
        targets = [WebhookTarget(url=f"{base}/one", allow_unsigned=True)]
        targets.append(WebhookTarget(url=f"{base}/two", allow_unsigned=True))
        with caplog.at_level("WARNING", logger="briefing.digests.deliver"):
            for digest in digests:
                repo.ensure_deliveries(digest.id, targets, NOW)
                sent = await deliverer.deliver_due(now=NOW, digest_id=digest.id)
                assert [d.status for d in sent] == ["delivered", "delivered"]
        posts = recorder.posts()
    assert len(posts) == 4 and not any("X-Briefing-Signature" in headers for headers, _ in posts)
    warnings = [r.getMessage() for r in caplog.records if "UNSIGNED" in r.getMessage()]
    assert len(warnings) == 2 and any("/one" in w for w in warnings) and any("/two" in w for w in warnings)


async def test_allow_unsigned_target_is_still_signed_when_a_secret_is_set(settings, builder, repo) -> None:
    tuned = settings.model_copy(update={"allow_private_urls": True, "webhook_secret": SecretStr("k")})
    digest = await saved_digest(builder, repo)
    with http_server() as (base, recorder):
        repo.ensure_deliveries(digest.id, [WebhookTarget(url=f"{base}/h", allow_unsigned=True)], NOW)
        (delivery,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
        ((headers, body),) = recorder.posts()
    assert delivery.status == "delivered" and valid_signature(headers, body, "k")


async def test_directory_outside_delivery_dirs_is_not_written(settings, builder, repo, tmp_path) -> None:
    from briefing.digests.models import DirectoryTarget

    tuned = settings.model_copy(update={"delivery_dirs": [tmp_path / "allowed"]})
    digest = await saved_digest(builder, repo)
    outside = tmp_path / "outside"
    repo.ensure_deliveries(digest.id, [DirectoryTarget(path=str(outside))], NOW)
    (refused,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
    assert not outside.exists()
    assert refused.status != "delivered" and "outside the allowed delivery folders" in refused.last_error


async def test_webhook_connects_to_the_address_that_was_checked(settings, builder, repo, monkeypatch) -> None:
    """The host name is resolved once, checked, and the request goes to that address (no second
    DNS answer can point it elsewhere); the Host header keeps the name."""
    import briefing.fetch as urls  # every outbound fetch resolves there

    checked: list[str] = []

    def resolve(host: str, port: int, *, allow_private: bool, field: str = "url") -> str:
        checked.append(host)
        return "127.0.0.1"  # what the check saw; "hook.test" itself resolves nowhere

    monkeypatch.setattr(urls, "resolve_checked", resolve)
    tuned = settings.model_copy(update={"allow_private_urls": True, "webhook_secret": SecretStr("k")})
    digest = await saved_digest(builder, repo)
    with http_server() as (base, recorder):
        port = base.rsplit(":", 1)[1]
        repo.ensure_deliveries(digest.id, [WebhookTarget(url=f"http://hook.test:{port}/hook")], NOW)
        (delivery,) = await Deliverer(tuned, repo).deliver_due(now=NOW)
        posts = recorder.posts()
    assert delivery.status == "delivered", delivery.last_error
    assert checked == ["hook.test"]
    assert posts[0][0]["Host"] == f"hook.test:{port}"


def test_pinned_url_keeps_credentials_host_and_sni() -> None:
    from briefing.fetch import pin_url

    pinned = pin_url("https://u:p@example.org/feed?x=1", "2001:db8::1", 443)
    assert pinned.url == "https://u:p@[2001:db8::1]:443/feed?x=1"
    assert pinned.host_header == "example.org"
    assert pinned.extensions == {"sni_hostname": "example.org"}
    assert pin_url("http://example.org:8080/", "192.0.2.1", 8080).extensions == {}
