"""Outbound URL checks for feeds and webhooks, shared with the article fetcher's rules: http(s)
only, and no private or loopback hosts unless `Settings.allow_private_urls`."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from briefing.config import Settings
from briefing.errors import InputError
from briefing.fetch import PinnedURL, pin_url, resolve_checked

# What check_scheme accepts, as the API schema publishes it: http(s), a plain host name or IPv4
# address, an optional port, then anything without spaces.
_PORT = "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
HTTP_URL_PATTERN = rf"^ *[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9._~-]+(:{_PORT})?([/?#][^ ]*)? *$"
_HTTP_URL = re.compile(HTTP_URL_PATTERN)


def check_scheme(url: str, *, field: str) -> str:
    """422-worthy: an unknown scheme (ftp:, file:, javascript:) or no host."""
    stripped = url.strip()
    parts = urlsplit(stripped)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError(f"{field}: {url!r} is not an http:// or https:// URL", field=field)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port outside 0-65535
    except ValueError as error:
        raise InputError(f"{field}: {url!r} has a bad port", field=field) from error
    if not _HTTP_URL.match(url):  # the published pattern: plain host names, no spaces
        raise InputError(f"{field}: {url!r} is not an http:// or https:// URL", field=field)
    return stripped


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
