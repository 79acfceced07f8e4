"""Decide what one review run posts, given the findings, the diff and the bot's earlier comments.

Every finding ends up in exactly one of:

* `new`: an inline comment in this review. All of its lines (line..last_line) are RIGHT-side lines
  of one hunk, so GitHub cannot reject it with 422 "line must be part of the diff" (one bad
  comment fails the whole review).
* `already_posted`: a bot comment with the same fingerprint exists (matched one to one, same line
  first). This includes threads a person resolved: resolving is how people say "seen, leave it",
  and re-posting on every push is the top complaint about review bots. Such findings still show
  in the check run and still decide its conclusion.
* `outside_diff`: some line is not in the diff (or the file has no patch): listed in the check run
  summary and in the review body, never dropped.
* `summary_only`: a finding whose confidence is below `inline_confidence` (high by default): a
  heuristic or context-dependent finding is listed in the check run summary, never commented.
* `capped`: over `max_comments` new comments in this review; the most severe are posted first,
  then by path and line. Listed in the review body and the check run summary.

Earlier bot comments whose fingerprint no longer matches any finding are `fixed`: the worker
edits them with `mark_fixed` (see `fixed_edits`) and resolves their threads (`threads_to_resolve`,
GraphQL `resolveReviewThread`). Comments already marked fixed are left alone, so re-runs are
quiet; if the finding comes back, a new comment is posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockreview.bot.review.comment import comment_body, mark_fixed
from dockreview.bot.review.diffmap import DiffMap
from dockreview.bot.review.markers import parse_marker
from dockreview.rules.finding import Confidence, Finding


@dataclass(frozen=True, slots=True)
class ExistingComment:
    """One of the bot's own earlier inline comments (top-level, not a reply)."""

    id: int
    path: str
    line: int | None  # None when GitHub shows the comment as outdated
    fingerprint: str
    thread_id: str | None = None  # GraphQL node id of the review thread
    is_resolved: bool = False
    body: str = ""

    @property
    def is_fixed(self) -> bool:
        found = parse_marker(self.body)
        return found is not None and found.fixed is not None

    @classmethod
    def from_rest(
        cls, comment: Mapping[str, Any], threads: Mapping[int, tuple[str, bool]] | None = None
    ) -> ExistingComment | None:
        """From an item of `GET /pulls/{n}/comments`; None when it carries no valid marker or is a reply.

        `threads` maps a comment id to (thread node id, isResolved), from GraphQL `reviewThreads`.
        The caller passes only comments written by the App.
        """
        if comment.get("in_reply_to_id"):
            return None
        found = parse_marker(comment.get("body"))
        if found is None:
            return None
        thread_id, resolved = (threads or {}).get(int(comment["id"]), (None, False))
        return cls(
            id=int(comment["id"]),
            path=str(comment.get("path") or ""),
            line=comment.get("line"),
            fingerprint=found.fingerprint,
            thread_id=thread_id,
            is_resolved=resolved,
            body=str(comment.get("body") or ""),
        )


    @classmethod
    def from_thread(cls, thread: Mapping[str, Any], ours: str | None = None) -> ExistingComment | None:
        """From a GraphQL `PullRequestReviewThread` (id, isResolved, path, line, its first comment with
        fullDatabaseId, body, author): the comment that opened it, when our bot account (`ours`, the
        query's `viewer` login; any Bot account when unknown) wrote it with a valid marker (as
        `from_rest` for the comments `GET /pulls/{n}/comments` lists); else None. Another App's
        comment copying our marker is not ours: we neither skip a finding for it nor edit it."""
        first = (((thread.get("comments") or {}).get("nodes")) or [None])[0]
        author = (first.get("author") or {}) if isinstance(first, Mapping) else {}
        if not isinstance(first, Mapping) or author.get("__typename") != "Bot":
            return None
        if ours is not None and bot_login(str(author.get("login") or "")) != bot_login(ours):
            return None
        database_id = first.get("fullDatabaseId")
        found = parse_marker(first.get("body"))
        if found is None or database_id is None or not str(database_id).isdigit():
            return None
        line = thread.get("line")
        return cls(
            id=int(database_id),
            path=str(thread.get("path") or ""),
            line=line if isinstance(line, int) else None,
            fingerprint=found.fingerprint,
            thread_id=str(thread["id"]) if thread.get("id") else None,
            is_resolved=bool(thread.get("isResolved")),
            body=str(first.get("body") or ""),
        )


def bot_login(login: str) -> str:
    """A bot's login as REST and GraphQL both name it: `app[bot]` (REST, `viewer`) and `app` are one."""
    return login.removesuffix("[bot]").lower()


@dataclass(slots=True)
class InlineComment:
    finding: Finding
    path: str
    line: int
    start_line: int | None
    body: str

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"path": self.path, "line": self.line, "side": "RIGHT", "body": self.body}
        if self.start_line is not None:
            payload["start_line"] = self.start_line
            payload["start_side"] = "RIGHT"
        return payload


@dataclass(slots=True)
class ReviewPlan:
    head_sha: str
    max_comments: int = 30
    new: list[InlineComment] = field(default_factory=list)
    already_posted: list[tuple[Finding, ExistingComment]] = field(default_factory=list)
    outside_diff: list[Finding] = field(default_factory=list)
    capped: list[Finding] = field(default_factory=list)
    summary_only: list[Finding] = field(default_factory=list)
    fixed: list[ExistingComment] = field(default_factory=list)

    def review_payload(self, body: str) -> dict[str, Any] | None:
        """The `POST /pulls/{n}/reviews` payload, or None when there is no new inline comment."""
        if not self.new:
            return None
        return {
            "commit_id": self.head_sha,
            "event": "COMMENT",
            "body": body,
            "comments": [c.to_payload() for c in self.new],
        }

    @property
    def threads_to_resolve(self) -> list[str]:
        return [c.thread_id for c in self.fixed if c.thread_id and not c.is_resolved]

    def fixed_edits(self) -> list[tuple[int, str]]:
        """(comment id, new body) for `PATCH /pulls/comments/{id}` on every fixed comment."""
        return [(c.id, mark_fixed(c.body, self.head_sha)) for c in self.fixed]

    def status(self, finding: Finding) -> str:
        """How the review handles `finding`: inline, posted, outside-diff, capped (or "")."""
        for name, items in (
            ("inline", [c.finding for c in self.new]),
            ("posted", [f for f, _ in self.already_posted]),
            ("outside-diff", self.outside_diff),
            ("capped", self.capped),
            ("summary-only", self.summary_only),
        ):
            if any(item is finding for item in items):
                return name
        return ""

    def statuses(self) -> dict[int, str]:
        """id(finding) -> status, for rendering many findings."""
        result: dict[int, str] = {}
        result.update((id(c.finding), "inline") for c in self.new)
        result.update((id(f), "posted") for f, _ in self.already_posted)
        result.update((id(f), "outside-diff") for f in self.outside_diff)
        result.update((id(f), "capped") for f in self.capped)
        result.update((id(f), "summary-only") for f in self.summary_only)
        return result


def severity_order(finding: Finding) -> tuple[int, str, int, int, str]:
    """Most severe first, then path, line, column, rule."""
    return (-finding.severity.rank, finding.path, finding.line, finding.column, finding.rule)


def commentable(finding: Finding, diff: DiffMap | None) -> bool:
    """Whether GitHub will accept an inline comment on all of the finding's lines."""
    if diff is None:
        return True
    return diff.can_comment(finding.path, finding.line, finding.last_line)


def plan_review(
    findings: Iterable[Finding],
    diff: DiffMap | None,
    existing: Iterable[ExistingComment],
    max_comments: int,
    head_sha: str,
    *,
    docs_base: str | None = None,
    inline_confidence: Confidence = Confidence.HIGH,
) -> ReviewPlan:
    """Sort the findings into new / already posted / outside the diff / capped, and find fixed comments.

    `diff` None means every line can take a comment (local rendering). The result is deterministic.
    """
    plan = ReviewPlan(head_sha=head_sha, max_comments=max(0, max_comments))
    ordered = sorted(findings, key=Finding.sort_key)

    by_fingerprint: dict[str, list[ExistingComment]] = defaultdict(list)
    for comment in sorted(existing, key=lambda c: (c.path, c.line or 0, c.id)):
        if not comment.is_fixed:
            by_fingerprint[comment.fingerprint].append(comment)

    unposted: list[Finding] = []
    for fingerprint, group in _group(ordered).items():
        comments = by_fingerprint.pop(fingerprint, [])
        matched: dict[int, ExistingComment] = {}
        for i, finding in enumerate(group):  # a comment on the same line first ...
            same = next((c for c in comments if c.path == finding.path and c.line == finding.line), None)
            if same is not None:
                comments.remove(same)
                matched[i] = same
        for i, finding in enumerate(group):  # ... then the rest in order
            if i not in matched and comments:
                matched[i] = comments.pop(0)
            if i in matched:
                plan.already_posted.append((finding, matched[i]))
            else:
                unposted.append(finding)
        plan.fixed.extend(comments)
    for comments in by_fingerprint.values():
        plan.fixed.extend(comments)
    plan.fixed.sort(key=lambda c: (c.path, c.line or 0, c.id))
    plan.already_posted.sort(key=lambda pair: pair[0].sort_key())

    inline: list[Finding] = []
    for finding in unposted:
        if finding.confidence.rank < inline_confidence.rank:
            plan.summary_only.append(finding)
        else:
            (inline if commentable(finding, diff) else plan.outside_diff).append(finding)
    plan.summary_only.sort(key=Finding.sort_key)
    inline.sort(key=severity_order)
    chosen, plan.capped = inline[: plan.max_comments], inline[plan.max_comments :]
    plan.outside_diff.sort(key=Finding.sort_key)
    plan.capped.sort(key=Finding.sort_key)
    for finding in sorted(chosen, key=Finding.sort_key):
        multi = finding.last_line > finding.line
        plan.new.append(
            InlineComment(
                finding=finding,
                path=finding.path,
                line=finding.last_line,
                start_line=finding.line if multi else None,
                # The comment sits on the line itself: quoting it again would only add noise.
                body=comment_body(finding, None, docs_base=docs_base),
            )
        )
    return plan


def _group(findings: list[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.fingerprint(), []).append(finding)
    return groups
