"""The service as the schemathesis run sees it (python -m tests.service.serve_conformance PORT).

A real uvicorn server, with nothing that leaves the machine: article pages "fetched" for any URL
come from a canned page, and name lookups answer only loopback names, so webhook deliveries and
feed polls to the made-up hosts schemathesis generates fail at once instead of reaching a resolver.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

import uvicorn

import api.service
import briefing.digests.feeds
from api.main import create_app
from briefing.config import Settings
from briefing.fetch import FetchedPage

PAGE_TEXT = (
    "The city council voted on Tuesday to close the old bridge for repairs. "
    "Mayor Jane Doe said work would begin in May and last six months."
)
_real_getaddrinfo = socket.getaddrinfo


def _loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in {"localhost", "127.0.0.1", "::1"}:
        raise socket.gaierror(socket.EAI_NONAME, f"{name}: lookups are off in this test server")
    return _real_getaddrinfo(host, *args, **kwargs)


async def _canned_page(url: str, settings: Settings) -> FetchedPage:
    return FetchedPage(
        url=url, final_url=url, status_code=200, content_type="text/html", text=PAGE_TEXT, title="Bridge"
    )


if __name__ == "__main__":
    socket.getaddrinfo = _loopback_only  # type: ignore[assignment]
    api.service.afetch_url = _canned_page  # type: ignore[assignment]
    briefing.digests.feeds.afetch_url = _canned_page  # type: ignore[assignment]
    uvicorn.run(create_app(Settings()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
