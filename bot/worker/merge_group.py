"""A merge queue's group: the `dockreview` check run on `merge_group.head_sha`, from a review of what
the group changes (`base_sha`...`head_sha`).

A check required on pull requests is required on merge groups too (one set of required checks per
branch): without a result here every queued pull request waits until the queue's timeout and is
dropped. The group's commit is not a pull request's head: there is no diff to comment on, so the
review posts no inline comment, and the changed files come from comparing the two trees by blob
sha (GitHub's compare lists at most 300 files). The config is the base commit's, as for a pull
request; an incomplete review (a truncated tree, a file past a bound) fails, as everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dockreview.bot.github import GitHubClient
from dockreview.bot.github.contents import load_tree
from dockreview.bot.review import diffmap, render, summary
from dockreview.bot.worker import listing
from dockreview.bot.worker.check_run import DEFER, CheckRun
from dockreview.bot.worker.engine import Engine
from dockreview.bot.worker.pull_request import Outcome, review_trees
from dockreview.bot.worker.reuse import Results, Reused

KEY = "merge-group@"  # the check run's external_id: `merge-group@<base sha>:<job id>` (a re-run finds its base)


@dataclass(slots=True)
class MergeGroupReview:
    gh: GitHubClient
    owner: str
    repo: str
    head_sha: str
    base_sha: str
    job_id: str
    results: Results | None = None  # kept results: reused when the content is the same, and kept
    reuse: bool = True  # False: review the group even when a result could be reused (a Re-run)
    engine: Engine | None = None  # where the engine runs (None: a thread of this process)

    @property
    def check_run(self) -> CheckRun:
        return merge_group_check_run(self.gh, self.owner, self.repo, self.job_id, self.base_sha)

    async def run(self) -> Outcome:
        check_run = self.check_run
        await check_run.start(self.head_sha, defer=float(os.environ.get("DOCKREVIEW_CHECK_RUN_DEFER", DEFER)))
        try:
            return await self._run(check_run)
        except BaseException:
            await check_run.abandon()
            raise

    async def _run(self, check_run: CheckRun) -> Outcome:
        head_tree = await load_tree(self.gh, self.owner, self.repo, self.head_sha)
        base_tree = await load_tree(self.gh, self.owner, self.repo, self.base_sha)
        diff = diffmap.DiffMap()
        incomplete = listing.add_unlisted(diff, base_tree, head_tree)
        if not incomplete and not listing.docker_related(diff):
            await check_run.complete("success", summary.no_docker_changes_output())
            return Outcome("success", check_run_id=check_run.id)
        if not incomplete and self.reuse and self.results is not None:
            reused = await self.results.find(self.gh, head_tree, base_tree, diff, self.base_sha)
            if reused is not None:
                return await self._complete_reused(check_run, reused)
        report, config = await review_trees(self.gh, head_tree, base_tree, diff, self.base_sha,
                                            engine=self.engine)
        report.errors = incomplete + report.errors
        report.incomplete = incomplete + report.incomplete
        # No pull request diff: nothing is commented inline, every finding is listed in the summary.
        plan = render.review_plan(report, diff, [], config, self.head_sha)
        check = render.check_run_output(report, plan, config, self.head_sha)
        output = dict(check.output, summary=f"{self._heading()}.\n\n" + check.output["summary"])
        output["summary"] = output["summary"][: summary.MAX_SUMMARY]
        await check_run.complete(check.conclusion, output, check.annotations)
        if self.results is not None:  # for the next group with this content (a queue rebuilt after a failure)
            await self.results.keep(report=report, config=config, config_at=self.base_sha, diff=diff,
                                    head=head_tree, base=base_tree, commit=self.head_sha, number=None)
        return Outcome(check.conclusion, len(report.findings), check_run_id=check_run.id)

    def _heading(self) -> str:
        return (f"Merge queue: the change of this merge group (its base `{self.base_sha[:12]}` to "
                f"`{self.head_sha[:12]}`)")

    async def _complete_reused(self, check_run: CheckRun, reused: Reused) -> Outcome:
        """The group's run completed with a kept result: no file read, no engine run."""
        note = (f"{self._heading()} is, in every file the review reads, the change {reused.source} made: "
                "that review's result is reused (the files, the paths present, the change and the base "
                "branch's config are the same). Re-run this check to review the group again.")
        output = dict(reused.output, summary=(note + "\n\n" + reused.output.get("summary", ""))[: summary.MAX_SUMMARY])
        await check_run.complete(reused.conclusion, output, reused.annotations)
        return Outcome(reused.conclusion, check_run_id=check_run.id)


def merge_group_check_run(gh: GitHubClient, owner: str, repo: str, job_id: str, base_sha: str | None) -> CheckRun:
    return CheckRun(gh, owner, repo, 0, job_id, key=KEY + (base_sha or ""))
