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

from dataclasses import dataclass

from dockreview.bot.github import GitHubClient
from dockreview.bot.github.contents import load_tree
from dockreview.bot.review import diffmap, render, summary
from dockreview.bot.worker import listing
from dockreview.bot.worker.check_run import CheckRun
from dockreview.bot.worker.engine import Engine
from dockreview.bot.worker.pull_request import Outcome, review_trees

KEY = "merge-group@"  # the check run's external_id: `merge-group@<base sha>:<job id>` (a re-run finds its base)


@dataclass(slots=True)
class MergeGroupReview:
    gh: GitHubClient
    owner: str
    repo: str
    head_sha: str
    base_sha: str
    job_id: str
    engine: Engine | None = None  # where the engine runs (None: a thread of this process)

    @property
    def check_run(self) -> CheckRun:
        return merge_group_check_run(self.gh, self.owner, self.repo, self.job_id, self.base_sha)

    async def run(self) -> Outcome:
        check_run = self.check_run
        await check_run.start(self.head_sha)
        head_tree = await load_tree(self.gh, self.owner, self.repo, self.head_sha)
        base_tree = await load_tree(self.gh, self.owner, self.repo, self.base_sha)
        diff = diffmap.DiffMap()
        incomplete = listing.add_unlisted(diff, base_tree, head_tree)
        if not incomplete and not listing.docker_related(diff):
            await check_run.complete("success", summary.no_docker_changes_output())
            return Outcome("success", check_run_id=check_run.id)
        report, config = await review_trees(self.gh, head_tree, base_tree, diff, self.base_sha,
                                            engine=self.engine)
        report.errors = incomplete + report.errors
        report.incomplete = incomplete + report.incomplete
        # No pull request diff: nothing is commented inline, every finding is listed in the summary.
        plan = render.review_plan(report, diff, [], config, self.head_sha)
        check = render.check_run_output(report, plan, config, self.head_sha)
        output = dict(check.output, summary="Merge queue: the change of this merge group (its base "
                                            f"`{self.base_sha[:12]}` to `{self.head_sha[:12]}`).\n\n"
                                            + check.output["summary"])
        output["summary"] = output["summary"][: summary.MAX_SUMMARY]
        await check_run.complete(check.conclusion, output, check.annotations)
        return Outcome(check.conclusion, len(report.findings), check_run_id=check_run.id)


def merge_group_check_run(gh: GitHubClient, owner: str, repo: str, job_id: str, base_sha: str | None) -> CheckRun:
    return CheckRun(gh, owner, repo, 0, job_id, key=KEY + (base_sha or ""))
