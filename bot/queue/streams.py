"""The Redis queue: one stream with a consumer group, and Lua scripts for de-duplication and enqueue.

Why Streams and not arq/SAQ: see the package's docstring and docs/architecture.md.

Keys (prefix `dockreview:`):
    jobs                   the stream (consumer group `workers`)
    delayed                jobs waiting for their next attempt (sorted set, score = when it is due)
    delivery:<guid>        a delivery seen (3 days)
    head:<pr>              "<updated_at> <sha>" of the newest delivery for a pull request
    recheck:<pr>           a `/recheck` of the pull request is waiting (coalesces the next ones)
    lock:<pr>              the per-pull-request lock (token, renewed by the heartbeat)
    result:<key>           a review's result under its content key (bot/worker/reuse.py), with a TTL
    results                the result keys by when they were written (sorted set): the newest
                           RESULTS_KEPT are kept, older ones deleted

Connections: a pooled connection that Redis closed (a restart) is retried on a fresh one
(`retry_on_error`, redis-py's `Retry`), and idle connections are checked before use
(`health_check_interval`), so the first delivery after a restart is queued, not answered 503.
"""

from __future__ import annotations

import time
from typing import Any

from dockreview.bot.queue.base import RECHECK_TTL, RESULTS_KEPT, Claimed, Enqueued
from dockreview.bot.queue.job import Job

PREFIX = "dockreview:"
STREAM = PREFIX + "jobs"
DELAYED = PREFIX + "delayed"
RESULTS = PREFIX + "results"
GROUP = "workers"
PROMOTE_BATCH = 20
CONSUMER_IDLE = 3600.0  # seconds without a fetch after which a consumer holding no job is removed
PRUNE_EVERY = 60.0  # seconds between two looks at the group's consumers, per worker

# The XADD is the first write: when Redis refuses writes (maxmemory with noeviction), nothing is
# written and the webhook answers 503, so the delivery is not marked seen without its job.
_ENQUEUE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 'duplicate' end
if KEYS[4] ~= KEYS[1] and redis.call('EXISTS', KEYS[4]) == 1 then return 'coalesced' end
redis.call('XADD', KEYS[2], '*', 'job', ARGV[2])
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[1])
if KEYS[4] ~= KEYS[1] then redis.call('SET', KEYS[4], ARGV[3], 'EX', ARGV[6]) end
if KEYS[3] ~= KEYS[1] then
  local old = redis.call('GET', KEYS[3])
  local stamp = old and string.match(old, '^(%S*) ') or nil
  if (not old) or (not stamp) or ARGV[5] >= stamp then
    redis.call('SET', KEYS[3], ARGV[5] .. ' ' .. ARGV[4], 'EX', ARGV[1])
  end
end
return 'queued'
"""
_PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, job in ipairs(due) do
  redis.call('XADD', KEYS[2], '*', 'job', job)
  redis.call('ZREM', KEYS[1], job)
end
return #due
"""
_RENEW = ("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end "
          "return 0")
# A result and its place in the index in one step; past RESULTS_KEPT (or their TTL) the oldest go.
_PUT_RESULT = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]))
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, extra - 1)
  redis.call('DEL', unpack(old))
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
end
return 1
"""
_UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class RedisQueue:
    def __init__(self, url: str, *, job_timeout: float = 300.0, delivery_ttl: int = 3 * 24 * 3600,
                 consumer_idle: float = CONSUMER_IDLE) -> None:
        import redis.asyncio as redis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError, TimeoutError

        self.redis = redis.from_url(
            url, decode_responses=True, socket_timeout=10, socket_connect_timeout=2,
            health_check_interval=5,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3),
            retry_on_error=[ConnectionError, TimeoutError],
        )
        self.job_timeout_ms = int(job_timeout * 1000)
        self.delivery_ttl = delivery_ttl
        self._enqueue = self.redis.register_script(_ENQUEUE)
        self._promote = self.redis.register_script(_PROMOTE)
        self._renew = self.redis.register_script(_RENEW)
        self._unlock = self.redis.register_script(_UNLOCK)
        self._put_result = self.redis.register_script(_PUT_RESULT)
        self._group_ready = False
        # A consumer (worker) that has not asked for work in this long, and holds no job, is gone.
        self.consumer_idle_ms = int(max(consumer_idle, 2 * job_timeout) * 1000)
        self._pruned_at = 0.0

    async def prune_consumers(self) -> list[str]:
        """Remove the group's consumers that stopped asking for work and hold no job (a worker that
        died or was scaled away; a live one asks every second). One with pending jobs stays until
        another worker has taken them over (XAUTOCLAIM in `fetch`), so nothing it held is lost."""
        gone = [c["name"] for c in await self.redis.xinfo_consumers(STREAM, GROUP)
                if int(c.get("pending") or 0) == 0 and int(c.get("idle") or 0) > self.consumer_idle_ms]
        for name in gone:
            await self.redis.xgroup_delconsumer(STREAM, GROUP, name)
        return gone

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

    async def enqueue(self, job: Job) -> Enqueued:
        await self._ensure_group()
        delivery_key = f"{PREFIX}delivery:{job.delivery_id}"
        head_key = f"{PREFIX}head:{job.pr_key}" if job.kind == "review" and job.head_sha else delivery_key
        recheck_key = f"{PREFIX}recheck:{job.pr_key}" if job.kind == "recheck" else delivery_key
        result = await self._enqueue(
            keys=[delivery_key, STREAM, head_key, recheck_key],
            args=[self.delivery_ttl, job.dumps(), job.job_id, job.head_sha or "", job.updated_at or "",
                  RECHECK_TTL],
        )
        return result if result in ("queued", "duplicate", "coalesced") else "duplicate"

    async def fetch(self, consumer: str, block: float) -> Claimed | None:
        await self._ensure_group()
        if time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            await self.prune_consumers()
        await self._promote(keys=[DELAYED, STREAM], args=[time.time(), PROMOTE_BATCH])
        # A job whose worker died (no heartbeat for job_timeout) goes to the next worker that asks.
        reply = await self.redis.xautoclaim(
            STREAM, GROUP, consumer, min_idle_time=self.job_timeout_ms, start_id="0-0", count=1
        )
        stale = reply[1]  # Redis 6.2 answers [cursor, messages]; 7.0+ adds the deleted ids
        if stale:
            message_id, fields = stale[0]
            return await self._claimed(message_id, fields)
        answer: Any = await self.redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=1, block=int(block * 1000))
        if not answer:
            return None
        message_id, fields = answer[0][1][0]
        return await self._claimed(message_id, fields)

    async def _claimed(self, message_id: str, fields: dict[str, str] | None) -> Claimed | None:
        try:
            job = Job.loads(fields["job"]) if fields and "job" in fields else None
        except (ValueError, TypeError):
            job = None  # an entry no worker can read is dropped, not handed out again and again
        if job is None:
            await self._drop(message_id)
            return None
        pending = await self.redis.xpending_range(STREAM, GROUP, min=message_id, max=message_id, count=1)
        deliveries = int(pending[0]["times_delivered"]) if pending else 1
        return Claimed(message_id, job, deliveries)

    async def _drop(self, message_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM, GROUP, message_id)
            pipe.xdel(STREAM, message_id)
            await pipe.execute()

    async def ack(self, claimed: Claimed) -> None:
        await self._drop(claimed.message_id)

    async def retry_later(self, claimed: Claimed, job: Job, delay: float) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(DELAYED, {job.dumps(): time.time() + max(0.0, delay)})
            pipe.xack(STREAM, GROUP, claimed.message_id)
            pipe.xdel(STREAM, claimed.message_id)
            await pipe.execute()

    async def heartbeat(self, claimed: Claimed, consumer: str) -> None:
        # Claiming our own message with min-idle 0 resets its idle time: others leave it alone.
        await self.redis.xclaim(STREAM, GROUP, consumer, 0, [claimed.message_id], justid=True)

    async def latest_head(self, job: Job) -> str | None:
        stored = await self.redis.get(f"{PREFIX}head:{job.pr_key}")
        if not stored:
            return None
        text = stored.decode() if isinstance(stored, bytes) else str(stored)
        return text.rpartition(" ")[2] or None

    async def recheck_started(self, job: Job) -> None:
        await self.redis.delete(f"{PREFIX}recheck:{job.pr_key}")

    async def depth(self) -> int:
        await self._ensure_group()
        groups = await self.redis.xinfo_groups(STREAM)
        lag = next((g.get("lag") for g in groups if g.get("name") == GROUP), None)
        pending = next((g.get("pending") for g in groups if g.get("name") == GROUP), 0) or 0
        if lag is None:
            lag = await self.redis.xlen(STREAM) - pending
        return int(lag) + int(pending) + int(await self.redis.zcard(DELAYED))

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:
            return False

    async def seen(self, delivery_id: str) -> bool:
        return bool(await self.redis.exists(f"{PREFIX}delivery:{delivery_id}"))

    async def lock(self, key: str, token: str, ttl: float) -> bool:
        return bool(await self.redis.set(f"{PREFIX}lock:{key}", token, nx=True, px=int(ttl * 1000)))

    async def renew(self, key: str, token: str, ttl: float) -> bool:
        return bool(await self._renew(keys=[f"{PREFIX}lock:{key}"], args=[token, int(ttl * 1000)]))

    async def unlock(self, key: str, token: str) -> None:
        await self._unlock(keys=[f"{PREFIX}lock:{key}"], args=[token])

    async def put_result(self, key: str, value: str, ttl: float) -> None:
        await self._put_result(keys=[f"{PREFIX}result:{key}", RESULTS],
                               args=[value, int(ttl * 1000), int(time.time() * 1000), RESULTS_KEPT])

    async def get_result(self, key: str) -> str | None:
        found = await self.redis.get(f"{PREFIX}result:{key}")
        return str(found) if found is not None else None

    async def close(self) -> None:
        await self.redis.aclose()
