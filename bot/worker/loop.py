"""The job loop: takes jobs from the queue and runs them (the worker room is the only one that calls GitHub).

At least once, effects exactly once: a job is acknowledged only after its check run completed; a
job whose worker died is handed to another worker after `job_timeout` without heartbeat; re-running
a job finds its own check run and the comments already posted (by fingerprint) instead of adding new ones.
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

from dockreview.bot import metrics
from dockreview.bot.github import CALLS, GitHubClient, GitHubError, api
from dockreview.bot.queue import Claimed, Job, Queue
from dockreview.bot.settings import Settings
from dockreview.bot.worker.check_run import CheckRun, pull_request_of
from dockreview.bot.worker.pull_request import PullRequestReview, Superseded

log = logging.getLogger("dockreview.worker")
MAX_DELIVERIES = 4
WRITERS = {"admin", "maintain", "write"}


class Worker:
    def __init__(self, settings: Settings, queue: Queue, *, name: str | None = None) -> None:
        self.settings = settings
        self.queue = queue
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._clients: dict[int, GitHubClient] = {}
        self._stopping = asyncio.Event()
        self.last_calls: Counter[str] = Counter()

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

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed = await self.queue.fetch(self.name, block=1.0)
            except Exception as exc:  # Redis restarting: wait and try again
                log.warning("queue unavailable", extra={"error": type(exc).__name__})
                await asyncio.sleep(1.0)
                continue
            if claimed is not None:
                await self.handle(claimed)

    async def handle(self, claimed: Claimed) -> None:
        job = claimed.job
        started = time.perf_counter()
        heartbeat = asyncio.create_task(self._heartbeat(claimed))
        outcome = "error"
        token = uuid.uuid4().hex
        calls: Counter[str] = Counter()
        context = CALLS.set(calls)
        try:
            if claimed.deliveries > MAX_DELIVERIES:
                outcome = "gave_up"
                await self._give_up(job, f"the job was interrupted {claimed.deliveries - 1} times")
            else:
                await self._locked(job, token)
                outcome = "done"
            await self.queue.ack(claimed)
        except Superseded:
            outcome = "superseded"
            await self.queue.ack(claimed)
        except _Reported as exc:
            outcome = "failed"  # the check run already says why
            log.warning("job failed", extra={**job.log_fields(), "error": str(exc)[:500]})
            with contextlib.suppress(Exception):
                await self.queue.ack(claimed)
        except asyncio.CancelledError:
            raise
        except GitHubError as exc:
            log.warning("job failed", extra={**job.log_fields(), "error": str(exc)[:500]})
            await self._give_up(job, str(exc))
            with contextlib.suppress(Exception):
                await self.queue.ack(claimed)
        except Exception as exc:
            log.exception("job failed", extra={**job.log_fields(), "error": str(exc)[:500]})
            await self._give_up(job, str(exc))
            with contextlib.suppress(Exception):
                await self.queue.ack(claimed)
        finally:
            CALLS.reset(context)
            heartbeat.cancel()
            self.last_calls = calls
            elapsed = time.perf_counter() - started
            metrics.JOB_DURATION.labels(kind=job.kind, outcome=outcome).observe(elapsed)
            metrics.JOBS.labels(kind=job.kind, outcome=outcome).inc()
            log.info("job " + outcome, extra={**job.log_fields(), "seconds": round(elapsed, 3),
                                             "github_calls": sum(calls.values())})

    async def _heartbeat(self, claimed: Claimed) -> None:
        interval = max(0.5, self.settings.job_timeout / 3)
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(Exception):
                await self.queue.heartbeat(claimed, self.name)

    async def _locked(self, job: Job, token: str) -> None:
        """One review of a pull request at a time, across all workers."""
        deadline = time.monotonic() + self.settings.job_timeout
        while not await self.queue.lock(job.pr_key, token, self.settings.job_timeout):
            if time.monotonic() > deadline:
                raise GitHubError("another worker held this pull request for too long")
            await asyncio.sleep(0.2)
        try:
            await self.process(job)
        finally:
            with contextlib.suppress(Exception):
                await self.queue.unlock(job.pr_key, token)

    async def process(self, job: Job) -> None:
        gh = self.client(job.installation_id)
        if job.kind == "recheck" and not await self._may_recheck(gh, job):
            return
        number = job.pr
        if number is None:
            number = await self._pull_for_sha(gh, job)
            if number is None:
                log.info("no pull request for this check", extra=job.log_fields())
                return
        if job.kind == "review":
            latest = await self.queue.latest_head(job)
            if latest and job.head_sha and latest != job.head_sha:
                raise Superseded(latest)
        review = PullRequestReview(
            gh, job.owner, job.repo, number, job_id=job.job_id,
            head_sha=job.head_sha if job.kind != "recheck" else None,
            new_check_run=job.kind in ("recheck", "rerun"),
            supersedable=job.kind == "review",
        )

        async def still_current() -> bool:
            if job.kind != "review":
                return True
            latest = await self.queue.latest_head(job)
            return latest is None or latest == job.head_sha

        try:
            outcome = await review.run(still_current)
        except Superseded:
            raise
        except GitHubError as exc:
            await review.check_run.fail_neutral(job.head_sha, str(exc))
            raise _Reported(str(exc)) from None
        log.info("review posted", extra={**job.log_fields(), "conclusion": outcome.conclusion,
                                         "findings": outcome.findings, "comments": outcome.comments,
                                         "resolved": outcome.resolved})

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

    async def _give_up(self, job: Job, reason: str) -> None:
        if job.pr is None:
            return
        with contextlib.suppress(Exception):
            check_run = CheckRun(self.client(job.installation_id), job.owner, job.repo, job.pr, job.job_id)
            await check_run.fail_neutral(job.head_sha, reason)


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


class _Reported(Exception):
    """A failure already reported in the check run."""
