"""The in-process queue, for one machine: `dockreview serve` without REDIS_URL."""

from __future__ import annotations

import asyncio
import heapq
import queue as threadsafe
import threading
import time

from dockreview.bot.queue.base import RECHECK_TTL, RESULTS_KEPT, Claimed, Enqueued, is_newer
from dockreview.bot.queue.job import Job

RESULTS_BYTES = 64 * 1024 * 1024  # kept results in this process at most (the oldest dropped first)


class MemoryQueue:
    """In-process queue for one machine (`dockreview serve` without REDIS_URL). Thread-safe: the
    embedded worker runs on its own thread and event loop, so reviews never stall webhook answers."""

    def __init__(self, delivery_ttl: float = 3 * 24 * 3600) -> None:
        self._queue: threadsafe.Queue[Claimed] = threadsafe.Queue()
        self._mutex = threading.Lock()
        self._deliveries: dict[str, float] = {}
        self._heads: dict[str, tuple[str, str]] = {}  # pr key -> (updated_at, sha)
        self._rechecks: dict[str, float] = {}  # pr key -> until when a waiting /recheck coalesces others
        self._delayed: list[tuple[float, int, Job]] = []  # (due, counter, job)
        self._ttl = delivery_ttl
        self._counter = 0
        self._locks: dict[str, tuple[str, float]] = {}
        self._results: dict[str, tuple[float, str]] = {}  # key -> (until when, value), oldest first

    async def enqueue(self, job: Job) -> Enqueued:
        now = time.monotonic()
        with self._mutex:
            if len(self._deliveries) > 100_000:
                self._deliveries = {k: v for k, v in self._deliveries.items() if v > now}
            if self._deliveries.get(job.delivery_id, 0) > now:
                return "duplicate"
            if job.kind == "recheck" and self._rechecks.get(job.pr_key, 0) > now:
                return "coalesced"
            self._deliveries[job.delivery_id] = now + self._ttl
            if job.kind == "recheck":
                self._rechecks[job.pr_key] = now + RECHECK_TTL
            if job.kind == "review" and job.head_sha:
                stored = self._heads.get(job.pr_key)
                if is_newer(job.updated_at, stored[0] if stored else None):
                    self._heads[job.pr_key] = (job.updated_at or "", job.head_sha)
            self._put(job)
        return "queued"

    def _put(self, job: Job) -> None:
        self._counter += 1
        self._queue.put(Claimed(str(self._counter), job, 1))

    def _promote(self) -> None:
        now = time.time()
        with self._mutex:
            while self._delayed and self._delayed[0][0] <= now:
                _, _, job = heapq.heappop(self._delayed)
                self._put(job)

    async def fetch(self, consumer: str, block: float) -> Claimed | None:
        self._promote()
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

    async def retry_later(self, claimed: Claimed, job: Job, delay: float) -> None:
        with self._mutex:
            self._counter += 1
            heapq.heappush(self._delayed, (time.time() + max(0.0, delay), self._counter, job))
        self._queue.task_done()

    async def heartbeat(self, claimed: Claimed, consumer: str) -> None:
        return None

    async def latest_head(self, job: Job) -> str | None:
        stored = self._heads.get(job.pr_key)
        return stored[1] if stored else None

    async def recheck_started(self, job: Job) -> None:
        with self._mutex:
            self._rechecks.pop(job.pr_key, None)

    async def depth(self) -> int:
        return self._queue.qsize() + len(self._delayed)

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

    async def renew(self, key: str, token: str, ttl: float) -> bool:
        with self._mutex:
            holder = self._locks.get(key)
            if not holder or holder[0] != token:
                return False
            self._locks[key] = (token, time.monotonic() + ttl)
            return True

    async def unlock(self, key: str, token: str) -> None:
        with self._mutex:
            if self._locks.get(key, ("",))[0] == token:
                del self._locks[key]

    async def put_result(self, key: str, value: str, ttl: float) -> None:
        now = time.monotonic()
        with self._mutex:
            self._results.pop(key, None)
            self._results[key] = (now + ttl, value)
            for stale in [k for k, (until, _) in self._results.items() if until <= now]:
                del self._results[stale]
            size = sum(len(v) for _, v in self._results.values())
            while len(self._results) > RESULTS_KEPT or (size > RESULTS_BYTES and len(self._results) > 1):
                size -= len(self._results.pop(next(iter(self._results)))[1])

    async def get_result(self, key: str) -> str | None:
        with self._mutex:
            found = self._results.get(key)
        return found[1] if found and found[0] > time.monotonic() else None

    async def close(self) -> None:
        return None
