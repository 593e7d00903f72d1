"""How `briefing serve` runs uvicorn: with a read deadline per request, so slow clients are closed.

uvicorn closes idle keep-alive connections, but a client that sends half its headers (or half its
body) and then nothing holds its connection open for ever; a few hundred of them exhaust the
server. The protocol classes here start a timer when a connection opens and after each response,
and stop it once the whole request (headers and body) has arrived; when it fires first, the
connection is closed (the app, if it was reading the body, sees a disconnect).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from briefing.config import Settings

log = logging.getLogger("briefing.api")


class _ReadDeadline:
    """Mixin for uvicorn's HTTP protocols: close a connection whose request does not arrive in time."""

    client_timeout: float = 30.0  # set by `configure` from Settings.client_timeout
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.client_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            log.info(
                "closing a connection whose request did not arrive within %gs (BRIEFING_CLIENT_TIMEOUT)",
                self.client_timeout,
            )
            self.transport.close()


class H11ReadDeadline(_ReadDeadline, H11Protocol):
    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
            self._disarm()


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is part of uvicorn[standard]
    PROTOCOL: type = H11ReadDeadline
else:

    class HttpToolsReadDeadline(_ReadDeadline, HttpToolsProtocol):
        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._disarm()

    PROTOCOL = HttpToolsReadDeadline


def configure(settings: Settings) -> type:
    """Set the read deadline (in this process) and return the protocol class to give uvicorn."""
    _ReadDeadline.client_timeout = settings.client_timeout
    return PROTOCOL


def server_config(settings: Settings, app: Any, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration `briefing serve` uses (tests start a real server from it)."""
    return uvicorn.Config(
        app, http=configure(settings), log_config=None, access_log=False, lifespan="on", **options
    )
