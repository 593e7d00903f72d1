"""Deliver digests to directories, webhooks and email, each attempt recorded, failures retried.

A delivery row exists once per (digest, target); a sender claims it with a lease, so two
schedulers never send the same delivery at once. Upstream failures are retried with exponential
backoff up to `Settings.delivery_max_attempts`, then marked failed (visible in the API, retryable
by hand); a refused target or a missing setting fails at once with the reason. A process killed
between sending and recording could resend once after its lease expires; webhooks carry
`X-Briefing-Delivery` (the delivery id) so receivers can drop that duplicate, and directory
writes replace the same file.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import hmac
import logging
import os
import re
import ssl
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
from pydantic import TypeAdapter

from briefing.config import Settings
from briefing.digests.models import (
    Delivery,
    DeliveryTarget,
    Digest,
    DirectoryTarget,
    EmailTarget,
    WebhookTarget,
)
from briefing.digests.render import render
from briefing.digests.schedules import UNSIGNED_HINT, check_directory
from briefing.digests.urls import check_public
from briefing.errors import ConfigError, NotFoundError, RefusedError, UpstreamError
from briefing.fetch import BadURLError
from briefing.store.digest_repo import DigestRepo

log = logging.getLogger(__name__)
_TARGET = TypeAdapter(DeliveryTarget)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
DIRECTORY_FORMATS = ("md", "html", "json")


# Webhook answers that may pass if tried again: timeouts and rate limits. Any other 4xx is the
# receiver refusing this delivery, and fails it at once.
RETRYABLE_4XX = frozenset({408, 429})


class DeliveryRejectedError(UpstreamError):
    """The receiver refused the delivery (a webhook 4xx other than 408/429): retrying cannot help."""


def is_permanent(error: BaseException) -> bool:
    """A failure that fails the same way on every try: refused address or folder, missing setting,
    a receiver's 4xx, a URL that is not http(s). These fail the delivery at once; others are
    retried with capped backoff."""
    return isinstance(error, (RefusedError, ConfigError, DeliveryRejectedError, BadURLError))


def sign(body: bytes, secret: str) -> str:
    """Value of X-Briefing-Signature: receivers recompute it over the raw body to trust the sender."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def backoff(attempt: int, settings: Settings) -> timedelta:
    """Delay after the `attempt`-th failure: base · 2^(attempt-1), capped."""
    seconds = min(settings.delivery_backoff_max, settings.delivery_backoff_base * 2 ** (attempt - 1))
    return timedelta(seconds=seconds)


def file_stem(digest: Digest) -> str:
    label = digest.period or digest.created_at.strftime("%Y-%m-%dT%H%M")
    return _UNSAFE.sub("-", f"digest-{digest.schedule_id or 'adhoc'}-{label}-{digest.id}")


async def send_directory(
    target: DirectoryTarget, digest: Digest, settings: Settings, *, formats: Sequence[str] | None = None
) -> None:
    """Write the digest's files into the target folder (in a worker thread: rendering and file I/O
    would hold up the event loop)."""
    await asyncio.to_thread(_write_directory, target.path, formats, digest, settings)


# A folder that cannot be made fails the same way on every try (no such parent, read-only, denied).
_PERMANENT_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS})


def _write_directory(path: str, formats: Sequence[str] | None, digest: Digest, settings: Settings) -> None:
    directory = check_directory(path, settings)  # again here: settings or the disk may have changed
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if error.errno in _PERMANENT_ERRNOS:
            raise RefusedError(f"directory {directory} cannot be made: {error.strerror}") from error
        raise
    for fmt in dict.fromkeys(formats or DIRECTORY_FORMATS):
        final = directory / f"{file_stem(digest)}.{fmt}"
        # a fresh file of a random name (O_EXCL: a planted symlink is never followed), then renamed
        # over the final name (rename replaces a link there, never writes through it): readers never
        # see half a file, and a resend replaces it
        handle, partial = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(render(digest, fmt, settings))
            os.chmod(partial, 0o644)  # mkstemp makes it 0600; a digest is for its readers
            os.replace(partial, final)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise


async def send_webhook(target: WebhookTarget, digest: Digest, delivery_id: int, settings: Settings) -> None:
    """POST the digest JSON, signed with BRIEFING_WEBHOOK_SECRET; unsigned only if the target allows it."""
    pinned = await check_public(target.url, settings, field="webhook url")
    if settings.webhook_secret is None and not target.allow_unsigned:
        raise ConfigError(f"webhook {target.url} would be sent unsigned; {UNSIGNED_HINT}")
    body = render(digest, "json", settings).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "X-Briefing-Event": "digest",
        "X-Briefing-Delivery": str(delivery_id),
    }
    if settings.webhook_secret is not None:
        headers["X-Briefing-Signature"] = sign(body, settings.webhook_secret.get_secret_value())
    try:
        # one deadline for the whole exchange: a receiver that drips its answer cannot hold the worker
        async with (
            asyncio.timeout(settings.delivery_timeout),
            httpx.AsyncClient(timeout=settings.delivery_timeout, trust_env=False) as client,
        ):
            response = await client.post(
                pinned.url,
                content=body,
                headers={**headers, "Host": pinned.host_header},
                extensions=pinned.extensions,
            )
    except TimeoutError:
        raise UpstreamError(
            f"webhook {target.url} took longer than {settings.delivery_timeout:g} s"
        ) from None
    except httpx.HTTPError as error:
        raise UpstreamError(f"webhook {target.url} failed: {type(error).__name__}: {error}") from error
    if 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_4XX:
        raise DeliveryRejectedError(f"webhook {target.url} answered HTTP {response.status_code}")
    if response.status_code >= 300:
        raise UpstreamError(f"webhook {target.url} answered HTTP {response.status_code}")


def smtp_tls_context(settings: Settings) -> ssl.SSLContext:
    """Always verify the server certificate and host name: against `smtp_ca_file` when set (a private
    CA), else the system trust store. There is no switch to turn verification off."""
    try:
        return ssl.create_default_context(cafile=settings.smtp_ca_file)
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(f"BRIEFING_SMTP_CA_FILE {settings.smtp_ca_file}: {error}") from error


async def send_email(target: EmailTarget, digest: Digest, settings: Settings) -> None:
    if not settings.smtp_host:
        raise ConfigError("email delivery needs BRIEFING_SMTP_HOST (and usually SMTP username/password)")
    message = EmailMessage()
    message["Subject"] = digest.title
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(target.to)
    message.set_content(render(digest, "txt", settings))
    if target.format == "html":
        message.add_alternative(render(digest, "html", settings), subtype="html")
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            start_tls=settings.smtp_starttls,
            tls_context=smtp_tls_context(settings),
            timeout=settings.delivery_timeout,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        raise UpstreamError(f"SMTP {settings.smtp_host}:{settings.smtp_port} failed: {error}") from error


class Deliverer:
    def __init__(self, settings: Settings, repo: DigestRepo) -> None:
        self.settings = settings
        self.repo = repo
        self._warned_unsigned: set[str] = set()

    def _warn_unsigned(self, target: WebhookTarget) -> None:
        """Say once per target (per process) that its webhooks go out without a signature."""
        if self.settings.webhook_secret is None and target.url not in self._warned_unsigned:
            self._warned_unsigned.add(target.url)
            log.warning(
                "webhook %s is sent UNSIGNED (allow_unsigned and no BRIEFING_WEBHOOK_SECRET): "
                "receivers cannot tell it came from briefing",
                target.url,
            )

    def _formats(self, digest: Digest) -> list[str] | None:
        """The files its schedule asks for (`ScheduleIn.formats`); None: the default three."""
        if digest.schedule_id is None:
            return None
        try:
            return list(self.repo.get_schedule(digest.schedule_id).formats)
        except NotFoundError:  # the schedule was deleted after this digest was made
            return None

    async def send(self, target: DeliveryTarget, digest: Digest, delivery_id: int) -> None:
        if isinstance(target, DirectoryTarget):
            formats = await asyncio.to_thread(self._formats, digest)  # a store read: off the loop
            await send_directory(target, digest, self.settings, formats=formats)
        elif isinstance(target, WebhookTarget):
            if target.allow_unsigned:
                self._warn_unsigned(target)
            await send_webhook(target, digest, delivery_id, self.settings)
        else:
            await send_email(target, digest, self.settings)

    async def deliver_due(
        self, *, now: datetime | None = None, digest_id: int | None = None
    ) -> list[Delivery]:
        """Attempt every due delivery this process can claim; returns them as recorded afterwards."""
        now = now or datetime.now(UTC)
        lease = timedelta(seconds=max(60.0, 3 * self.settings.delivery_timeout))
        claimed = self.repo.claim_deliveries(now=now, lease=lease, digest_id=digest_id)
        return [await self.attempt(delivery_id, now) for delivery_id in claimed]

    async def attempt(self, delivery_id: int, now: datetime) -> Delivery:
        digest_id, raw_target, attempts = self.repo.delivery_row(delivery_id)
        target = _TARGET.validate_python(raw_target)
        try:
            await self.send(target, self.repo.get_digest(digest_id), delivery_id)
        except Exception as error:  # every failure is recorded, whatever raised it
            attempt = attempts + 1
            # A refused target, a missing setting or a receiver's 4xx fails the same way on every
            # try: fail now.
            give_up = is_permanent(error) or attempt >= self.settings.delivery_max_attempts
            retry_at = None if give_up else now + backoff(attempt, self.settings)
            message = str(error) or type(error).__name__
            log.warning(
                "delivery %s to %s failed (attempt %s): %s", delivery_id, target.kind, attempt, message
            )
            self.repo.record_attempt(delivery_id, ok=False, error=message, now=now, retry_at=retry_at)
        else:
            self.repo.record_attempt(delivery_id, ok=True, error=None, now=now, retry_at=None)
        return self.repo.get_delivery(delivery_id)
