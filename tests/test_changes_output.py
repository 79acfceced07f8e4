"""The container changes in `dockreview diff` (text, JSON) and in the check run summary."""

from __future__ import annotations

from pathlib import Path

from dockreview.bot.review.summary import check_output
from dockreview.rules import Config

from tests.changes_support import review_pair
from tests.cli_support import Git, run_cli

BASE = """\
services:
  db:
    image: postgres:16.4
    volumes:
      - db-data:/var/lib/postgresql/data
  api:
    image: ghcr.io/acme/api:1.8.0
    environment:
      API_TOKEN: ${API_TOKEN}
volumes:
  db-data: {}
"""
HEAD = BASE.replace("    volumes:\n      - db-data:/var/lib/postgresql/data\n", "").replace(
    "      API_TOKEN: ${API_TOKEN}\n", "      API_TOKEN: ${API_TOKEN}\n      DB_PASSWORD: hunter2-literal\n")


def repo(tmp_path: Path, head: str = HEAD) -> Git:
    git = Git(tmp_path / "repo")
    git.commit({"compose.yaml": BASE}, "base")
    git("checkout", "-q", "-b", "feature")
    git.commit({"compose.yaml": head})
    return git


def test_text_shows_container_changes_before_findings(capsys, tmp_path):
    git = repo(tmp_path)
    out = run_cli(capsys, "diff", "--base", "main", "--head", "feature", cwd=git.root).out
    assert out.startswith("Container changes (2)\n  compose.yaml (compose)\n")
    assert "    + api environment: DB_PASSWORD added  (line 8)\n" in out
    assert "    - db volumes: db-data:/var/lib/postgresql/data removed  (line 3)\n" in out
    assert out.index("Container changes") < out.index("DR150")
    assert "hunter2-literal" not in out.split("compose.yaml:")[0]


def test_json_has_changes(capsys, tmp_path):
    git = repo(tmp_path)
    data = run_cli(capsys, "diff", "--base", "main", "--head", "feature", "--format", "json", cwd=git.root).json()
    assert set(data) == {"findings", "files_checked", "errors", "changes"}
    assert data["changes"][0] == {"path": "compose.yaml", "kind": "compose", "object": "api", "field": "environment",
                                  "before": None, "after": "DB_PASSWORD", "line": 8, "base_line": None}
    assert {f["rule"] for f in data["findings"]} >= {"DR150", "DR101"}


def test_check_has_no_changes_section(capsys, tmp_path):
    git = repo(tmp_path)
    out = run_cli(capsys, "check", "--format", "json", cwd=git.root).json()
    assert "changes" not in out
    assert "Container changes" not in run_cli(capsys, "check", cwd=git.root).out


def test_text_with_no_container_changes(capsys, tmp_path):
    git = repo(tmp_path, head=BASE.replace("services:\n", "# the stack\nservices:\n"))
    out = run_cli(capsys, "diff", "--base", "main", "--head", "feature", cwd=git.root).out
    assert out.startswith("Container changes: none")


def test_summary_starts_with_the_changes_table():
    report = review_pair({"compose.yaml": BASE}, {"compose.yaml": HEAD})
    summary = check_output(report, None, head_sha="abc1234", config=Config())["summary"]
    assert summary.startswith("2 container-level changes; 3 findings below.\n\n### Container changes\n\n"
                              "| | File | Object | Field | Before | After |\n")
    assert "| - | `compose.yaml` | `db` | `volumes` | `db-data:/var/lib/postgresql/data` |  |" in summary
    assert summary.index("### Container changes") < summary.index("### Findings")


def test_summary_one_liners():
    harmless = review_pair({"compose.yaml": BASE}, {"compose.yaml": BASE.replace("1.8.0", "1.9.0")})
    summary = check_output(harmless, None, head_sha="abc1234", config=Config())["summary"]
    assert summary.startswith("1 container-level change; no problems found.\n\n### Container changes")
    assert "harmless" not in summary
    nothing = review_pair({"compose.yaml": BASE}, {"compose.yaml": "# comment\n" + BASE})
    summary = check_output(nothing, None, head_sha="abc1234", config=Config())["summary"]
    assert summary.startswith("No container-level changes")


def test_summary_of_a_plain_check_has_no_changes_section():
    from dockreview.rules import Snapshot, review

    report = review(Snapshot.from_mapping({"compose.yaml": BASE}))
    summary = check_output(report, None, head_sha="abc1234", config=Config())["summary"]
    assert "Container changes" not in summary and "container-level" not in summary


def test_summary_masks_secrets_and_caps_the_table():
    base = "services:\n" + "".join(f"  s{i}:\n    image: acme/s{i}:1.0.{i}\n" for i in range(400))
    head = base.replace(":1.0.", ":2.0.")
    report = review_pair({"compose.yaml": base}, {"compose.yaml": head})
    summary = check_output(report, None, head_sha="abc1234", config=Config())["summary"]
    assert "_... and " in summary and len(summary) < 65535
