"""Turning a review report into GitHub output: inline comments, the review, the check run.

Pure functions: no network and no GitHub client. The App's worker sends what they return.
"""

from dockreview.bot.review.comment import comment_body, fixed_note, mark_fixed
from dockreview.bot.review.diffmap import DiffMap, FileDiff, Hunk, parse_patch
from dockreview.bot.review.markers import Marker, marker, parse_marker
from dockreview.bot.review.plan import ExistingComment, InlineComment, ReviewPlan, plan_review
from dockreview.bot.review.render import CheckRunOutput, check_run_output, render_markdown, review_payload
from dockreview.bot.review.summary import (
    batches,
    check_annotations,
    check_output,
    conclusion,
    no_docker_changes_output,
    review_body,
)

__all__ = [
    "CheckRunOutput",
    "DiffMap",
    "ExistingComment",
    "FileDiff",
    "Hunk",
    "InlineComment",
    "Marker",
    "ReviewPlan",
    "batches",
    "check_annotations",
    "check_output",
    "check_run_output",
    "comment_body",
    "conclusion",
    "fixed_note",
    "mark_fixed",
    "marker",
    "no_docker_changes_output",
    "parse_marker",
    "parse_patch",
    "plan_review",
    "render_markdown",
    "review_body",
    "review_payload",
]
