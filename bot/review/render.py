"""What the bot posts for one review — the review with its inline comments and the check run — from
one `Report`, by one set of functions. The App's worker posts it; `dockreview diff --format
github-review` prints it. Nothing else composes a review or a check-run output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dockreview.bot.review import markdown as md
from dockreview.bot.review import summary
from dockreview.bot.review.diffmap import DiffMap
from dockreview.bot.review.plan import ExistingComment, ReviewPlan, plan_review
from dockreview.rules.config import Config
from dockreview.rules.report import Report


@dataclass(slots=True)
class CheckRunOutput:
    conclusion: str
    output: dict[str, str]
    annotations: list[dict[str, Any]]


def review_plan(report: Report, diff: DiffMap | None, existing: list[ExistingComment], config: Config,
                head_sha: str) -> ReviewPlan:
    """Which findings become inline comments, which are already posted, which threads are fixed.
    `diff` None: every finding's lines can take a comment (no pull request diff at hand)."""
    return plan_review(report.findings, diff, existing, config.max_comments, head_sha,
                       inline_confidence=config.inline_confidence)


def review_payload(plan: ReviewPlan) -> dict[str, Any] | None:
    """The `POST .../reviews` body (None: nothing to post)."""
    return plan.review_payload(summary.review_body(plan))


def check_run_output(report: Report, plan: ReviewPlan, config: Config, head_sha: str,
                     repo_url: str | None = None) -> CheckRunOutput:
    """Conclusion, output and annotations of the check run, after the review was posted (a rejected
    review moves its comments to the summary, so this reads the plan as it ended)."""
    return CheckRunOutput(
        conclusion=summary.conclusion(report, config),
        output=summary.check_output(report, plan, head_sha=head_sha, config=config, repo_url=repo_url),
        annotations=summary.check_annotations(report.findings),
    )


def render_markdown(report: Report, diff: DiffMap | None, config: Config, head_sha: str = "HEAD",
                    repo_url: str | None = None) -> str:
    """What the App would post for `report`, as one markdown document: the review body, each inline
    comment under its `path:line` header, then the check run (title and summary, as posted)."""
    plan = review_plan(report, diff, [], config, head_sha)
    payload = review_payload(plan)
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
    check = check_run_output(report, plan, config, head_sha, repo_url)
    parts.append(check_run_markdown(check))
    return "\n\n".join(parts) + "\n"


CHECK_RUN_HEADER = "# Check run: "


def check_run_markdown(check: CheckRunOutput) -> str:
    title = md.escape_text(check.output["title"])
    return f"{CHECK_RUN_HEADER}{title} ({check.conclusion})\n\n{check.output['summary']}"
