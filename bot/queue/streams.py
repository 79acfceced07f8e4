"""The Redis queue: one stream with a consumer group, and one Lua script for de-duplication and enqueue.

Why Streams and not arq/SAQ: see the package's docstring and docs/architecture.md.
"""

from __future__ import annotations

from dockreview.bot.queue.base import Claimed
from dockreview.bot.queue.job import Job

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
