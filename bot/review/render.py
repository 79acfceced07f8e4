"""What the bot would post, as one markdown document (`dockreview diff --format github-review`)."""

from __future__ import annotations

from collections.abc import Iterable

from dockreview.bot.review import markdown as md
from dockreview.bot.review.diffmap import DiffMap
from dockreview.bot.review.plan import plan_review
from dockreview.bot.review.summary import check_output, review_body
from dockreview.rules.config import Config
from dockreview.rules.engine import Report
from dockreview.rules.finding import Finding


def render_review_markdown(
    findings: Iterable[Finding], diff: DiffMap | None, head_sha: str = "HEAD", config: Config | None = None
) -> str:
    """The review body, each inline comment under its `path:line` header, then the check run.

    `diff` None means every finding's lines can take a comment (no PR diff at hand).
    """
    config = config or Config()
    findings = list(findings)
    plan = plan_review(findings, diff, [], config.max_comments, head_sha)
    report = Report(findings=findings, files_checked=sorted({f.path for f in findings}))
    payload = plan.review_payload(review_body(plan))
    parts = ["# Pull request review"]
    if payload is None:
        parts.append("_No inline comments: nothing would be posted as a review._")
    else:
        parts.append(payload["body"])
        for comment in plan.new:
            where = (
                f"{comment.path}:{comment.start_line}-{comment.line}"
                if comment.start_line
                else (f"{comment.path}:{comment.line}")
            )
            parts.append(f"## {md.inline_code(where)}\n\n{comment.body}")
    output = check_output(report, plan, head_sha=head_sha, config=config)
    parts.append(f"# Check run: {md.escape_text(output['title'])}\n\n{output['summary']}")
    return "\n\n".join(parts) + "\n"
