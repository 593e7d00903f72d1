"""Email over STARTTLS with SMTP AUTH, against a loopback aiosmtpd that insists on both; the client
verifies the server certificate against a CA made in the test."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword
from digest_fakes import harbor_and_tram
from digest_servers import smtp_server
from pydantic import SecretStr

from briefing.digests.build import BuildSpec
from briefing.digests.deliver import Deliverer
from briefing.digests.models import EmailTarget

NOW = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(ca):
    """An SMTP server that refuses mail before STARTTLS and AUTH; records the logins it accepted."""

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    logins: list[tuple[str, str]] = []

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and auth_data.password == b"right horse":
            logins.append((auth_data.login.decode(), mechanism))
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    with smtp_server(
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    ) as (port, messages):
        yield port, messages, logins


async def send_one(settings, builder, repo):
    digest, _ = repo.save_digest(await builder.build(BuildSpec(articles=harbor_and_tram(), title="Morning")))
    repo.ensure_deliveries(digest.id, [EmailTarget(to=["reader@example.org"])], NOW)
    (delivery,) = await Deliverer(settings, repo).deliver_due(now=NOW)
    return delivery


def smtp_settings(settings, port, **extra):
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": True,
            "smtp_username": "digest-bot",
            "smtp_password": SecretStr("right horse"),
            **extra,
        }
    )


async def test_starttls_and_login_with_verified_certificate(
    settings, builder, repo, ca, tls_server, tmp_path
):
    port, messages, logins = tls_server
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    delivery = await send_one(smtp_settings(settings, port, smtp_ca_file=ca_file), builder, repo)
    assert delivery.status == "delivered", delivery.last_error
    assert [login for login, _ in logins] == ["digest-bot"]
    (envelope,) = messages
    assert envelope.rcpt_tos == ["reader@example.org"] and b"Subject: Morning" in envelope.content


async def test_certificate_not_trusted_without_the_ca(settings, builder, repo, tls_server) -> None:
    port, messages, logins = tls_server
    delivery = await send_one(smtp_settings(settings, port), builder, repo)  # system CAs only
    assert delivery.status == "pending" and "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
    assert messages == [] and logins == []


async def test_wrong_password_is_a_recorded_failure(settings, builder, repo, ca, tls_server, tmp_path):
    port, messages, _ = tls_server
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    tuned = smtp_settings(settings, port, smtp_ca_file=ca_file, smtp_password=SecretStr("wrong"))
    delivery = await send_one(tuned, builder, repo)
    assert delivery.status == "pending" and "535" in delivery.last_error and messages == []


async def test_plain_text_session_is_refused_by_a_starttls_server(settings, builder, repo, tls_server):
    port, messages, _ = tls_server
    delivery = await send_one(smtp_settings(settings, port, smtp_starttls=False), builder, repo)
    assert delivery.status == "pending" and "STARTTLS" in delivery.last_error and messages == []


async def test_unreadable_ca_file_is_a_config_error(settings, builder, repo, tmp_path) -> None:
    tuned = smtp_settings(settings, 25, smtp_ca_file=tmp_path / "missing.pem")
    delivery = await send_one(tuned, builder, repo)
    assert "BRIEFING_SMTP_CA_FILE" in delivery.last_error
