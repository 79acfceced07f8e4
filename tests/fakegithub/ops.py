"""Write operations with GitHub's validation rules: reviews, review comments, check runs, issue comments,
reactions. Each function runs under gh.lock and either changes nothing (raises ApiError) or commits all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors
from .render import REACTIONS
from .state import (
    CheckRun,
    CheckSuite,
    IssueComment,
    PullRequest,
    Reaction,
    Review,
    ReviewComment,
    Thread,
    User,
)

if TYPE_CHECKING:
    from .fake import FakeGitHub
    from .state import App, Repo

MAX_BODY = 65536
MAX_OUTPUT = 65535
MAX_ANNOTATIONS = 50
MAX_ANNOTATION_TEXT = 64 * 1024
CHECK_STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
SETTABLE_STATUSES = ("queued", "in_progress", "completed")
CONCLUSIONS = ("action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out")
LEVELS = ("notice", "warning", "failure")
RUNS_PER_NAME_PER_SUITE = 1000


class AnchorError(Exception):
    """A review comment that cannot be placed: `simple` for create-review, `field`/`detail` otherwise."""

    def __init__(self, simple: str, field: str, detail: str, code: str = "custom") -> None:
        super().__init__(simple)
        self.simple, self.field, self.detail, self.code = simple, field, detail, code


def _line_error() -> AnchorError:
    return AnchorError(
        "Pull request review thread line must be part of the diff",
        "pull_request_review_thread.line",
        "pull_request_review_thread.line must be part of the diff",
    )


def _int_or_none(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnchorError(f"{name} is not a number", name, f"{name} is not a number", "invalid")
    return value


def resolve_anchor(gh: FakeGitHub, pr: PullRequest, spec: dict[str, Any], commit_id: str) -> dict[str, Any]:
    """Check a review comment's placement against the PR diff at `commit_id`; return normalized fields."""
    path = spec.get("path")
    body = spec.get("body")
    if not isinstance(path, str) or not path:
        raise AnchorError("Path can't be blank", "path", "path can't be blank", "missing_field")
    if not isinstance(body, str) or body == "":
        raise AnchorError("Body can't be blank", "body", "body can't be blank", "missing_field")
    if len(body) > MAX_BODY:
        raise AnchorError(
            f"Body is too long (maximum is {MAX_BODY} characters)",
            "body",
            f"body is too long (maximum is {MAX_BODY} characters)",
            "invalid",
        )
    f = next((x for x in gh.pr_files(pr, commit_id) if x.filename == path), None)
    if f is None:
        raise AnchorError("Path could not be resolved", "path", "path could not be resolved")
    if spec.get("subject_type") == "file":
        return {
            "path": path,
            "subject_type": "file",
            "side": None,
            "line": None,
            "start_line": None,
            "start_side": None,
            "position": None,
            "diff_hunk": f.patch.split("\n", 1)[0] if f.patch else "",
        }
    if spec.get("subject_type") not in (None, "line"):
        raise AnchorError(
            "Subject type is invalid", "subject_type", "subject_type is not included in the list", "invalid"
        )
    line = _int_or_none(spec.get("line"), "line")
    position = _int_or_none(spec.get("position"), "position")
    start_line = _int_or_none(spec.get("start_line"), "start_line")
    if line is None and position is None:
        raise AnchorError(
            "Line could not be resolved",
            "pull_request_review_thread.line",
            "pull_request_review_thread.line can't be blank",
        )
    if line is None:
        assert position is not None
        pl = f.at_position(position)
        if pl is None:
            raise AnchorError(
                "Pull request review thread diff hunk can't be blank",
                "pull_request_review_thread.diff_hunk",
                "pull_request_review_thread.diff_hunk can't be blank",
            )
        side = "LEFT" if pl.kind == "-" else "RIGHT"
        line = pl.left if side == "LEFT" else pl.right
    else:
        side = spec.get("side") or "RIGHT"
        if side not in ("LEFT", "RIGHT"):
            raise AnchorError("Side is invalid", "side", "side is not included in the list", "invalid")
        pl = f.find(side, line)
        if pl is None:
            raise _line_error()
    start_side = None
    if start_line is not None:
        start_side = spec.get("start_side") or side
        if start_side not in ("LEFT", "RIGHT"):
            raise AnchorError(
                "Start side is invalid", "start_side", "start_side is not included in the list", "invalid"
            )
        spl = f.find(start_side, start_line)
        if spl is None:
            raise AnchorError(
                "Pull request review thread start line must be part of the diff",
                "pull_request_review_thread.start_line",
                "pull_request_review_thread.start_line must be part of the diff",
            )
        if spl.hunk != pl.hunk:
            raise AnchorError(
                "Pull request review thread start line must be part of the same hunk as the line.",
                "pull_request_review_thread.start_line",
                "pull_request_review_thread.start_line must be part of the same hunk as the line.",
            )
        if spl.position >= pl.position:
            raise AnchorError(
                "Pull request review thread start line must precede the end line.",
                "pull_request_review_thread.start_line",
                "pull_request_review_thread.start_line must precede the end line.",
            )
    return {
        "path": path,
        "subject_type": "line",
        "side": side,
        "line": line,
        "start_line": start_line,
        "start_side": start_side,
        "position": pl.position,
        "diff_hunk": f.hunk_text_upto(pl),
    }


def _commit_for(gh: FakeGitHub, pr: PullRequest, commit_id: Any) -> str:
    if commit_id in (None, ""):
        return pr.head_sha
    if not isinstance(commit_id, str) or commit_id not in pr.repo.store.commits:
        raise errors.unprocessable_simple("Commit could not be resolved")
    if commit_id not in gh.pr_commits(pr):
        raise errors.unprocessable_simple("Commit is not part of the pull request")
    return commit_id


def _new_comment(
    gh: FakeGitHub,
    pr: PullRequest,
    review: Review,
    user: User,
    body: str,
    anchor: dict[str, Any],
    commit_id: str,
    reply_to: ReviewComment | None = None,
) -> ReviewComment:
    now = gh.now_iso()
    cid = gh.ids.next("review_comment")
    if reply_to is not None:
        thread = gh._threads[reply_to.thread_id]
        root = gh._review_comments[thread.comment_ids[0]]
        comment = ReviewComment(
            id=cid,
            pr=pr,
            review_id=review.id,
            user=user,
            body=body,
            path=root.path,
            commit_id=root.commit_id,
            original_commit_id=root.original_commit_id,
            diff_hunk=root.diff_hunk,
            subject_type=root.subject_type,
            side=root.side,
            line=root.line,
            start_line=root.start_line,
            start_side=root.start_side,
            original_position=root.original_position,
            created_at=now,
            updated_at=now,
            thread_id=thread.id,
            in_reply_to_id=root.id,
        )
        thread.comment_ids.append(cid)
    else:
        thread = Thread(
            id=gh.ids.next("thread"),
            pr=pr,
            path=anchor["path"],
            comment_ids=[cid],
            subject_type=anchor["subject_type"],
            side=anchor["side"],
            line=anchor["line"],
            start_line=anchor["start_line"],
            start_side=anchor["start_side"],
            commit_id=commit_id,
        )
        gh._threads[thread.id] = thread
        comment = ReviewComment(
            id=cid,
            pr=pr,
            review_id=review.id,
            user=user,
            body=body,
            path=anchor["path"],
            commit_id=commit_id,
            original_commit_id=commit_id,
            diff_hunk=anchor["diff_hunk"],
            subject_type=anchor["subject_type"],
            side=anchor["side"],
            line=anchor["line"],
            start_line=anchor["start_line"],
            start_side=anchor["start_side"],
            original_position=anchor["position"],
            created_at=now,
            updated_at=now,
            thread_id=thread.id,
        )
    gh._review_comments[cid] = comment
    return comment


def create_review(gh: FakeGitHub, pr: PullRequest, user: User, data: dict[str, Any]) -> Review:
    event = data.get("event")
    body = data.get("body") or ""
    comments = data.get("comments") or []
    if event not in (None, "", "APPROVE", "REQUEST_CHANGES", "COMMENT"):
        raise errors.unprocessable_simple(f"Event is invalid: {event}")
    if not isinstance(body, str) or len(body) > MAX_BODY:
        raise errors.unprocessable_simple(f"Body is too long (maximum is {MAX_BODY} characters)")
    if not isinstance(comments, list):
        raise errors.invalid_request("Invalid request.\n\nFor 'properties/comments', it is not an array.")
    if event == "REQUEST_CHANGES" and not body:
        raise errors.unprocessable_simple("Body is required when using REQUEST_CHANGES or COMMENT events")
    if event == "COMMENT" and not body and not comments:
        raise errors.unprocessable_simple("Body is required when using REQUEST_CHANGES or COMMENT events")
    if event in ("APPROVE", "REQUEST_CHANGES") and user is pr.user:
        verb = "approve" if event == "APPROVE" else "request changes on"
        raise errors.unprocessable_simple(f"Review Can not {verb} your own pull request")
    if any(rv.pr is pr and rv.user is user and rv.state == "PENDING" for rv in gh._reviews.values()):
        raise errors.unprocessable_simple("User can only have one pending review per pull request")
    commit_id = _commit_for(gh, pr, data.get("commit_id"))
    anchors = []
    for spec in comments:  # all-or-nothing: validate every comment before storing anything
        if not isinstance(spec, dict):
            raise errors.unprocessable_simple("Comments is invalid")
        try:
            anchors.append(resolve_anchor(gh, pr, spec, commit_id))
        except AnchorError as exc:
            raise errors.unprocessable_simple(exc.simple) from None
    state = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(
        event or "", "PENDING"
    )
    review = Review(
        gh.ids.next("review"), pr, user, body, state, commit_id, None if state == "PENDING" else gh.now_iso()
    )
    gh._reviews[review.id] = review
    for spec, anchor in zip(comments, anchors, strict=True):
        _new_comment(gh, pr, review, user, spec["body"], anchor, commit_id)
    return review


def _field_error(exc: AnchorError) -> errors.ApiError:
    return errors.validation_failed("PullRequestReviewComment", exc.field, exc.code, exc.detail)


def create_review_comment(gh: FakeGitHub, pr: PullRequest, user: User, data: dict[str, Any]) -> ReviewComment:
    body = data.get("body")
    if not isinstance(body, str) or not body:
        raise errors.validation_failed("PullRequestReviewComment", "body", "missing_field")
    if len(body) > MAX_BODY:
        raise errors.validation_failed(
            "PullRequestReviewComment",
            "body",
            "custom",
            f"body is too long (maximum is {MAX_BODY} characters)",
        )
    reply_id = data.get("in_reply_to")
    if reply_id is not None:  # every other field is ignored
        target = gh._review_comments.get(reply_id) if isinstance(reply_id, int) else None
        if target is None or target.pr is not pr:
            raise errors.not_found()
        return _reply(gh, pr, user, body, target)
    if not data.get("commit_id"):
        raise errors.validation_failed("PullRequestReviewComment", "commit_id", "missing_field")
    try:
        commit_id = _commit_for(gh, pr, data.get("commit_id"))
    except errors.ApiError:
        raise errors.validation_failed(
            "PullRequestReviewComment", "commit_id", "invalid", "commit_id is not part of the pull request"
        ) from None
    try:
        anchor = resolve_anchor(gh, pr, data, commit_id)
    except AnchorError as exc:
        raise _field_error(exc) from None
    review = Review(gh.ids.next("review"), pr, user, "", "COMMENTED", commit_id, gh.now_iso())
    gh._reviews[review.id] = review
    return _new_comment(gh, pr, review, user, body, anchor, commit_id)


def _reply(gh: FakeGitHub, pr: PullRequest, user: User, body: str, target: ReviewComment) -> ReviewComment:
    review = Review(gh.ids.next("review"), pr, user, "", "COMMENTED", pr.head_sha, gh.now_iso())
    gh._reviews[review.id] = review
    return _new_comment(gh, pr, review, user, body, {}, pr.head_sha, reply_to=target)


def reply_for_review_comment(
    gh: FakeGitHub, pr: PullRequest, user: User, comment_id: int, data: dict[str, Any]
) -> ReviewComment:
    target = gh._review_comments.get(comment_id)
    if target is None or target.pr is not pr:
        raise errors.not_found()
    if target.in_reply_to_id is not None:
        raise errors.validation_failed(
            "PullRequestReviewComment", "in_reply_to", "invalid", "replies to replies are not supported"
        )
    body = data.get("body")
    if not isinstance(body, str) or not body:
        raise errors.validation_failed("PullRequestReviewComment", "body", "missing_field")
    if len(body) > MAX_BODY:
        raise errors.validation_failed(
            "PullRequestReviewComment",
            "body",
            "custom",
            f"body is too long (maximum is {MAX_BODY} characters)",
        )
    return _reply(gh, pr, user, body, target)


def delete_review_comment(gh: FakeGitHub, comment: ReviewComment) -> None:
    thread = gh._threads[comment.thread_id]
    thread.comment_ids.remove(comment.id)
    del gh._review_comments[comment.id]
    if not thread.comment_ids:
        del gh._threads[thread.id]
    for rid in [r.id for r in gh._reactions.values() if r.comment_id == comment.id]:
        del gh._reactions[rid]


# --- checks -------------------------------------------------------------------------------------


def _check_error(field: str, message: str, code: str = "invalid") -> errors.ApiError:
    return errors.validation_failed("CheckRun", field, code, message)


def _validate_output(output: Any, creating: bool) -> None:
    if output is None:
        return
    if not isinstance(output, dict):
        raise _check_error("output", "output is not an object")
    if creating and not output.get("title"):
        raise _check_error("output.title", "output.title is missing", "missing_field")
    if not isinstance(output.get("summary"), str) or not output.get("summary"):
        raise _check_error("output.summary", "output.summary is missing", "missing_field")
    for key in ("summary", "text"):
        value = output.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_OUTPUT):
            raise _check_error(
                f"output.{key}", f"output.{key} is too long (maximum is {MAX_OUTPUT} characters)"
            )
    annotations = output.get("annotations") or []
    if not isinstance(annotations, list):
        raise _check_error("output.annotations", "output.annotations is not an array")
    if len(annotations) > MAX_ANNOTATIONS:
        raise _check_error(
            "output.annotations",
            f"Only {MAX_ANNOTATIONS} annotations are allowed per request ({len(annotations)} given)",
        )
    for i, a in enumerate(annotations):
        where = f"output.annotations[{i}]"
        if not isinstance(a, dict):
            raise _check_error(where, f"{where} is not an object")
        for key in ("path", "start_line", "end_line", "annotation_level", "message"):
            if a.get(key) in (None, ""):
                raise _check_error(f"{where}.{key}", f"{where}.{key} is missing", "missing_field")
        for key in ("start_line", "end_line", "start_column", "end_column"):
            if key in a and a[key] is not None and (isinstance(a[key], bool) or not isinstance(a[key], int)):
                raise _check_error(f"{where}.{key}", f"{where}.{key} is not an integer")
        if a["start_line"] < 1 or a["end_line"] < a["start_line"]:
            raise _check_error(f"{where}.end_line", f"{where}.end_line must be >= start_line")
        if a["annotation_level"] not in LEVELS:
            raise _check_error(
                f"{where}.annotation_level", f"{where}.annotation_level is not included in the list"
            )
        if (a.get("start_column") is not None or a.get("end_column") is not None) and a["start_line"] != a[
            "end_line"
        ]:
            raise _check_error(
                f"{where}.start_column",
                "start_column and end_column may only be provided when start_line equals end_line",
            )
        if a.get("title") is not None and len(str(a["title"])) > 255:
            raise _check_error(f"{where}.title", f"{where}.title is too long (maximum is 255 characters)")
        for key in ("message", "raw_details"):
            if a.get(key) is not None and len(str(a[key]).encode()) > MAX_ANNOTATION_TEXT:
                raise _check_error(f"{where}.{key}", f"{where}.{key} is too long (maximum is 64 KB)")


def _validate_actions(actions: Any) -> None:
    if actions is None:
        return
    if not isinstance(actions, list) or len(actions) > 3:
        raise _check_error("actions", "actions must be an array of at most 3 items")
    for i, act in enumerate(actions):
        for key, limit in (("label", 20), ("identifier", 20), ("description", 40)):
            value = act.get(key) if isinstance(act, dict) else None
            if not isinstance(value, str) or not value:
                raise _check_error(f"actions[{i}].{key}", f"actions[{i}].{key} is missing", "missing_field")
            if len(value) > limit:
                raise _check_error(
                    f"actions[{i}].{key}", f"actions[{i}].{key} is too long (maximum is {limit})"
                )


def _apply_status(cr_fields: dict[str, Any], data: dict[str, Any], gh: FakeGitHub) -> None:
    status = data.get("status")
    conclusion = data.get("conclusion")
    if status is not None and status not in SETTABLE_STATUSES:
        raise _check_error("status", "status is not included in the list")
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise _check_error("conclusion", "conclusion is not included in the list")
    if conclusion is not None:
        status = "completed"  # providing a conclusion completes the run
    if status == "completed" and conclusion is None and cr_fields.get("conclusion") is None:
        raise _check_error("conclusion", "conclusion is required when status is completed", "missing_field")
    if conclusion == "action_required" and not (data.get("details_url") or cr_fields.get("details_url")):
        raise _check_error(
            "details_url", "details_url is required when conclusion is action_required", "missing_field"
        )
    if status is not None:
        cr_fields["status"] = status
    if conclusion is not None:
        cr_fields["conclusion"] = conclusion
    if cr_fields.get("status") == "completed" and not cr_fields.get("completed_at"):
        cr_fields["completed_at"] = data.get("completed_at") or gh.now_iso()


def create_check_run(gh: FakeGitHub, repo: Repo, app: App, data: dict[str, Any]) -> CheckRun:
    name = data.get("name")
    head_sha = data.get("head_sha")
    if not isinstance(name, str) or not name:
        raise _check_error("name", "name is missing", "missing_field")
    if not isinstance(head_sha, str) or not head_sha:
        raise _check_error("head_sha", "head_sha is missing", "missing_field")
    if head_sha not in repo.store.commits:
        raise errors.invalid_request(f"No commit found for SHA: {head_sha}")
    _validate_output(data.get("output"), creating=True)
    _validate_actions(data.get("actions"))
    fields: dict[str, Any] = {
        "status": "queued",
        "conclusion": None,
        "completed_at": data.get("completed_at"),
        "details_url": data.get("details_url"),
    }
    _apply_status(fields, data, gh)
    suite = next(
        (s for s in gh._check_suites.values() if s.repo is repo and s.head_sha == head_sha and s.app is app),
        None,
    )
    if suite is None:
        branch = next((b for b, s in repo.branches.items() if s == head_sha), None)
        suite = CheckSuite(gh.ids.next("check_suite"), repo, head_sha, branch, app, gh.now_iso())
        gh._check_suites[suite.id] = suite
    output = dict(data.get("output") or {})
    annotations = [
        dict(a, blob_href=f"https://github.com/{repo.full_name}/blob/{head_sha}/{a['path']}")
        for a in output.pop("annotations", None) or []
    ]
    output.pop("images", None)
    started = data.get("started_at") or (gh.now_iso() if fields["status"] != "queued" else None)
    cr = CheckRun(
        id=gh.ids.next("check_run"),
        repo=repo,
        suite=suite,
        app=app,
        name=name,
        head_sha=head_sha,
        status=fields["status"],
        conclusion=fields["conclusion"],
        started_at=started or gh.now_iso(),
        completed_at=fields["completed_at"],
        external_id=data.get("external_id") or "",
        details_url=data.get("details_url"),
        output=output,
        annotations=annotations,
        actions=list(data.get("actions") or []),
        history=[data],
    )
    gh._check_runs[cr.id] = cr
    same = sorted(
        (c for c in gh._check_runs.values() if c.suite is suite and c.name == name), key=lambda c: c.id
    )
    for old in same[:-RUNS_PER_NAME_PER_SUITE]:
        del gh._check_runs[old.id]
    return cr


def update_check_run(gh: FakeGitHub, cr: CheckRun, data: dict[str, Any]) -> CheckRun:
    _validate_output(data.get("output"), creating=False)
    _validate_actions(data.get("actions"))
    fields: dict[str, Any] = {
        "status": cr.status,
        "conclusion": cr.conclusion,
        "completed_at": cr.completed_at,
        "details_url": data.get("details_url") or cr.details_url,
    }
    _apply_status(fields, data, gh)
    cr.status, cr.conclusion, cr.completed_at = fields["status"], fields["conclusion"], fields["completed_at"]
    for key in ("name", "details_url", "external_id", "started_at"):
        if data.get(key) is not None:
            setattr(cr, key, data[key])
    if data.get("completed_at"):
        cr.completed_at = data["completed_at"]
    if data.get("output") is not None:
        output = dict(data["output"])
        new = output.pop("annotations", None) or []
        output.pop("images", None)
        cr.output.update(output)
        cr.annotations.extend(
            dict(a, blob_href=f"https://github.com/{cr.repo.full_name}/blob/{cr.head_sha}/{a['path']}")
            for a in new
        )
    if data.get("actions") is not None:
        cr.actions = list(data["actions"])
    cr.history.append(data)
    return cr


# --- issue comments and reactions ---------------------------------------------------------------


def _issue_body(data: dict[str, Any]) -> str:
    body = data.get("body")
    if not isinstance(body, str) or not body.strip():
        raise errors.validation_failed("IssueComment", "body", "missing_field")
    if len(body) > MAX_BODY:
        raise errors.validation_failed(
            "IssueComment", "body", "custom", f"Body is too long (maximum is {MAX_BODY} characters)"
        )
    return body


def create_issue_comment(
    gh: FakeGitHub, repo: Repo, number: int, user: User, app: App | None, data: dict[str, Any]
) -> IssueComment:
    body = _issue_body(data)
    now = gh.now_iso()
    c = IssueComment(gh.ids.next("issue_comment"), repo, number, user, body, now, now, app=app)
    gh._issue_comments[c.id] = c
    return c


def update_issue_comment(gh: FakeGitHub, c: IssueComment, data: dict[str, Any]) -> IssueComment:
    c.body = _issue_body(data)
    c.updated_at = gh.now_iso()
    return c


def create_reaction(
    gh: FakeGitHub, comment_id: int, user: User, data: dict[str, Any]
) -> tuple[Reaction, bool]:
    content = data.get("content")
    if content not in REACTIONS:
        raise errors.validation_failed("Reaction", "content", "invalid")
    for r in gh._reactions.values():
        if r.comment_id == comment_id and r.user is user and r.content == content:
            return r, False
    r = Reaction(gh.ids.next("reaction"), comment_id, user, content, gh.now_iso())
    gh._reactions[r.id] = r
    return r, True
