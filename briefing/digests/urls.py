"""Outbound URL checks for feeds and webhooks, shared with the article fetcher's rules: http(s)
only, and no private or loopback hosts unless `Settings.allow_private_urls`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from briefing.config import Settings
from briefing.errors import InputError
from briefing.fetch import PinnedURL, check_host, pin_checked

# What check_scheme accepts, as the API schema publishes it: http(s), a plain host name or IPv4
# address, an optional port, then anything without spaces or control characters.
_PORT = "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
_LABEL = "[A-Za-z0-9_~-]{1,63}"  # one part of a host name: 1 to 63 characters, no empty part
HTTP_URL_PATTERN = (
    rf"^ *[Hh][Tt][Tt][Pp][Ss]?://{_LABEL}(\.{_LABEL})*\.?(:{_PORT})?([/?#][^\x00-\x20\x7f]*)? *$"
)
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
    try:
        check_host(stripped, field)  # "a..b", a label over 63 characters: no resolver takes them
    except InputError as error:
        raise InputError(f"{field}: {error.message}", field=field) from None
    if not _HTTP_URL.match(url):  # the published pattern: plain host names, no spaces
        raise InputError(f"{field}: {url!r} is not an http:// or https:// URL", field=field)
    return stripped


async def check_public(url: str, settings: Settings, *, field: str) -> PinnedURL:
    """Refuse hosts resolving to non-public addresses (the same rule as article fetching); connect
    through the returned pinned URL so the request goes to the address that passed the check."""
    return await pin_checked(check_scheme(url, field=field), settings, field=field)
