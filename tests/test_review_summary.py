import json

from dockreview.bot.review.diffmap import DiffMap
from dockreview.bot.review.plan import plan_review
from dockreview.bot.review.render import render_markdown
from dockreview.bot.review.summary import (
    MAX_SUMMARY,
    batches,
    check_annotations,
    check_output,
    conclusion,
    no_docker_changes_output,
    review_body,
    title_for,
)
from dockreview.rules import Category, Config, Finding, Severity
from dockreview.rules.config import ConfigIssue
from dockreview.rules.engine import Note, Report
from dockreview.rules.values import replace

from tests.helpers import findings

SHA = "b" * 40
REPO = "https://github.com/octo/app"
PASSWORD = "hunter2-Sup3rSecret"
COMPOSE = {
    "compose.yaml": f"""
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_USER: app
              POSTGRES_PASSWORD: {PASSWORD}
            volumes:
              - db-data:/var/lib/postgresql/data
        volumes:
          db-data:
        """
}


def make(n: int, severity: Severity = Severity.WARNING, path: str = "compose.yaml", **kw: object) -> Finding:
    finding = Finding(
        rule="DR105",
        slug="compose-mutable-image-tag",
        category=Category.MUTABLE_TAG,
        severity=severity,
        path=path,
        line=n,
        message=f"image `web{n}` uses a mutable tag @team | <img src=x> [x](http://e.vil)",
        fix="Pin it",
        evidence=str(n),
        line_text=f"image: web{n}",
    )
    return replace(finding, **kw)


def test_titles_and_conclusion() -> None:
    items = [make(1, Severity.ERROR), make(2, Severity.ERROR), make(3), make(4, Severity.NOTE)]
    assert title_for(items) == "2 errors, 1 warning, 1 note in Docker changes"
    assert title_for([]) == "No problems in Docker changes"
    report = Report(findings=items)
    assert conclusion(report, Config()) == "failure"
    assert conclusion(Report(findings=items[2:]), Config()) == "success"
    assert conclusion(Report(findings=items[2:]), Config(fail_on="note")) == "failure"
    assert conclusion(report, Config(fail_on="never")) == "success"
    assert no_docker_changes_output()["title"] == "No Docker changes"
    assert "\n" not in no_docker_changes_output()["summary"]


def test_summary_sections_links_and_escaping() -> None:
    items = [make(3, Severity.ERROR), make(10), make(1, path="dir/a b(1).yml", end_line=4)]
    diff = DiffMap.from_patches({"compose.yaml": "@@ -1,3 +1,4 @@\n a\n b\n+c\n d\n"})
    plan = plan_review(items, diff, [], 30, SHA)
    config = Config(issues=[ConfigIssue(".github/dockreview.yml", 3, "invalid config at `rules`: bad")])
    report = Report(findings=items, files_checked=["compose.yaml"], suppressed=2)
    out = check_output(
        report, plan, head_sha=SHA, config=config, skipped=[Note("big.yaml", "too large")], repo_url=REPO
    )
    summary = out["summary"]
    assert out["title"] == "1 error, 2 warnings in Docker changes"
    assert "This check fails" in summary
    assert "2 findings suppressed" in summary
    assert f"[`compose.yaml:3`]({REPO}/blob/{SHA}/compose.yaml#L3)" in summary
    assert f"({REPO}/blob/{SHA}/dir/a%20b%281%29.yml#L1-L4)" in summary
    assert "| commented |" in summary and "| outside the diff |" in summary
    assert "### Not commented inline" in summary
    assert "### Configuration problems" in summary and "line 3: invalid config" in summary
    assert "### Not checked" in summary and "too large" in summary
    assert "| hardcoded-secret |" not in summary and "| mutable-tag | 3 |" in summary
    for bad in ("@team", "<img", "](http://e.vil"):
        assert bad not in summary
    assert "#### DR105 · compose-mutable-image-tag" in out["text"]


def test_summary_fits_with_5000_findings() -> None:
    items = [
        make(n, [Severity.ERROR, Severity.WARNING, Severity.NOTE][n % 3], path=f"svc{n % 40}/compose.yaml")
        for n in range(1, 5001)
    ]
    plan = plan_review(items, DiffMap(), [], 30, SHA)
    notes = [Note(f"file{n}.yaml", "skipped: " + "x" * 300) for n in range(500)]
    out = check_output(Report(findings=items), plan, head_sha=SHA, config=Config(), skipped=notes, repo_url=REPO)
    assert len(out["summary"]) <= MAX_SUMMARY
    assert len(out["text"]) <= MAX_SUMMARY
    assert "more_" in out["summary"]  # "... and N more", not a cut in mid-row
    for line in out["summary"].splitlines():
        if line.startswith("|"):
            assert line.endswith("|")
    body = review_body(plan)
    assert len(body) <= 65536
    assert body.count("<details>") == body.count("</details>") == 1


def test_review_body_lists_capped_in_details() -> None:
    diff = DiffMap.from_patches({"compose.yaml": "@@ -1,5 +1,5 @@\n" + " x\n" * 5})
    plan = plan_review([make(n) for n in range(1, 6)] + [make(50)], diff, [], 2, SHA)
    body = review_body(plan)
    # Every problem of the change is counted, not only those commented inline.
    assert body.startswith("**dockreview** found 6 new problems (6 warnings). 2 commented inline, the others "
                           "listed below.")
    assert "<details><summary>3 more findings over the limit of 2 inline comments</summary>" in body
    assert "<details><summary>1 more finding on lines outside the diff</summary>" in body
    assert "@team" not in body


def test_review_body_counts_every_problem_with_max_comments() -> None:
    diff = DiffMap.from_patches({"compose.yaml": "@@ -1,40 +1,40 @@\n" + " x\n" * 40})
    plan = plan_review([make(n) for n in range(1, 33)], diff, [], 3, SHA)
    body = review_body(plan)
    assert body.startswith("**dockreview** found 32 new problems (32 warnings). 3 commented inline")
    assert "29 more findings over the limit of 3 inline comments" in body


def test_annotations_levels_columns_and_batches() -> None:
    items = [make(1, Severity.ERROR, column=5), make(2, Severity.WARNING, end_line=4), make(3, Severity.NOTE)]
    items.append(make(9, slug="x" * 400, suggestion="image: web:1.2"))
    result = check_annotations(items, max_message=50)
    assert [a["annotation_level"] for a in result] == ["failure", "warning", "notice", "warning"]
    assert result[0]["start_column"] == 5 and result[0]["end_column"] == 5
    assert "start_column" not in result[1] and result[1]["end_line"] == 4
    assert result[0]["title"] == "DR105 compose-mutable-image-tag"
    assert len(result[3]["title"]) == 255
    assert all(len(a["message"]) <= 50 for a in result)
    assert result[3]["raw_details"].startswith("Suggested replacement:")
    many = check_annotations([make(n) for n in range(1, 121)])
    chunks = list(batches(many))
    assert [len(c) for c in chunks] == [50, 50, 20]
    assert [a for c in chunks for a in c] == many
    assert list(batches([], 50)) == []


def test_no_secret_in_any_output() -> None:
    items = findings(COMPOSE)
    assert [f.rule for f in items] == ["DR101"]
    report = Report(findings=items, files_checked=["compose.yaml"])
    plan = plan_review(items, None, [], 30, SHA)
    outputs = [
        json.dumps(plan.review_payload(review_body(plan))),
        json.dumps(check_output(report, plan, head_sha=SHA, config=Config(), repo_url=REPO)),
        json.dumps(check_annotations(items)),
        render_markdown(Report(findings=items), None, Config(), SHA),
        json.dumps(plan.fixed_edits()),
    ]
    for text in outputs:
        assert PASSWORD not in text
        assert "hunter2" not in text


def test_render_review_markdown() -> None:
    items = findings(COMPOSE)
    text = render_markdown(Report(findings=items), None, Config(), SHA)
    assert text.startswith("# Pull request review\n\n**dockreview** found 1 new problem (1 error).")
    assert "## `compose.yaml:6`" in text
    assert "```suggestion\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}\n```" in text
    assert "# Check run: 1 error in Docker changes" in text
    diff = DiffMap.from_patches({"compose.yaml": "@@ -1,2 +1,2 @@\n a\n b\n"})
    outside = render_markdown(Report(findings=items), diff, Config())
    assert "nothing would be posted as a review" in outside
    assert "| outside the diff |" in outside
