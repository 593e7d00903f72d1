"""Outbound URL checks for feeds and webhooks, shared with the article fetcher's rules: http(s)
only, and no private or loopback hosts unless `Settings.allow_private_urls`."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from briefing.config import Settings
from briefing.errors import InputError
from briefing.fetch import PinnedURL, pin_url, resolve_checked


def check_scheme(url: str, *, field: str) -> str:
    """422-worthy: an unknown scheme (ftp:, file:, javascript:) or no host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError(f"{field}: {url!r} is not an http:// or https:// URL", field=field)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port outside 0-65535
    except ValueError as error:
        raise InputError(f"{field}: {url!r} has a bad port", field=field) from error
    return url


async def check_public(url: str, settings: Settings, *, field: str) -> PinnedURL:
    """Refuse hosts resolving to non-public addresses (the same rule as article fetching); connect
    through the returned pinned URL so the request goes to the address that passed the check."""
    url = check_scheme(url, field=field)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = await asyncio.to_thread(
        resolve_checked, parts.hostname or "", port, allow_private=settings.allow_private_urls
    )
    return pin_url(url, address, port)
