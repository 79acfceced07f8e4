"""uvicorn's HTTP/1.1 protocol (httptools, llhttp) with bounds on request headers: time and size.

- Time: uvicorn (0.55) closes an idle keep-alive connection after `timeout_keep_alive`, but only once
  a response was sent, and it stops that timer at the first byte of the next request: a connection
  that never completes its headers is held for ever (200 idle sockets: 200 held).
  `HeaderBoundsProtocol` closes a connection whose request headers are not complete within
  `header_timeout` of its opening, or of the first byte of each further request on it.
- Size: llhttp has no bound of its own, and httptools joins the pieces of a header field or value
  as they arrive: one endless header would grow without end. Request headers (the request line
  included) larger than MAX_HEADER_BYTES are answered 400 and the connection is closed, as uvicorn's
  h11 protocol does past `h11_max_incomplete_event_size`. What is held while headers arrive is at
  most that plus one read from the socket.

The body is bounded by the webhook app (size, time, concurrency: bot/webhook/app.py).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT = 10.0
MAX_HEADER_BYTES = 16 * 1024


class HeaderBoundsProtocol(HttpToolsProtocol):
    header_timeout = HEADER_TIMEOUT
    max_header_bytes = MAX_HEADER_BYTES

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._in_headers = True  # bytes arrive that belong to a request's headers
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._start_header_timer()

    def _start_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._in_headers and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_headers and not self.transport.is_closing():  # this read ended inside headers
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self._stop_header_timer()
                self.send_400_response("Request headers too large.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        self._header_bytes = 0
        self._start_header_timer()

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._stop_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)
