from dockreview.bot.review.comment import comment_body, mark_fixed
from dockreview.bot.review.diffmap import DiffMap
from dockreview.bot.review.markers import parse_marker
from dockreview.bot.review.plan import ExistingComment, plan_review
from dockreview.rules import Category, Finding, Severity
from dockreview.rules.values import replace

SHA = "a" * 40
# compose.yaml: hunk 1 shows lines 1-6 (3, 4 added), hunk 2 shows lines 21-23 (23 added)
PATCH = (
    "@@ -1,5 +1,6 @@\n services:\n   db:\n-    image: a\n+    image: b\n+    restart: always\n"
    "     environment:\n       X: y\n@@ -20,4 +21,3 @@\n   cache:\n     image: redis\n-    a\n-    b\n+    c\n"
)
DIFF = DiffMap.from_patches({"compose.yaml": PATCH})


def make(line: int, end_line: int | None = None, severity: Severity = Severity.WARNING, **kw: object) -> Finding:
    finding = Finding(
        rule="DR105",
        slug="compose-mutable-image-tag",
        category=Category.MUTABLE_TAG,
        severity=severity,
        path="compose.yaml",
        line=line,
        end_line=end_line,
        message=f"problem at {line}",
        evidence=f"e{line}",
        line_text=f"text {line}",
    )
    return replace(finding, **kw)


def existing(finding: Finding, id: int = 1, **kw: object) -> ExistingComment:
    return ExistingComment(
        id=id,
        path=finding.path,
        line=finding.line,
        fingerprint=finding.fingerprint(),
        thread_id=f"T{id}",
        body=comment_body(finding),
        **kw,
    )


def test_in_diff_vs_outside() -> None:
    inside, context, outside, other = make(3), make(1), make(10), make(1, path="Dockerfile")
    plan = plan_review([outside, inside, other, context], DIFF, [], 30, SHA)
    assert [c.finding for c in plan.new] == [context, inside]
    assert plan.outside_diff == [other, outside]
    payload = plan.review_payload("body")
    assert payload == {
        "commit_id": SHA,
        "event": "COMMENT",
        "body": "body",
        "comments": [
            {"path": "compose.yaml", "line": 1, "side": "RIGHT", "body": plan.new[0].body},
            {"path": "compose.yaml", "line": 3, "side": "RIGHT", "body": plan.new[1].body},
        ],
    }


def test_multi_line_same_hunk_and_across_hunks() -> None:
    same, across, half = make(2, 5), make(5, 22), make(6, 8)
    plan = plan_review([same, across, half], DIFF, [], 30, SHA)
    [comment] = plan.new
    assert comment.to_payload() == {
        "path": "compose.yaml",
        "line": 5,
        "side": "RIGHT",
        "body": comment.body,
        "start_line": 2,
        "start_side": "RIGHT",
    }
    assert plan.outside_diff == [across, half]


def test_patchless_file_takes_no_comment() -> None:
    diff = DiffMap.from_pull_files([{"filename": "big.yaml", "status": "added"}])
    plan = plan_review([make(1, path="big.yaml")], diff, [], 30, SHA)
    assert plan.new == [] and len(plan.outside_diff) == 1


def test_already_posted_including_resolved_threads() -> None:
    open_one, resolved_one, new_one = make(1), make(3), make(4)
    comments = [existing(open_one, 1), existing(resolved_one, 2, is_resolved=True)]
    # the code moved: the comments stay matched by fingerprint, not by line
    moved = [replace(open_one, line=2), replace(resolved_one, line=5), new_one]
    plan = plan_review(moved, DIFF, comments, 30, SHA)
    assert [(f.line, c.id) for f, c in plan.already_posted] == [(2, 1), (5, 2)]
    assert [c.finding for c in plan.new] == [new_one]
    assert plan.fixed == []


def test_fixed_comments_and_threads_to_resolve() -> None:
    gone, gone_resolved, still = make(1), make(3), make(4)
    comments = [existing(gone, 1), existing(gone_resolved, 2, is_resolved=True), existing(still, 3)]
    plan = plan_review([still], DIFF, comments, 30, SHA)
    assert [c.id for c in plan.fixed] == [1, 2]
    assert plan.threads_to_resolve == ["T1"]
    edits = dict(plan.fixed_edits())
    assert parse_marker(edits[1]).fixed == SHA
    assert plan.review_payload("x") is None  # nothing new: no empty review on re-runs

    # next run: the comment says fixed; it is not edited again, and a regression is posted anew
    refixed = replace(comments[0], body=edits[1])
    again = plan_review([still], DIFF, [refixed, comments[2]], 30, SHA)
    assert again.fixed == []
    back = plan_review([gone, still], DIFF, [refixed, comments[2]], 30, SHA)
    assert [c.finding for c in back.new] == [gone]


def test_duplicate_fingerprints_match_one_to_one() -> None:
    first, second = make(1, evidence="same", line_text="same"), make(3, evidence="same", line_text="same")
    assert first.fingerprint() == second.fingerprint()
    plan = plan_review([first, second], DIFF, [existing(second, 7)], 30, SHA)
    assert [(f.line, c.id) for f, c in plan.already_posted] == [(3, 7)]
    assert [c.finding for c in plan.new] == [first]
    plan = plan_review([first], DIFF, [existing(first, 1), existing(second, 2)], 30, SHA)
    assert [c.id for c in plan.fixed] == [2]


def test_cap_keeps_most_severe_then_path_line() -> None:
    notes = [make(n, severity=Severity.NOTE) for n in (1, 2)]
    warning = make(21, severity=Severity.WARNING)
    errors = [make(n, severity=Severity.ERROR) for n in (23, 5)]
    plan = plan_review([*notes, warning, *errors], DIFF, [], 3, SHA)
    assert [c.finding.line for c in plan.new] == [5, 21, 23]  # posted in file order
    assert [f.line for f in plan.capped] == [1, 2]
    assert plan_review(notes, DIFF, [], 0, SHA).review_payload("x") is None


def test_none_diff_means_everything_commentable() -> None:
    plan = plan_review([make(100, 104), make(7)], None, [], 30, SHA)
    assert [(c.start_line, c.line) for c in plan.new] == [(None, 7), (100, 104)]


def test_plan_is_deterministic() -> None:
    items = [make(n, severity=s) for n in (1, 2, 3, 4, 5, 21) for s in (Severity.NOTE, Severity.ERROR)]
    a = plan_review(items, DIFF, [], 4, SHA)
    b = plan_review(list(reversed(items)), DIFF, [], 4, SHA)
    assert a.review_payload("x") == b.review_payload("x")
    assert [f.sort_key() for f in a.capped] == [f.sort_key() for f in b.capped]


def test_existing_from_rest() -> None:
    finding = make(3)
    body = comment_body(finding)
    rest = {"id": 11, "path": "compose.yaml", "line": 3, "body": body}
    parsed = ExistingComment.from_rest(rest, {11: ("PRRT_x", True)})
    assert parsed == ExistingComment(11, "compose.yaml", 3, finding.fingerprint(), "PRRT_x", True, body)
    assert ExistingComment.from_rest({**rest, "in_reply_to_id": 5}) is None
    assert ExistingComment.from_rest({**rest, "body": "no marker"}) is None
    assert ExistingComment.from_rest({**rest, "body": mark_fixed(body, SHA)}).is_fixed


def test_lower_confidence_findings_go_to_the_summary_only() -> None:
    from dockreview.bot.review.summary import review_body
    from dockreview.rules.finding import Confidence

    sure = make(3)
    unsure = replace(make(4), confidence=Confidence.MEDIUM)
    plan = plan_review([sure, unsure], None, [], 30, SHA)
    assert [c.finding for c in plan.new] == [sure]
    assert plan.summary_only == [unsure] and plan.status(unsure) == "summary-only"
    assert "of lower confidence" in review_body(plan) and "found 2 new problems" in review_body(plan)
    both = plan_review([sure, unsure], None, [], 30, SHA, inline_confidence=Confidence.MEDIUM)
    assert [c.finding for c in both.new] == [sure, unsure] and both.summary_only == []
