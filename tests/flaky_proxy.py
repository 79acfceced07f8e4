"""A TCP proxy on loopback in front of the fake GitHub that drops or stalls requests on demand:
network errors and timeouts as httpx (and so githubkit) sees them."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from tests.redis_server import free_port


class FlakyProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.drops = 0  # the next N requests: the connection is closed without an answer
        self.stalls = 0  # the next N requests: held for `stall_seconds` before being forwarded
        self.stall_seconds = 0.0
        self.dropped = 0
        self.stalled = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FlakyProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(5)
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    def _take(self) -> str | None:
        with self._lock:
            if self.drops > 0:
                self.drops -= 1
                self.dropped += 1
                return "drop"
            if self.stalls > 0:
                self.stalls -= 1
                self.stalled += 1
                return "stall"
        return None

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)

        async def upstream_to_client() -> None:
            with contextlib.suppress(Exception):
                while data := await upstream_reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.close()

        back = asyncio.create_task(upstream_to_client())
        try:
            while data := await reader.read(65536):
                if data[:8].split(b" ")[0] in (b"GET", b"POST", b"PATCH", b"PUT", b"DELETE"):
                    fault = self._take()
                    if fault == "drop":
                        break
                    if fault == "stall":
                        await asyncio.sleep(min(self.stall_seconds, 10.0))
                upstream_writer.write(data)
                await upstream_writer.drain()
        except Exception:
            pass
        finally:
            writer.close()
            upstream_writer.close()
            back.cancel()
