"""A required check a pull request cannot turn green by itself (issue 12), through the real webhook
service and worker over HTTP, against the fake GitHub over HTTP."""

from __future__ import annotations

import pytest

from tests.apprunner import AppServer, settings_for
from tests.fakegithub import FakeGitHub
from tests.test_app_e2e import BASE_COMPOSE, RISKY_COMPOSE, completed_run, open_pr, send

TRUSTING_CONFIG = "suppressions:\n  from_pull_request: true\n"


@pytest.fixture
def github(monkeypatch):
    monkeypatch.setenv("DOCKREVIEW_RETRY_BASE", "0.05")
    monkeypatch.setenv("DOCKREVIEW_MAX_RETRY_DELAY", "0.5")
    gh = FakeGitHub()
    gh.start()
    app = gh.create_app(slug="dockreview", webhook_secret="whsec-test")
    gh.create_repo("octo/shop", files={"compose.yaml": BASE_COMPOSE, "README.md": "# shop\n"})
    gh.install(app, "octo", ["shop"])
    gh.add_user("alice", permission_on={"octo/shop": "write"})
    yield gh, app
    gh.stop()


def review_of(gh: FakeGitHub, app, files: dict[str, str]) -> tuple[dict, int]:
    number, sha = open_pr(gh, files)
    with AppServer(settings_for(gh, app)) as server:
        assert send(gh, app, server, "opened", number) == 202
        [run] = completed_run(gh, sha)
    return run, number


# --- 1. suppressions the pull request adds --------------------------------------------------------

SUPPRESSED_INLINE = RISKY_COMPOSE.replace(
    "API_TOKEN: tok-1234567890", "API_TOKEN: tok-1234567890  # dockreview: ignore[DR101]"
).replace("POSTGRES_PASSWORD: hunter2", "POSTGRES_PASSWORD: hunter2  # dockreview: ignore")
SUPPRESSED_FILE = "# dockreview: ignore-file\n" + RISKY_COMPOSE


@pytest.mark.parametrize("text", [SUPPRESSED_INLINE, SUPPRESSED_FILE], ids=["inline", "ignore-file"])
def test_a_suppression_the_pull_request_adds_does_not_pass_the_check(github, text) -> None:
    gh, app = github
    run, number = review_of(gh, app, {"compose.yaml": text})
    assert run["conclusion"] == "failure"
    summary = run["output"]["summary"]
    assert "suppressed by a comment this PR adds" in summary
    assert "suppressed by a comment this pull request adds" in summary  # on each finding
    assert "suppressed by `dockreview: ignore` comments" not in summary
    comments = gh.review_comments("octo/shop", number)
    assert comments and all("suppressed by a comment this pull request adds" in c["body"] for c in comments)


def test_the_base_branch_config_may_trust_suppressions_from_pull_requests(github) -> None:
    gh, app = github
    gh.push("octo/shop", "main", files={".github/dockreview.yml": TRUSTING_CONFIG})
    run, number = review_of(gh, app, {"compose.yaml": SUPPRESSED_INLINE})
    assert run["conclusion"] == "success"
    assert "2 findings suppressed by `dockreview: ignore` comments" in run["output"]["summary"]
    assert gh.review_comments("octo/shop", number) == []


def test_the_pull_request_cannot_trust_its_own_suppressions(github) -> None:
    gh, app = github
    run, _ = review_of(gh, app, {"compose.yaml": SUPPRESSED_FILE, ".github/dockreview.yml": TRUSTING_CONFIG})
    assert run["conclusion"] == "failure"


def test_suppressions_already_on_the_base_count_as_before(github) -> None:
    gh, app = github
    gh.push("octo/shop", "main", files={"compose.yaml": SUPPRESSED_INLINE})
    run, _ = review_of(gh, app, {"compose.yaml": SUPPRESSED_INLINE + "# a comment\n"})
    assert run["conclusion"] == "success"
    assert "suppressed by a comment this PR adds" not in run["output"]["summary"]
