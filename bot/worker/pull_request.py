"""One pull request review, from job to completed check run, with as few GitHub calls as possible.

    pull request + compare (changed files and merge base, under 300 files; else the file list, paginated,
      and the merge base)                                       -> what changed
    head tree (one call) + batched GraphQL reads               -> repository snapshots
      (the base tree is the head's with the changes undone when every changed file is known, else one
      more call; the config from the base branch, head and base files, the review threads and the pull
      requests on the head all in the first batch)
    rules.review(head, config from the base branch, change, base)
    existing bot comments (those threads)                      -> what is new, what is fixed
    one review (COMMENT), one resolve batch, one check run: created once, completed, when the review ends
      within DOCKREVIEW_CHECK_RUN_DEFER seconds (1), else in progress first (annotations 50 per PATCH)

A small pull request costs 8 calls with the installation token (tests/test_github_calls.py).
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dockreview.bot.github import GitHubClient, api
from dockreview.bot.github.contents import RemoteTree, fetch_trees, load_tree
from dockreview.bot.review import diffmap, heads, plan, render, summary
from dockreview.bot.review.markers import parse_marker
from dockreview.bot.settings import number as settings_number
from dockreview.bot.worker import listing
from dockreview.bot.worker.check_run import DEFER, CheckRun
from dockreview.bot.worker.engine import Engine, ThreadEngine
from dockreview.bot.worker.engine_child import Pass, Side
from dockreview.bot.worker.reuse import Results
from dockreview.rules import Config, Report
from dockreview.rules.budget import FILE_BUDGET
from dockreview.rules.classify import FileType, by_name, needs_content
from dockreview.rules.config import CONFIG_PATHS, PYPROJECT
from dockreview.rules.diff import Change
from dockreview.rules.engine import Note

log = logging.getLogger("dockreview.pipeline")
MAX_PASSES = 4
MAX_TARGETS = 400
REVIEW_BUDGET = 240.0  # seconds of engine time per review (DOCKREVIEW_REVIEW_BUDGET), below the job timeout
SOFT_SHARE = 0.9  # the engine starts no file or stage past this share of the budget; at the end, the pass is stopped


async def review_trees(gh: GitHubClient, head_tree: RemoteTree, base_tree: RemoteTree, diff: diffmap.DiffMap,
                       config_at: str, also: api.Also | None = None,
                       engine: Engine | None = None) -> tuple[Report, Config]:
    """`rules.review` of the head against the base for the files `diff` changes, fetching what the
    engine reads in passes (each pass fetches, in one batch, what the previous one missed), with the
    config read at commit `config_at` (the base branch: a pull request cannot switch off its own
    review) in the first batch, and `also` with it. The engine runs in `engine` (the worker's child
    process; a thread of this process without one)."""
    changed = [path for path, f in diff.files.items() if f.status != "removed"]
    removed = [path for path, f in diff.files.items() if f.status == "removed"]
    renames = {path: f.previous_filename for path, f in diff.files.items() if f.previous_filename}
    targets = _targets(head_tree, changed)
    notes: list[Note] = []
    if head_tree.truncated:
        notes.append(Note("(repository)", "the repository tree is larger than GitHub lists in one call; "
                                          "cross-file checks only see part of it"))
    prefetch_head = targets + [p for p in head_tree.paths if p.endswith(".dockerignore")]
    # Deleted files too: the container changes and `check_deleted` rules read their base version.
    prefetch_base = [renames.get(p, p) for p in targets]
    prefetch_base += [p for p in removed if by_name(p) is not None and p in base_tree.entries]
    # Files only their content classifies (YAML, scripts without a suffix): the review asks for each
    # when it lists a kind of file, so they come in the first batch rather than a second pass.
    prefetch_head += [p for p in head_tree.paths if needs_content(p)]
    prefetch_base += [p for p in base_tree.paths if needs_content(p)]
    # One GraphQL batch for the config and the head and base files, read under the default size
    # cap; a config that raises the cap has the larger files read next.
    found = await fetch_trees(gh, [(head_tree, prefetch_head), (base_tree, prefetch_base)],
                              Config().max_file_size, first=(config_at, (*CONFIG_PATHS, PYPROJECT)), also=also)
    # As the CLI finds it: the YAML files first, then a pyproject.toml's [tool.dockreview] table.
    config = (Config.from_file(found[0], found[1], found[0]) if found else None) or Config()
    # The review's time budget (all passes together): the engine starts no file or stage past 90 % of it
    # ("not reviewed completely"), and a pass still running at its end is stopped (EngineProcess).
    budget = review_budget()
    started = time.monotonic()
    change = diff.change()
    name = f"{base_tree.owner}/{base_tree.repo}"  # the repository's own name (rules.docker.collections)
    review_id = uuid.uuid4().hex
    engine = engine or ThreadEngine()  # one for all passes: it keeps the contents sent so far
    sent: tuple[set[str], set[str]] = (set(), set())
    report = Report()
    for index in range(MAX_PASSES):
        await fetch_trees(gh, [(head_tree, prefetch_head), (base_tree, prefetch_base)], config.max_file_size)
        request = Pass(review_id, name, _side(head_tree, sent[0], index == 0), _side(base_tree, sent[1], index == 0),
                       config, targets, change,
                       soft_budget=max(0.0, started + budget * SOFT_SHARE - time.monotonic()),
                       file_budget=env_seconds("DOCKREVIEW_FILE_BUDGET", FILE_BUDGET))
        answer = await engine.run(request, timeout=started + budget - time.monotonic())
        if answer is None:
            report = _stopped(targets, change, budget)
            break
        report = answer.report
        # The child reports every path it wanted and lacked; the trees keep those they can fetch.
        for path in answer.head_misses:
            head_tree.read(path)
        for path in answer.base_misses:
            base_tree.read(path)
        prefetch_head = head_tree.take_misses()
        prefetch_base = base_tree.take_misses()
        if not prefetch_head and not prefetch_base:
            break
    report.errors = notes + report.errors
    return report, config


def review_budget() -> float:
    """DOCKREVIEW_REVIEW_BUDGET: seconds one review may take in the engine, all its passes together."""
    return env_seconds("DOCKREVIEW_REVIEW_BUDGET", REVIEW_BUDGET)


def env_seconds(name: str, default: float) -> float:
    """A number of seconds from the environment, read as `Settings.from_env` reads and checks it
    at start; a value it would refuse gives the default."""
    problems: list[str] = []
    value = settings_number(os.environ, name, default, problems, minimum=0.0)
    return default if problems or value is None else value


def _side(tree: RemoteTree, sent: set[str], first: bool) -> Side:
    """What a pass sends of `tree`: the contents not sent yet (and, first, every path and size)."""
    new = {path: data for path, data in tree.contents.items() if path not in sent}
    sent.update(new)
    return Side(new, tree.paths, tree.sizes) if first else Side(new)


def _stopped(targets: list[str], change: Change, budget: float) -> Report:
    """The report of a review stopped at the end of its time budget: nothing it touches was reviewed completely."""
    message = (f"not reviewed completely: the review ran out of its time budget ({budget:g} s, "
               "DOCKREVIEW_REVIEW_BUDGET) and was stopped")
    notes = [Note(path, message, unreviewed=True) for path in targets if change.touches_file(path)]
    notes = notes or [Note("(pull request)", message, unreviewed=True)]
    return Report(errors=list(notes), incomplete=list(notes))


def _targets(tree: RemoteTree, changed: list[str]) -> list[str]:
    """Files to review: Docker files by name in the tree (cross-file checks need them) and
    changed files whose content may make them ours (YAML, shebang scripts)."""
    by_name_files = [p for p in tree.paths if by_name(p) not in (None, FileType.SCRIPT, FileType.MAKEFILE)]
    changed_set = set(changed)
    if len(by_name_files) > MAX_TARGETS:
        by_name_files = [p for p in by_name_files if p in changed_set]
    extra = [p for p in changed if p in tree.entries and (by_name(p) is not None or needs_content(p))]
    return sorted(set(by_name_files) | set(extra))


class Superseded(Exception):
    """A newer head SHA exists for this pull request: its own job reviews it."""


@dataclass(slots=True)
class Assessed:
    report: Report | None  # None: the pull request changes no Docker-related file
    diff: diffmap.DiffMap
    config: Config
    # What the review read (bot/worker/reuse.py keeps its result by them): the trees and the config's commit.
    trees: tuple[RemoteTree, RemoteTree] | None = None
    config_at: str | None = None


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
                 head_sha: str | None = None, new_check_run: bool = False, supersedable: bool = True,
                 pr: dict[str, Any] | None = None, results: Results | None = None,
                 engine: Engine | None = None) -> None:
        self.gh = gh
        self.owner = owner
        self.repo = repo
        self.number = number
        self.job_id = job_id
        self.head_sha = head_sha
        self.supersedable = supersedable
        self.pr = pr  # the pull request as GitHub gave it just before (one call fewer), else fetched
        self.check_run = CheckRun(gh, owner, repo, number, job_id, new=new_check_run)
        self.results = results  # where the result is kept for a merge group to reuse (None: not kept)
        self.engine = engine  # where the engine runs (the worker's child process; None: a thread here)

    async def run(self, still_current: Callable[[], Awaitable[bool]] | None = None) -> Outcome:
        """Review the pull request. For a push, `head_sha` is the commit pushed: when the pull request
        has moved on (a newer push, a force-push), the newer job reviews it and this one stops; a
        check run already started is completed as neutral, never left in progress."""
        try:
            return await self._run(still_current)
        except BaseException:
            await self.check_run.abandon()
            raise

    async def _run(self, still_current: Callable[[], Awaitable[bool]] | None) -> Outcome:
        pr = self.pr or await api.get_pull(self.gh, self.owner, self.repo, self.number)
        current = pr["head"]["sha"]
        if self.supersedable and self.head_sha and self.head_sha != current:
            raise Superseded(current)
        head_sha = self.head_sha or current
        await self.check_run.start(head_sha, defer=float(os.environ.get("DOCKREVIEW_CHECK_RUN_DEFER", DEFER)))
        # The review threads and the pull requests on the head come with the first blob batch.
        state = api.pull_request_state(self.number, head_sha)
        own = await self.assess(self.number, pr, head_sha, state)
        # Kept before the check run completes: a merge group queued the moment it passes finds it.
        await self._keep(own, head_sha)
        # The check run is the head commit's: it reflects every open pull request on it, strictest first.
        others = await self._others_on(head_sha, state.found)
        if own.report is None and not any(o.report is not None for _, o in others):
            await self.check_run.complete("success", summary.no_docker_changes_output())
            return Outcome("success", check_run_id=self.check_run.id)
        if still_current is not None and not await still_current():
            await self.check_run.supersede()
            raise Superseded(head_sha)
        posted = resolved = 0
        repo_url = pr.get("base", {}).get("repo", {}).get("html_url")
        if own.report is None:
            check = render.CheckRunOutput("success", summary.no_docker_changes_output(), [])
            findings = 0
        elif head_sha != current:
            # An older commit (its check run re-run): its result only. The review, its comments and
            # their threads belong to the current head, so nothing is posted, edited or resolved.
            review_plan = render.review_plan(own.report, diffmap.DiffMap(), [], own.config, head_sha)
            check = render.check_run_output(own.report, review_plan, own.config, head_sha, repo_url)
            note = (f"This commit is no longer the head of #{self.number}: this is its own result; the "
                    "pull request's comments and threads follow its current head and were left as they are.")
            check.output["summary"] = (note + "\n\n" + check.output["summary"])[: summary.MAX_SUMMARY]
            findings = len(own.report.findings)
        else:
            viewer = ((state.found_root or {}).get("viewer") or {}).get("login")
            existing = await self._existing_comments(state.found, viewer)
            review_plan = render.review_plan(own.report, own.diff, existing, own.config, head_sha)
            posted = await self._post_review(review_plan, head_sha)
            resolved = await self._resolve(review_plan)
            check = render.check_run_output(own.report, review_plan, own.config, head_sha, repo_url)
            findings = len(own.report.findings)
        check = heads.combine(check, self.number, pr, [(p, o.report, o.config) for p, o in others], head_sha,
                              repo_url)
        await self.check_run.complete(check.conclusion, check.output, check.annotations)
        return Outcome(check.conclusion, findings, posted, resolved, self.check_run.id)

    async def _others_on(self, head_sha: str, state: dict[str, Any] | None) -> list[tuple[dict[str, Any], Assessed]]:
        """The other open pull requests whose head is `head_sha` (one commit, two bases), assessed; from
        `state` (PR_STATE, answered with the first blob batch) when there is one, else asked."""
        found = []
        for number in await self._pulls_on(head_sha, state):
            if number == self.number:
                continue
            other = await api.get_pull(self.gh, self.owner, self.repo, number)
            if other.get("state") == "open" and other["head"]["sha"] == head_sha:
                found.append((other, await self.assess(number, other, head_sha)))
        return found

    async def _pulls_on(self, head_sha: str, state: dict[str, Any] | None) -> list[int]:
        """The numbers of the open pull requests whose head is `head_sha`."""
        if state is not None:
            pulls = (((state.get("commit") or {}).get("associatedPullRequests") or {}).get("nodes")) or []
            return [p["number"] for p in pulls if isinstance(p, dict) and isinstance(p.get("number"), int)
                    and p.get("state") == "OPEN" and p.get("headRefOid") == head_sha]
        return [item["number"] for item in await api.list_pulls_of_commit(self.gh, self.owner, self.repo, head_sha)
                if isinstance(item.get("number"), int) and item.get("state") == "open"
                and (item.get("head") or {}).get("sha") == head_sha]

    async def assess(self, number: int, pr: dict[str, Any], head_sha: str, also: api.Also | None = None) -> Assessed:
        """Pull request `number` at `head_sha` against its base: its diff, its base branch's config and
        the engine's report (None when it touches no Docker-related file). For a commit that is not
        the pull request's head any more, GitHub's file list is the head's: the trees are compared."""
        stale = head_sha != pr["head"]["sha"]
        compared = None if stale else await self._compare(pr, head_sha)
        listed: Any = []
        if compared is not None:
            listed = compared.get("files")
        elif not stale:
            listed = await api.list_pull_files(self.gh, self.owner, self.repo, number)
        files = listing.well_formed(listed)
        diff = diffmap.DiffMap.from_pull_files(files)
        # Whatever cannot be reviewed completely fails the check (Report.incomplete), never passes it.
        incomplete: list[Note] = []
        if len(files) != len(listed):
            incomplete.append(Note("(pull request)", listing.ILL_SHAPED))
        complete = not stale and listing.is_complete(pr, files) and not incomplete
        if complete and not listing.docker_related(diff):
            return Assessed(None, diff, Config())

        if compared is not None:
            merge_base = (compared.get("merge_base_commit") or {}).get("sha")
            merge_base = merge_base if isinstance(merge_base, str) else None
        else:
            merge_base = await api.merge_base(self.gh, self.owner, self.repo, pr["base"]["sha"], head_sha)
        merge_base = merge_base or pr["base"]["sha"]
        head_tree = await load_tree(self.gh, self.owner, self.repo, head_sha)
        # Every changed file known: the base's tree is the head's with the changes undone (no tree call).
        derived = listing.base_from_head(head_tree, diff, merge_base) if complete else None
        base_tree = derived or await load_tree(self.gh, self.owner, self.repo, merge_base)
        if not complete and not incomplete:
            # GitHub lists at most 3,000 changed files: the others are found by comparing the trees.
            incomplete += listing.add_unlisted(diff, base_tree, head_tree)
            if not incomplete and not listing.docker_related(diff):
                return Assessed(None, diff, Config())
        if head_tree.truncated:
            incomplete += listing.not_in_tree(diff, head_tree)
        # The config comes from the base branch: a pull request cannot switch off its own review.
        report, config = await review_trees(self.gh, head_tree, base_tree, diff, pr["base"]["sha"], also,
                                            self.engine)
        report.errors = incomplete + report.errors
        report.incomplete = incomplete + report.incomplete
        return Assessed(report, diff, config, (head_tree, base_tree), pr["base"]["sha"])

    async def _keep(self, own: Assessed, head_sha: str) -> None:
        """Keep the result for a merge group with the same content to reuse (bot/worker/reuse.py)."""
        if self.results is not None and own.report is not None and own.trees is not None and own.config_at:
            await self.results.keep(report=own.report, config=own.config, config_at=own.config_at, diff=own.diff,
                                    head=own.trees[0], base=own.trees[1], commit=head_sha, number=self.number)

    async def _compare(self, pr: dict[str, Any], head_sha: str) -> dict[str, Any] | None:
        """The comparison of the base with the head when it holds every changed file (GitHub lists at most
        300 there): the changed files and the merge base in one call. None: list the files page by page."""
        changed_files = pr.get("changed_files")
        if (not isinstance(changed_files, int) or isinstance(changed_files, bool)
                or changed_files >= api.COMPARE_MAX_FILES):
            return None
        compared = await api.compare(self.gh, self.owner, self.repo, pr["base"]["sha"], head_sha)
        files = compared.get("files")
        # Exactly the pull request's count, else (the base moved, an odd answer) GitHub's own list.
        if not isinstance(files, list) or len(listing.well_formed(files)) != changed_files:
            return None
        return compared

    async def _existing_comments(self, state: dict[str, Any] | None,
                                 login: str | None = None) -> list[plan.ExistingComment]:
        """The App's earlier inline comments with their threads: from the threads in `state` (PR_STATE,
        answered with the first blob batch; further pages asked), else from the REST list. `login`: our
        bot account (the query's `viewer`): only its comments are ours."""
        if state is not None:
            first_page = ((state.get("pr") or {}).get("reviewThreads")) or {}
            nodes = await api.review_thread_nodes(self.gh, self.owner, self.repo, self.number, first_page)
            return [c for c in (plan.ExistingComment.from_thread(n, login) for n in nodes) if c is not None]
        comments = await api.list_review_comments(self.gh, self.owner, self.repo, self.number)
        # Only the App's own comments (its Bot account) with a valid marker count.
        ours = [c for c in comments if (user := c.get("user") or {}).get("type") == "Bot"
                and (login is None or plan.bot_login(str(user.get("login") or "")) == plan.bot_login(login))
                and parse_marker(c.get("body"))]
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
