"""uvicorn's HTTP/1.1 protocol with a header-read timeout.

uvicorn (0.55) closes an idle keep-alive connection after `timeout_keep_alive`, but only once a
response was sent: a connection that never completes its first request's headers is held for ever
(200 idle sockets: 200 held). `HeaderTimeoutProtocol` closes a connection whose request headers are
not complete within HEADER_TIMEOUT of its opening (and of the end of the previous response).
The header size is bounded by h11 (`h11_max_incomplete_event_size`, 16 KiB here), the body by the
webhook app (size, time, concurrency).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
MAX_HEADER_BYTES = 16 * 1024


class HeaderTimeoutProtocol(H11Protocol):
    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = self.loop.call_later(self.header_timeout,
                                                                               self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is None and not self.transport.is_closing():  # no request started on this connection
            self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and self._header_timer is not None:  # headers complete: the app has it
            self._header_timer.cancel()
            self._header_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)
