"""dockreview's check run on a commit, and the one module that writes it.

Create or reuse it, mark it in progress, complete it with its annotations in batches of 50 (GitHub's
limit per request), or end it `neutral` when a review is superseded or gives up. Everything else
calls this module; its GitHub calls are in bot/github/api.py.

A check run's `external_id` is `<pull request>:<job id>`: the same job run again finds its own
check run, a push's review reuses the commit's, and a re-run from a fork's check suite (which
names no pull request) finds its pull request through it (`pull_request_of`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime
from typing import Any

from dockreview.bot.github import GitHubClient, GitHubError, api
from dockreview.bot.review import summary

log = logging.getLogger("dockreview.pipeline")
CHECK_NAME = "dockreview"
MAX_ANNOTATIONS = 1000  # per check run (DOCKREVIEW_MAX_ANNOTATIONS): one PATCH per 50 of them
DEFER = 1.0  # seconds a review may take before its new check run is shown in progress (DOCKREVIEW_CHECK_RUN_DEFER)


def max_annotations() -> int:
    """The operator's cap on annotations per check run (`DOCKREVIEW_MAX_ANNOTATIONS`, default 1,000,
    at least 50): each 50 cost one call of the installation's hourly budget. A value that is not a
    whole number is refused (logged) for the default."""
    raw = os.environ.get("DOCKREVIEW_MAX_ANNOTATIONS", "").strip()
    if not raw:
        return MAX_ANNOTATIONS
    if not raw.isdigit():
        log.warning("DOCKREVIEW_MAX_ANNOTATIONS is not a whole number; %d used", MAX_ANNOTATIONS)
        return MAX_ANNOTATIONS
    return max(summary.ANNOTATIONS_PER_REQUEST, int(raw))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class CheckRun:
    """The check run of one job's review of pull request `number`. `new`: never reuse another job's
    check run on the commit (a `/recheck` or a re-run gets a run of its own)."""

    def __init__(self, gh: GitHubClient, owner: str, repo: str, number: int, job_id: str, *,
                 new: bool = False, key: str | None = None) -> None:
        self.gh = gh
        self.owner = owner
        self.repo = repo
        self.number = number
        self.job_id = job_id
        self.new = new
        self.key = key or str(number)  # what the run is for: a pull request's number, `merge-group`
        self.id: int | None = None
        self._head_sha: str | None = None
        self._later: asyncio.Task[None] | None = None  # the in-progress run, created if the review runs long
        self._creating = False

    @property
    def external_id(self) -> str:
        return f"{self.key}:{self.job_id}"

    async def start(self, head_sha: str, *, defer: float | None = None) -> int | None:
        """Reuse this job's (or, unless `new`, the commit's pull request) check run on the commit, marked
        in progress; else create one in progress. Two pull requests with one head share its run: it
        shows the strictest result of them (bot/review/heads.py).

        `defer` (seconds): when the commit has no check run of ours at all, the run is created in
        progress only if the review is still running after that long; a review that ends sooner creates
        it once, completed (one call instead of two). Until then the commit has no `dockreview` run, so
        a required check waits (it is never passed by its absence); a commit with a run of ours (an
        earlier result that might pass) always has it marked in progress at once."""
        self._head_sha = head_sha
        runs = await list_ours(self.gh, self.owner, self.repo, head_sha)
        for run in runs:
            key = str(run.get("external_id", "")).split(":")[0]
            if run.get("external_id") == self.external_id or (
                not self.new and (key == self.key or (key.isdigit() and self.key.isdigit()))
            ):
                self.id = int(run["id"])
                await api.update_check_run(self.gh, self.owner, self.repo, self.id,
                                           {"status": "in_progress", "external_id": self.external_id})
                return self.id
        if defer is not None and defer > 0 and not runs:
            self._later = asyncio.get_running_loop().create_task(self._create_later(head_sha, defer))
            return None
        self.id = await self._create(head_sha, {"status": "in_progress"})
        return self.id

    async def _create(self, head_sha: str, fields: dict[str, Any]) -> int:
        return await api.create_check_run(self.gh, self.owner, self.repo, {
            "name": CHECK_NAME, "head_sha": head_sha, "started_at": _now(), "external_id": self.external_id,
            **fields,
        })

    async def _create_later(self, head_sha: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self._creating = True  # from here on the create is awaited, never cancelled (no duplicate run)
        self.id = await self._create(head_sha, {"status": "in_progress"})

    async def abandon(self) -> None:
        """The review failed: no deferred run may appear after whoever gives up writes the result."""
        await self._settle()

    async def _settle(self) -> None:
        """The deferred creation, finished or called off: afterwards `id` is set or no run exists."""
        later, self._later = self._later, None
        if later is None:
            return
        if not self._creating:
            later.cancel()
            return
        try:
            await later
        except GitHubError as exc:
            log.warning("could not create the check run in progress", extra={"error": str(exc)})

    async def complete(self, conclusion: str, output: dict[str, Any],
                       annotations: list[dict[str, Any]] | None = None) -> None:
        """Complete the started check run. Annotations (at most MAX_ANNOTATIONS; the summary says how
        many were left out) go 50 per update while the run is still in progress, the last batch with
        the completion: whoever reads the run on `check_run.completed` sees every annotation. A run not
        created yet (deferred, see `start`) is created completed, with its first 50 annotations, when
        there are no more than that; else in progress first."""
        await self._settle()
        items = list(annotations or [])
        cap = max_annotations()
        if len(items) > cap:
            note = (f"\n\n_{len(items) - cap} more findings are not annotated (at most "
                    f"{cap} annotations per check run); the tables above list them._")
            output = dict(output, summary=output["summary"][: summary.MAX_SUMMARY - len(note)] + note)
            items = items[:cap]
        batches = list(summary.batches(items, summary.ANNOTATIONS_PER_REQUEST))
        if self.id is None:
            assert self._head_sha is not None, "start() first"
            if len(batches) <= 1:
                self.id = await self._create(self._head_sha, {
                    "status": "completed", "conclusion": conclusion, "completed_at": _now(),
                    "output": dict(output, annotations=batches[0]) if batches else output,
                })
                return
            self.id = await self._create(self._head_sha, {"status": "in_progress"})
        for batch in batches[:-1]:
            await api.update_check_run(self.gh, self.owner, self.repo, self.id, {
                "output": {"title": output["title"], "summary": output["summary"], "annotations": batch},
            })
        last = dict(output, annotations=batches[-1]) if batches else output
        await api.update_check_run(self.gh, self.owner, self.repo, self.id, {
            "status": "completed", "conclusion": conclusion, "completed_at": _now(), "output": last,
        })

    async def supersede(self) -> None:
        """A newer commit was pushed while this one was reviewed: end neutral, pointing there."""
        await self.complete("neutral", {"title": "Superseded by a newer commit",
                                        "summary": "A newer commit was pushed while this one was reviewed; "
                                                   "the review is on the newer commit's check run."})

    async def give_up(self, head_sha: str | None, reason: str) -> None:
        """Give up visibly: the check run (started now if need be) ends `failure` — `neutral` would pass
        branch protection — and says why and to comment `/recheck`. `reason` is dockreview's own
        wording (routes, statuses), shown as plain text. A GitHub error on the way is logged, not raised."""
        try:
            if self.id is None and head_sha:
                await self.start(head_sha)
            if self.id is not None:
                await self.complete("failure", {
                    "title": "dockreview could not finish this review",
                    "summary": ("The review did not finish, so this check fails rather than pass unreviewed "
                                f"changes. What happened: {_plain(reason)}.\n\n"
                                "This is not a finding about the pull request. Comment `/recheck` on the pull "
                                "request to run the review again."),
                })
        except GitHubError as exc:
            log.error("could not mark the check run failed", extra={"error": str(exc)})

    async def waiting(self, head_sha: str | None, reason: str, when: datetime, attempt: int, attempts: int) -> None:
        """A failed attempt that is tried again: the run stays in progress and says until when."""
        if self.id is None and head_sha:
            await self.start(head_sha)
        if self.id is None:
            return
        await api.update_check_run(self.gh, self.owner, self.repo, self.id, {
            "status": "in_progress",
            "output": {"title": f"Retrying at {when.strftime('%H:%M:%S')} UTC",
                       "summary": (f"Attempt {attempt} of {attempts} did not finish: {_plain(reason)}. "
                                   f"The review runs again at {when.strftime('%Y-%m-%d %H:%M:%S')} UTC.")},
        })


def _plain(text: str) -> str:
    """Text shown as is in markdown: no markup, no mentions, no links, one line."""
    cleaned = " ".join(text.split())[:300]
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-!|@~" else c for c in cleaned)


async def list_ours(gh: GitHubClient, owner: str, repo: str, head_sha: str) -> list[dict[str, Any]]:
    """The `dockreview` check runs on `head_sha` created by this App: another App's or a workflow's run
    of the same name is never adopted (GitHub refuses to let us update it, 403)."""
    runs = await api.list_check_runs(gh, owner, repo, head_sha, CHECK_NAME)
    app_id = str(gh.settings.app_id or "")
    return [r for r in runs if not app_id or str((r.get("app") or {}).get("id", "")) == app_id]


async def pull_request_of(gh: GitHubClient, owner: str, repo: str, head_sha: str) -> int | None:
    """The pull request our check run on `head_sha` belongs to (its external_id, else the pull requests
    GitHub lists on it), None when there is no such check run."""
    for run in await list_ours(gh, owner, repo, head_sha):
        number = str(run.get("external_id", "")).split(":")[0]
        if number.isdigit():
            return int(number)
        for pr in run.get("pull_requests") or []:
            if isinstance(pr.get("number"), int):
                return int(pr["number"])
    return None
