"""The job queue: Redis Streams with a consumer group, or in-process when REDIS_URL is unset.

Why Streams and not arq/SAQ: a stream with a consumer group gives exactly what the App needs and
nothing it must work around — at-least-once delivery with explicit XACK, reclaiming a dead
worker's job by idle time (XAUTOCLAIM), the delivery count of a job (XPENDING), durability through
AOF, and any number of workers. De-duplication of deliveries, the newest head SHA of a pull request
and the enqueue happen in one Lua script, so a delivery is never marked seen without its job.
See docs/architecture.md.

    base      the Queue protocol every queue keeps, and a claimed job
    job       the job: what a webhook delivery asks a worker to do, as it travels
    memory    the in-process queue (`dockreview serve` without REDIS_URL)
    streams   Redis Streams with a consumer group
"""

from __future__ import annotations

from dockreview.bot.queue.base import Claimed, Enqueued, Queue
from dockreview.bot.queue.job import Job, JobKind
from dockreview.bot.queue.memory import MemoryQueue
from dockreview.bot.queue.streams import RedisQueue

__all__ = ["Claimed", "Enqueued", "Job", "JobKind", "MemoryQueue", "Queue", "RedisQueue", "make_queue"]


def make_queue(redis_url: str | None, *, job_timeout: float = 300.0) -> Queue:
    return RedisQueue(redis_url, job_timeout=job_timeout) if redis_url else MemoryQueue()
