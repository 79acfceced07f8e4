"""What every queue keeps: the `Queue` protocol the webhook, the worker and redeliver use, and `Claimed`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from dockreview.bot.queue.job import Job

# What `enqueue` did with a job: queued it; nothing, the delivery was seen before; nothing, a
# `/recheck` of the same pull request is already waiting (many comments, at most one queued run).
Enqueued = Literal["queued", "duplicate", "coalesced"]
RECHECK_TTL = 6 * 3600  # a waiting /recheck coalesces others for at most this long
RESULTS_KEPT = 1000  # reusable review results kept (bot/worker/reuse.py), the oldest dropped first


@dataclass(slots=True)
class Claimed:
    message_id: str
    job: Job
    deliveries: int  # how many times this job was handed to a worker (1 the first time)


class Queue(Protocol):
    async def enqueue(self, job: Job) -> Enqueued: ...
    async def fetch(self, consumer: str, block: float) -> Claimed | None: ...
    async def ack(self, claimed: Claimed) -> None: ...
    async def retry_later(self, claimed: Claimed, job: Job, delay: float) -> None:
        """Acknowledge `claimed` and queue `job` (its next attempt) again after `delay` seconds, atomically."""
    async def heartbeat(self, claimed: Claimed, consumer: str) -> None: ...
    async def latest_head(self, job: Job) -> str | None:
        """The head SHA of the newest delivery (by `pull_request.updated_at`) queued for the job's pull request."""
    async def recheck_started(self, job: Job) -> None:
        """The pull request's waiting `/recheck` runs now: the next `/recheck` queues another."""
    async def depth(self) -> int: ...
    async def ping(self) -> bool: ...
    async def seen(self, delivery_id: str) -> bool: ...
    async def lock(self, key: str, token: str, ttl: float) -> bool: ...
    async def renew(self, key: str, token: str, ttl: float) -> bool:
        """Extend a lock this token holds; False when it is no longer ours."""
    async def unlock(self, key: str, token: str) -> None: ...
    async def put_result(self, key: str, value: str, ttl: float) -> None:
        """Keep a review's result under its content key for `ttl` seconds (the newest RESULTS_KEPT only)."""
    async def get_result(self, key: str) -> str | None:
        """The result kept under `key`, None when there is none (or it expired)."""
    async def close(self) -> None: ...


def is_newer(updated_at: str | None, stored: str | None) -> bool:
    """Does a delivery stamped `updated_at` name a head at least as new as the one stored (ISO 8601, UTC)?"""
    if stored is None:
        return True
    return (updated_at or "") >= stored
