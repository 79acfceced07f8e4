"""How many GitHub calls one pull request review makes (the fake GitHub over HTTP counts them):
the config is read in the first blob batch, head and base files are batched together."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from dockreview.bot.github import GitHubClient
from dockreview.bot.worker.pull_request import PullRequestReview

from tests.apprunner import settings_for
from tests.fakegithub import FakeGitHub

BASE = {"compose.yaml": "services:\n  web:\n    image: example/web:1.4\n", "README.md": "# shop\n",
        ".dockreview.yml": "max_comments: 20\n"}
HEAD = {"compose.yaml": "services:\n  web:\n    image: example/web:latest\n    privileged: true\n",
        "Dockerfile": "FROM python:latest\n", "deploy.sh": "#!/bin/sh\ndocker compose down -v\n"}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    gh = FakeGitHub()
    gh.start()
    yield gh
    gh.stop()


def review_calls(gh: FakeGitHub, changed_sources: int) -> tuple[str, list[tuple[str, str]]]:
    """(conclusion, the calls of one review) for a PR changing 3 Docker files and `changed_sources` others."""
    app = gh.create_app(slug="dockreview", webhook_secret="whsec-test")
    gh.create_repo("octo/shop", files={**BASE, **{f"src/f{i}.py": "x = 1\n" for i in range(changed_sources)}})
    installation = gh.install(app, "octo", ["shop"])
    gh.add_user("alice", permission_on={"octo/shop": "write"})
    gh.push("octo/shop", "feature", files={**HEAD, **{f"src/f{i}.py": "x = 2\n" for i in range(changed_sources)}})
    number = gh.open_pull_request("octo/shop", head="feature", base="main", user="alice")
    client = GitHubClient(settings_for(gh, app), installation)

    async def run() -> str:
        await client.json("GET", f"/repos/octo/shop/pulls/{number}")  # the installation token, before counting
        gh.reset_calls()
        return (await PullRequestReview(client, "octo", "shop", number, job_id="j1").run()).conclusion

    conclusion = asyncio.run(run())
    return conclusion, [(c.method, c.operation or c.path) for c in gh.calls if "access_tokens" not in c.path]


def test_a_small_pull_request_costs_twelve_calls_with_one_graphql_read(github: FakeGitHub) -> None:
    conclusion, calls = review_calls(github, 1)
    assert conclusion == "failure"  # the review happened: privileged, down -v
    assert len(calls) <= 12, [op for _, op in calls]
    assert sum(op == "graphql" for _, op in calls) == 1, calls  # config, head and base files in one query


def test_a_hundred_changed_files_cost_no_more(github: FakeGitHub) -> None:
    _, calls = review_calls(github, 97)
    assert len(calls) <= 12, [op for _, op in calls]
    assert sum(op == "graphql" for _, op in calls) == 1, calls
