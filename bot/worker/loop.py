"""The job loop: takes jobs from the queue and runs them (the worker room is the only one that calls GitHub).

At least once, effects exactly once: a job is acknowledged only after its check run completed; a
job whose worker died is handed to another worker after `job_timeout` without heartbeat; re-running
a job finds its own check run and the comments already posted (by fingerprint) instead of adding new ones.

Infrastructure trouble never becomes a result: a job GitHub failed (5xx, network, rate limit, a
check run deleted) is put back with backoff, up to MAX_ATTEMPTS, its check run saying when it is
tried again; a Redis error leaves the job pending for a later take-over; when it finally gives up,
the check run ends `failure` with what happened and `/recheck`. A completed result is never
overwritten by a later error (unlock, acknowledgement).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from dockreview.bot import metrics
from dockreview.bot.github import CALL_BUDGET, CALLS, RATE_SEEN, GitHubClient, GitHubError, api
from dockreview.bot.queue import Claimed, Job, Queue
from dockreview.bot.settings import Settings
from dockreview.bot.worker.check_run import CheckRun, pull_request_of
from dockreview.bot.worker.engine import EngineCrashed, EngineProcess
from dockreview.bot.worker.merge_group import MergeGroupReview, merge_group_check_run
from dockreview.bot.worker.pull_request import PullRequestReview, Superseded
from dockreview.bot.worker.reuse import Results

log = logging.getLogger("dockreview.worker")
MAX_DELIVERIES = 4  # handed to a worker that died or lost Redis this many times: given up
MAX_ATTEMPTS = 5  # failed and retried with backoff this many times: given up
MAX_CALLS_PER_JOB = 1500  # GitHub requests one job may make, retries included
WRITERS = {"admin", "maintain", "write"}


class QueueUnavailable(Exception):
    """Redis failed under a job (restart, memory limit): the job stays pending and is handed out again."""


class Worker:
    def __init__(self, settings: Settings, queue: Queue, *, name: str | None = None) -> None:
        self.settings = settings
        self.queue = queue
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._clients: dict[int, GitHubClient] = {}
        self._stopping = asyncio.Event()
        self.last_calls: Counter[str] = Counter()
        self.retry_base = float(os.environ.get("DOCKREVIEW_RETRY_BASE", "1.0"))
        self.max_retry_delay = float(os.environ.get("DOCKREVIEW_MAX_RETRY_DELAY", "3600"))
        self.results = Results(queue, settings.reuse_ttl)  # results reused by merge groups with the same content
        # The engine runs in a child process of this worker, started at the first review.
        self.engine = EngineProcess()

    def client(self, installation_id: int) -> GitHubClient:
        """One client per installation, kept: its token is reused until shortly before expiry."""
        if installation_id not in self._clients:
            self._clients[installation_id] = GitHubClient(self.settings, installation_id)
        return self._clients[installation_id]

    async def stop(self) -> None:
        self._stopping.set()

    def on_own_thread(self) -> WorkerThread:
        """This worker on a thread and event loop of its own (the embedded worker of `dockreview serve`)."""
        return WorkerThread(self)

    async def run(self) -> None:
        log.info("worker started", extra={"worker": self.name})
        redeliveries = None
        if self.settings.redeliver_every:
            from datetime import timedelta

            from dockreview.bot.worker.redeliver import periodic_redeliver

            # GitHub never redelivers a failed delivery by itself; deliveries the queue saw are skipped.
            redeliveries = asyncio.create_task(periodic_redeliver(
                self.settings, self.queue, timedelta(seconds=self.settings.redeliver_every), stop=self._stopping))
        try:
            await self._loop()
        finally:
            if redeliveries is not None:
                await asyncio.gather(redeliveries, return_exceptions=True)
            await self.engine.close()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed = await self.queue.fetch(self.name, block=1.0)
            except Exception as exc:  # Redis restarting: wait and try again
                log.warning("queue unavailable", extra={"error": type(exc).__name__})
                await asyncio.sleep(1.0)
                continue
            if claimed is not None:
                try:
                    await self.handle(claimed)
                except asyncio.CancelledError:
                    raise
                except Exception:  # never let one job end the loop
                    log.exception("job handling failed", extra=claimed.job.log_fields())

    async def _q(self, awaitable: Awaitable[Any]) -> Any:
        """A queue call under a job: Redis errors become QueueUnavailable (never a result on GitHub)."""
        try:
            return await awaitable
        except Exception as exc:
            raise QueueUnavailable(type(exc).__name__) from exc

    async def handle(self, claimed: Claimed) -> None:
        job = claimed.job
        started = time.perf_counter()
        token = uuid.uuid4().hex
        state = _JobState()
        heartbeat = asyncio.create_task(self._heartbeat(claimed, job, token, state))
        outcome = "error"
        calls: Counter[str] = Counter()
        context = CALLS.set(calls)
        budget = CALL_BUDGET.set(MAX_CALLS_PER_JOB)
        rate = RATE_SEEN.set({})
        try:
            if claimed.deliveries > MAX_DELIVERIES:
                outcome = "gave_up"
                await self._give_up(job, f"the job was interrupted {claimed.deliveries - 1} times "
                                         "(a worker stopped or the queue was unavailable)")
                await self._ack(claimed)
            else:
                outcome = await self._run(claimed, job, token, state)
        finally:
            CALLS.reset(context)
            CALL_BUDGET.reset(budget)
            RATE_SEEN.reset(rate)
            heartbeat.cancel()
            self.last_calls = calls
            elapsed = time.perf_counter() - started
            metrics.JOB_DURATION.labels(kind=job.kind, outcome=outcome).observe(elapsed)
            metrics.JOBS.labels(kind=job.kind, outcome=outcome).inc()
            log.info("job " + outcome, extra={**job.log_fields(), "seconds": round(elapsed, 3),
                                             "github_calls": sum(calls.values())})

    async def _run(self, claimed: Claimed, job: Job, token: str, state: _JobState) -> str:
        """Run the job; whatever happens, the check run ends with a result, a retry or a failure that
        says so, and a result once completed is never overwritten."""
        try:
            await self._locked(job, token, state)
        except Superseded:
            await self._ack(claimed)
            return "superseded"
        except QueueUnavailable as exc:
            if state.completed:  # the review is on GitHub; only the bookkeeping failed
                log.warning("queue error after the review completed", extra={**job.log_fields(), "error": str(exc)})
                return "done"
            log.warning("queue unavailable under a job; it is handed out again",
                        extra={**job.log_fields(), "error": str(exc)})
            return "interrupted"  # not acknowledged: taken over after job_timeout (MAX_DELIVERIES bounds it)
        except asyncio.CancelledError:
            raise
        except EngineCrashed as exc:  # the engine's process died under the review: never a result
            log.warning("job failed", extra={**job.log_fields(), "error": exc.public})
            if state.completed:
                await self._ack(claimed)
                return "done"
            return await self._retry(claimed, job, exc.public, None)
        except GitHubError as exc:
            log.warning("job failed", extra={**job.log_fields(), "error": str(exc)[:500],
                                             "retryable": exc.retryable})
            if state.completed:
                await self._ack(claimed)
                return "done"
            if exc.retryable:
                return await self._retry(claimed, job, exc.public, exc.retry_after)
            await self._give_up(job, exc.public)
            await self._ack(claimed)
            return "gave_up"
        except Exception as exc:
            log.exception("job failed", extra={**job.log_fields(), "error": str(exc)[:500]})
            if not state.completed:
                await self._give_up(job, f"an internal error ({type(exc).__name__})")
            await self._ack(claimed)
            return "failed"
        await self._ack(claimed)
        return state.outcome

    async def _ack(self, claimed: Claimed) -> None:
        """Acknowledge, retried: a job not acknowledged runs again (harmless: same check run, comments
        found by fingerprint), and an error here never touches the check run."""
        for attempt in range(3):
            try:
                await self.queue.ack(claimed)
                return
            except Exception as exc:
                log.warning("ack failed", extra={**claimed.job.log_fields(), "error": type(exc).__name__})
                await asyncio.sleep(0.2 * (attempt + 1))

    async def _retry(self, claimed: Claimed, job: Job, reason: str, retry_after: float | None) -> str:
        attempts = job.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            await self._give_up(job, f"{reason}; tried {attempts} times")
            await self._ack(claimed)
            return "gave_up"
        delay = self.retry_base * (4**attempts)
        if retry_after is not None:
            delay = max(delay, retry_after + 1.0)
        delay = min(delay, self.max_retry_delay)
        again = replace(job, attempts=attempts, retry_reason=reason)
        try:
            await self.queue.retry_later(claimed, again, delay)
        except Exception as exc:  # left pending: taken over after job_timeout
            log.warning("could not schedule the retry", extra={**job.log_fields(), "error": type(exc).__name__})
            return "interrupted"
        when = datetime.now(UTC) + timedelta(seconds=delay)
        budget = CALL_BUDGET.set(None)  # the run says when it is tried again, with the rate limit's reserve
        try:
            with contextlib.suppress(Exception):
                await self._check_run(job).waiting(job.head_sha, reason, when, attempts, MAX_ATTEMPTS)
        finally:
            CALL_BUDGET.reset(budget)
        return "retry"

    async def _heartbeat(self, claimed: Claimed, job: Job, token: str, state: _JobState) -> None:
        """Keeps the job (XCLAIM to itself) and the pull request's lock while the review runs. It is a
        task of this event loop, which the review never blocks (the engine runs in a child process)."""
        interval = max(0.2, self.settings.job_timeout / 3)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.queue.heartbeat(claimed, self.name)
                if state.locked and not await self.queue.renew(job.pr_key, token, self.settings.job_timeout):
                    log.warning("lost the pull request's lock", extra=job.log_fields())
            except Exception as exc:
                log.warning("heartbeat failed", extra={**job.log_fields(), "error": type(exc).__name__})

    async def _locked(self, job: Job, token: str, state: _JobState) -> None:
        """One review of a pull request at a time, across all workers."""
        deadline = time.monotonic() + self.settings.job_timeout
        while not await self._q(self.queue.lock(job.pr_key, token, self.settings.job_timeout)):
            if time.monotonic() > deadline:
                raise GitHubError("another worker held this pull request for too long", retryable=True,
                                  public="another review of this pull request took too long")
            await asyncio.sleep(0.2)
        state.locked = True
        try:
            await self.process(job, state)
        finally:
            state.locked = False
            with contextlib.suppress(Exception):
                await self.queue.unlock(job.pr_key, token)

    async def process(self, job: Job, state: _JobState | None = None) -> None:
        state = state or _JobState()
        gh = self.client(job.installation_id)
        if job.kind == "recheck":
            with contextlib.suppress(Exception):
                await self.queue.recheck_started(job)  # a /recheck from now on queues one more run
            if not await self._may_recheck(gh, job):
                state.outcome = "refused"
                return
        if job.kind == "merge_group":
            assert job.head_sha is not None and job.base_sha is not None
            # A Re-run of the group's check (a `check_run` delivery) reviews it again.
            group = MergeGroupReview(gh, job.owner, job.repo, job.head_sha, job.base_sha, job.job_id,
                                     results=self.results, reuse=job.event == "merge_group",
                                     engine=self.engine)
            outcome = await group.run()
            state.completed = True
            log.info("merge group reviewed", extra={**job.log_fields(), "conclusion": outcome.conclusion})
            return
        number = job.pr
        if number is None:
            number = await self._pull_for_sha(gh, job)
            if number is None:
                log.info("no pull request for this check", extra=job.log_fields())
                return
        pr = None
        if job.kind == "review":
            pr = await api.get_pull(gh, job.owner, job.repo, number)
            job.head_sha = await self._head_to_review(job, pr)
        review = PullRequestReview(
            gh, job.owner, job.repo, number, job_id=job.job_id,
            head_sha=job.head_sha if job.kind != "recheck" else None,
            new_check_run=job.kind in ("recheck", "rerun"),
            supersedable=False, pr=pr, results=self.results, engine=self.engine,
        )

        async def still_current() -> bool:
            if job.kind != "review":
                return True
            return not await self._newer_head_has_a_job(gh, job, number)

        outcome = await review.run(still_current)
        state.completed = True
        log.info("review posted", extra={**job.log_fields(), "conclusion": outcome.conclusion,
                                         "findings": outcome.findings, "comments": outcome.comments,
                                         "resolved": outcome.resolved})

    async def _head_to_review(self, job: Job, pr: dict[str, Any]) -> str:
        """GitHub's current head of the pull request (`pr`, just fetched), not the delivery's: an old or
        replayed delivery reviews the current head, unless the delivery naming that head queued its own job."""
        current = str(pr["head"]["sha"])
        if job.head_sha and job.head_sha != current:
            latest = await self._q(self.queue.latest_head(job))
            if latest == current:
                raise Superseded(current)
            log.info("delivery names an older head; reviewing the current one",
                     extra={**job.log_fields(), "current": current})
        return current

    async def _newer_head_has_a_job(self, gh: GitHubClient, job: Job, number: int) -> bool:
        """Whether the pull request's head moved on and that head's delivery queued a job. GitHub is
        asked only when the queue's newest delivery names another head (the common case costs no call)."""
        latest = await self._q(self.queue.latest_head(job))
        if latest is None or latest == job.head_sha:
            return False
        pr = await api.get_pull(gh, job.owner, job.repo, number)
        current = str(pr["head"]["sha"])
        if current == job.head_sha:
            return False
        return bool(latest == current)

    async def _may_recheck(self, gh: GitHubClient, job: Job) -> bool:
        """`/recheck` counts from users with write, maintain or admin permission; they get a reaction."""
        user = job.requested_by or ""
        permission, role = await api.collaborator_permission(gh, job.owner, job.repo, user)
        allowed = permission in WRITERS or role in WRITERS
        if allowed and job.comment_id:
            await api.add_comment_reaction(gh, job.owner, job.repo, job.comment_id, "rocket")
        if not allowed:
            log.info("recheck refused", extra={**job.log_fields(), "user": user, "permission": permission})
        return allowed

    async def _pull_for_sha(self, gh: GitHubClient, job: Job) -> int | None:
        """A re-run from a fork's check suite has no pull request: our own check run knows it."""
        if not job.head_sha:
            return None
        return await pull_request_of(gh, job.owner, job.repo, job.head_sha)

    def _check_run(self, job: Job) -> CheckRun:
        if job.kind == "merge_group":
            return merge_group_check_run(self.client(job.installation_id), job.owner, job.repo, job.job_id,
                                         job.base_sha)
        assert job.pr is not None
        return CheckRun(self.client(job.installation_id), job.owner, job.repo, job.pr, job.job_id,
                        new=job.kind in ("recheck", "rerun"))

    async def _give_up(self, job: Job, reason: str) -> None:
        """The check run ends `failure` (neutral would pass branch protection) and says to `/recheck`."""
        if job.pr is None and job.kind != "merge_group":
            return
        budget = CALL_BUDGET.set(None)  # the last word is always written
        try:
            await self._check_run(job).give_up(job.head_sha, reason)
        except Exception as exc:
            log.error("could not mark the check run failed", extra={**job.log_fields(), "error": str(exc)[:300]})
        finally:
            CALL_BUDGET.reset(budget)


@dataclass(slots=True)
class _JobState:
    locked: bool = False
    completed: bool = False  # the check run has its result: nothing may overwrite it
    outcome: str = "done"


class WorkerThread:
    """A worker on its own thread and event loop (the embedded worker of `dockreview serve`)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._main, name=f"worker-{worker.name}", daemon=True)

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.worker.run())
        self.loop.close()

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        if self.thread.is_alive():
            asyncio.run_coroutine_threadsafe(self.worker.stop(), self.loop)
            self.thread.join(timeout)


