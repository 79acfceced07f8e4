"""One pull request review, from job to completed check run, with as few GitHub calls as possible.

    pull request + changed files (paginated) + merge base     -> what changed
    head and base trees (one call each) + batched GraphQL reads -> repository snapshots
      (the config from the base branch in the first batch, head and base files batched together)
    rules.review(head, config from the base branch, change, base)
    existing bot comments + their threads                      -> what is new, what is fixed
    one review (COMMENT), one resolve batch, one check run (annotations 50 per PATCH)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dockreview.bot.github import GitHubClient, api
from dockreview.bot.github.contents import RemoteTree, fetch_trees, load_tree
from dockreview.bot.review import diffmap, plan, render, summary
from dockreview.bot.review.markers import parse_marker
from dockreview.bot.worker.check_run import CheckRun
from dockreview.rules import Config, Report, Snapshot, review
from dockreview.rules.classify import FileType, by_name, needs_content
from dockreview.rules.config import CONFIG_PATHS
from dockreview.rules.engine import Note

log = logging.getLogger("dockreview.pipeline")
MAX_PASSES = 4
MAX_TARGETS = 400


class Superseded(Exception):
    """A newer head SHA exists for this pull request: its own job reviews it."""


@dataclass(slots=True)
class Outcome:
    conclusion: str
    findings: int = 0
    comments: int = 0
    resolved: int = 0
    check_run_id: int | None = None


class PullRequestReview:
    """One job's review of a pull request; its check run is written through `check_run` (CheckRun)."""

    def __init__(self, gh: GitHubClient, owner: str, repo: str, number: int, *, job_id: str,
                 head_sha: str | None = None, new_check_run: bool = False, supersedable: bool = True) -> None:
        self.gh = gh
        self.owner = owner
        self.repo = repo
        self.number = number
        self.job_id = job_id
        self.head_sha = head_sha
        self.supersedable = supersedable
        self.check_run = CheckRun(gh, owner, repo, number, job_id, new=new_check_run)

    async def run(self, still_current: Callable[[], Awaitable[bool]] | None = None) -> Outcome:
        """Review the pull request. For a push, `head_sha` is the commit pushed: when the pull request
        has moved on (a newer push, a force-push), the newer job reviews it and this one stops; a
        check run already started is completed as neutral, never left in progress."""
        pr = await api.get_pull(self.gh, self.owner, self.repo, self.number)
        current = pr["head"]["sha"]
        if self.supersedable and self.head_sha and self.head_sha != current:
            raise Superseded(current)
        head_sha = self.head_sha or current
        await self.check_run.start(head_sha)
        files = await api.list_pull_files(self.gh, self.owner, self.repo, self.number)
        diff = diffmap.DiffMap.from_pull_files(files)
        changed = [path for path, f in diff.files.items() if f.status != "removed"]
        removed = [path for path, f in diff.files.items() if f.status == "removed"]
        renames = {path: f.previous_filename for path, f in diff.files.items() if f.previous_filename}
        candidates = [p for p in changed if by_name(p) is not None or needs_content(p)]
        if not candidates and not any(by_name(p) for p in removed + list(renames.values())):
            output = summary.no_docker_changes_output()
            await self.check_run.complete("success", output)
            return Outcome("success", check_run_id=self.check_run.id)

        merge_base = await api.merge_base(self.gh, self.owner, self.repo, pr["base"]["sha"], head_sha)
        merge_base = merge_base or pr["base"]["sha"]
        head_tree = await load_tree(self.gh, self.owner, self.repo, head_sha)
        base_tree = await load_tree(self.gh, self.owner, self.repo, merge_base)
        targets = self._targets(head_tree, changed)
        notes: list[Note] = []
        if head_tree.truncated:
            notes.append(Note("(repository)", "the repository tree is larger than GitHub lists in one call; "
                                              "cross-file checks only see part of it"))
        changed_files = pr.get("changed_files")
        if isinstance(changed_files, int) and changed_files > len(files):
            notes.append(Note("(pull request)", f"GitHub lists only {len(files)} of the {changed_files} changed "
                                                "files of a pull request; the others were not reviewed"))
        prefetch_head = targets + [p for p in head_tree.paths if p.endswith(".dockerignore")]
        # Deleted files too: the container changes and `check_deleted` rules read their base version.
        prefetch_base = [renames.get(p, p) for p in targets]
        prefetch_base += [p for p in removed if by_name(p) is not None and p in base_tree.entries]
        # Files only their content classifies (YAML, scripts without a suffix): the review asks for
        # each when it lists a kind of file, so they come in the first batch rather than a second pass.
        prefetch_head += [p for p in head_tree.paths if needs_content(p)]
        prefetch_base += [p for p in base_tree.paths if needs_content(p)]
        # One GraphQL batch: the config, from the base branch (a pull request cannot switch off its
        # own review), and the head and base files, read under the default size cap; a config that
        # raises the cap has the larger files read next.
        found = await fetch_trees(self.gh, [(head_tree, prefetch_head), (base_tree, prefetch_base)],
                                  Config().max_file_size, first=(pr["base"]["sha"], CONFIG_PATHS))
        config = Config.from_text(found[1], found[0]) if found else Config()
        report = Report()
        for _ in range(MAX_PASSES):
            await fetch_trees(self.gh, [(head_tree, prefetch_head), (base_tree, prefetch_base)], config.max_file_size)
            head = Snapshot(head_tree.paths, head_tree.read, sizes=head_tree.sizes)
            base = Snapshot(base_tree.paths, base_tree.read, sizes=base_tree.sizes)
            # On a thread: the event loop (heartbeat, lock renewal) keeps running during a long review.
            report = await asyncio.to_thread(review, head, config, paths=[p for p in targets if head.file_type(p)],
                                             change=diff.change(), base=base)
            prefetch_head = head_tree.take_misses()
            prefetch_base = base_tree.take_misses()
            if not prefetch_head and not prefetch_base:
                break
        report.errors = notes + report.errors
        if still_current is not None and not await still_current():
            await self.check_run.supersede()
            raise Superseded(head_sha)
        existing = await self._existing_comments()
        review_plan = render.review_plan(report, diff, existing, config, head_sha)
        posted = await self._post_review(review_plan, head_sha)
        resolved = await self._resolve(review_plan)
        check = render.check_run_output(report, review_plan, config, head_sha,
                                        pr.get("base", {}).get("repo", {}).get("html_url"))
        await self.check_run.complete(check.conclusion, check.output, check.annotations)
        return Outcome(check.conclusion, len(report.findings), posted, resolved, self.check_run.id)

    def _targets(self, tree: RemoteTree, changed: list[str]) -> list[str]:
        """Files to review: Docker files by name in the tree (cross-file checks need them) and
        changed files whose content may make them ours (YAML, shebang scripts)."""
        by_name_files = [p for p in tree.paths if by_name(p) not in (None, FileType.SCRIPT, FileType.MAKEFILE)]
        changed_set = set(changed)
        if len(by_name_files) > MAX_TARGETS:
            by_name_files = [p for p in by_name_files if p in changed_set]
        extra = [p for p in changed if p in tree.entries and (by_name(p) is not None or needs_content(p))]
        return sorted(set(by_name_files) | set(extra))

    async def _existing_comments(self) -> list[plan.ExistingComment]:
        comments = await api.list_review_comments(self.gh, self.owner, self.repo, self.number)
        # Only the App's own comments (a Bot account) with a valid marker count.
        ours = [c for c in comments if (c.get("user") or {}).get("type") == "Bot" and parse_marker(c.get("body"))]
        threads = await api.review_threads(self.gh, self.owner, self.repo, self.number) if ours else {}
        found = (plan.ExistingComment.from_rest(c, threads) for c in ours)
        return [c for c in found if c is not None]

    async def _post_review(self, review_plan: plan.ReviewPlan, head_sha: str) -> int:
        payload = render.review_payload(review_plan)
        if payload is None:
            return 0
        rejected = await api.create_review(self.gh, self.owner, self.repo, self.number, payload)
        if rejected is not None:
            # One bad anchor fails the whole review: keep every finding, move them to the summary.
            log.warning("review rejected with 422; posting the findings in the check run instead",
                        extra={"body": rejected})
            review_plan.outside_diff.extend(c.finding for c in review_plan.new)
            review_plan.new.clear()
            return 0
        return len(payload.get("comments", []))

    async def _resolve(self, review_plan: plan.ReviewPlan) -> int:
        """Resolve the threads of fixed findings in one GraphQL batch; edit comments without a thread."""
        for comment_id, body in review_plan.fixed_edits():
            comment = next(c for c in review_plan.fixed if c.id == comment_id)
            if comment.thread_id is None and not comment.is_fixed:
                await api.edit_review_comment(self.gh, self.owner, self.repo, comment_id, body)
        threads = review_plan.threads_to_resolve
        if threads:
            await api.resolve_review_threads(self.gh, threads)
        return len(threads)
