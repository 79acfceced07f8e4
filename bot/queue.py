"""The job queue: Redis Streams with a consumer group, or in-process when REDIS_URL is unset.

Why Streams and not arq/SAQ: a stream with a consumer group gives exactly what the App needs and
nothing it must work around — at-least-once delivery with explicit XACK, reclaiming a dead
worker's job by idle time (XAUTOCLAIM), the delivery count of a job (XPENDING), durability through
AOF, and any number of workers. De-duplication of deliveries, the newest head SHA of a pull request
and the enqueue happen in one Lua script, so a delivery is never marked seen without its job.
See docs/architecture.md.
"""

from __future__ import annotations

import asyncio
import queue as threadsafe
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from dockreview.bot.jobs import Job

PREFIX = "dockreview:"
STREAM = PREFIX + "jobs"
GROUP = "workers"

_ENQUEUE = """
if redis.call('SET', KEYS[1], ARGV[3], 'NX', 'EX', ARGV[1]) then
  local id = redis.call('XADD', KEYS[2], '*', 'job', ARGV[2])
  if KEYS[3] ~= KEYS[1] then redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[1]) end
  return id
end
return false
"""


@dataclass(slots=True)
class Claimed:
    message_id: str
    job: Job
    deliveries: int  # how many times this job was handed to a worker (1 the first time)


class Queue(Protocol):
    async def enqueue(self, job: Job) -> bool: ...
    async def fetch(self, consumer: str, block: float) -> Claimed | None: ...
    async def ack(self, claimed: Claimed) -> None: ...
    async def heartbeat(self, claimed: Claimed, consumer: str) -> None: ...
    async def latest_head(self, job: Job) -> str | None: ...
    async def depth(self) -> int: ...
    async def ping(self) -> bool: ...
    async def seen(self, delivery_id: str) -> bool: ...
    async def lock(self, key: str, token: str, ttl: float) -> bool: ...
    async def unlock(self, key: str, token: str) -> None: ...
    async def close(self) -> None: ...


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


class RedisQueue:
    def __init__(self, url: str, *, job_timeout: float = 300.0, delivery_ttl: int = 3 * 24 * 3600) -> None:
        import redis.asyncio as redis

        self.redis = redis.from_url(url, decode_responses=True, socket_timeout=10, socket_connect_timeout=2,
                                    health_check_interval=30)
        self.job_timeout_ms = int(job_timeout * 1000)
        self.delivery_ttl = delivery_ttl
        self._enqueue = self.redis.register_script(_ENQUEUE)
        self._group_ready = False

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        from redis.exceptions import ResponseError

        try:
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def enqueue(self, job: Job) -> bool:
        await self._ensure_group()
        delivery_key = f"{PREFIX}delivery:{job.delivery_id}"
        head_key = f"{PREFIX}head:{job.pr_key}" if job.kind == "review" and job.head_sha else delivery_key
        result = await self._enqueue(
            keys=[delivery_key, STREAM, head_key],
            args=[self.delivery_ttl, job.dumps(), job.job_id, job.head_sha or ""],
        )
        return bool(result)

    async def fetch(self, consumer: str, block: float) -> Claimed | None:
        await self._ensure_group()
        # A job whose worker died (no heartbeat for job_timeout) goes to the next worker that asks.
        reply = await self.redis.xautoclaim(
            STREAM, GROUP, consumer, min_idle_time=self.job_timeout_ms, start_id="0-0", count=1
        )
        stale = reply[1]  # Redis 6.2 answers [cursor, messages]; 7.0+ adds the deleted ids
        if stale:
            message_id, fields = stale[0]
            return await self._claimed(message_id, fields)
        answer = await self.redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=1, block=int(block * 1000))
        if not answer:
            return None
        message_id, fields = answer[0][1][0]
        return await self._claimed(message_id, fields)

    async def _claimed(self, message_id: str, fields: dict[str, str] | None) -> Claimed | None:
        if not fields or "job" not in fields:
            await self.redis.xack(STREAM, GROUP, message_id)
            await self.redis.xdel(STREAM, message_id)
            return None
        pending = await self.redis.xpending_range(STREAM, GROUP, min=message_id, max=message_id, count=1)
        deliveries = int(pending[0]["times_delivered"]) if pending else 1
        return Claimed(message_id, Job.loads(fields["job"]), deliveries)

    async def ack(self, claimed: Claimed) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM, GROUP, claimed.message_id)
            pipe.xdel(STREAM, claimed.message_id)
            await pipe.execute()

    async def heartbeat(self, claimed: Claimed, consumer: str) -> None:
        # Claiming our own message with min-idle 0 resets its idle time: others leave it alone.
        await self.redis.xclaim(STREAM, GROUP, consumer, 0, [claimed.message_id], justid=True)

    async def latest_head(self, job: Job) -> str | None:
        return await self.redis.get(f"{PREFIX}head:{job.pr_key}")

    async def depth(self) -> int:
        await self._ensure_group()
        groups = await self.redis.xinfo_groups(STREAM)
        lag = next((g.get("lag") for g in groups if g.get("name") == GROUP), None)
        pending = next((g.get("pending") for g in groups if g.get("name") == GROUP), 0) or 0
        if lag is None:
            lag = await self.redis.xlen(STREAM) - pending
        return int(lag) + int(pending)

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:
            return False

    async def seen(self, delivery_id: str) -> bool:
        return bool(await self.redis.exists(f"{PREFIX}delivery:{delivery_id}"))

    async def lock(self, key: str, token: str, ttl: float) -> bool:
        return bool(await self.redis.set(f"{PREFIX}lock:{key}", token, nx=True, px=int(ttl * 1000)))

    async def unlock(self, key: str, token: str) -> None:
        script = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
        await self.redis.eval(script, 1, f"{PREFIX}lock:{key}", token)

    async def close(self) -> None:
        await self.redis.aclose()


def make_queue(redis_url: str | None, *, job_timeout: float = 300.0) -> Queue:
    return RedisQueue(redis_url, job_timeout=job_timeout) if redis_url else MemoryQueue()
