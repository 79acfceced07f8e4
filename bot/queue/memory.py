"""The in-process queue, for one machine: `dockreview serve` without REDIS_URL."""

from __future__ import annotations

import asyncio
import queue as threadsafe
import threading
import time

from dockreview.bot.queue.base import Claimed
from dockreview.bot.queue.job import Job


class MemoryQueue:
    """In-process queue for one machine (`dockreview serve` without REDIS_URL). Thread-safe: the
    embedded worker runs on its own thread and event loop, so reviews never stall webhook answers."""

    def __init__(self, delivery_ttl: float = 3 * 24 * 3600) -> None:
        self._queue: threadsafe.Queue[Claimed] = threadsafe.Queue()
        self._mutex = threading.Lock()
        self._deliveries: dict[str, float] = {}
        self._heads: dict[str, str] = {}
        self._ttl = delivery_ttl
        self._counter = 0
        self._locks: dict[str, tuple[str, float]] = {}

    async def enqueue(self, job: Job) -> bool:
        now = time.monotonic()
        with self._mutex:
            if len(self._deliveries) > 100_000:
                self._deliveries = {k: v for k, v in self._deliveries.items() if v > now}
            if self._deliveries.get(job.delivery_id, 0) > now:
                return False
            self._deliveries[job.delivery_id] = now + self._ttl
            if job.kind == "review" and job.head_sha:
                self._heads[job.pr_key] = job.head_sha
            self._counter += 1
            self._queue.put(Claimed(str(self._counter), job, 1))
        return True

    async def fetch(self, consumer: str, block: float) -> Claimed | None:
        try:
            return self._queue.get_nowait()
        except threadsafe.Empty:
            pass
        try:
            return await asyncio.to_thread(self._queue.get, True, block)
        except threadsafe.Empty:
            return None

    async def ack(self, claimed: Claimed) -> None:
        self._queue.task_done()

    async def heartbeat(self, claimed: Claimed, consumer: str) -> None:
        return None

    async def latest_head(self, job: Job) -> str | None:
        return self._heads.get(job.pr_key)

    async def depth(self) -> int:
        return self._queue.qsize()

    async def ping(self) -> bool:
        return True

    async def seen(self, delivery_id: str) -> bool:
        return self._deliveries.get(delivery_id, 0) > time.monotonic()

    async def lock(self, key: str, token: str, ttl: float) -> bool:
        with self._mutex:
            holder = self._locks.get(key)
            if holder and holder[1] > time.monotonic() and holder[0] != token:
                return False
            self._locks[key] = (token, time.monotonic() + ttl)
            return True

    async def unlock(self, key: str, token: str) -> None:
        with self._mutex:
            if self._locks.get(key, ("",))[0] == token:
                del self._locks[key]

    async def close(self) -> None:
        return None
