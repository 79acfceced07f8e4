"""`dockreview diff --format github-review` prints exactly what the App posts for the same change.

The App reviews a pull request against the fake GitHub (real HTTP); the CLI reviews the same two
commits in a real git repository whose `origin` is that repository. The review body, every inline
comment, the check run's title, conclusion and summary must be equal — only the commit ids differ
(the fake computes its own), so the fake's head sha is replaced by git's before comparing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from dockreview.bot.review.render import CHECK_RUN_HEADER

from tests.apprunner import AppServer, settings_for, wait_for
from tests.fakegithub import FakeGitHub

os.environ.setdefault("DOCKREVIEW_RETRY_BASE", "0.05")

BASE = {
    "compose.yaml": dedent("""\
        services:
          web:
            image: example/web:1.4
            ports:
              - "127.0.0.1:8080:80"
          db:
            image: postgres:16
            volumes:
              - db-data:/var/lib/postgresql/data
        volumes:
          db-data:
        """),
    "README.md": "# shop\n",
}
HEAD = {
    "compose.yaml": dedent("""\
        services:
          web:
            image: example/web:latest
            ports:
              - "8080:80"
            environment:
              API_TOKEN: tok-1234567890
          db:
            image: postgres:16
            ports:
              - "5432:5432"
        """),
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def app_posting() -> tuple[str, str, list[dict], dict]:
    gh = FakeGitHub()
    gh.start()
    try:
        app = gh.create_app(slug="dockreview", webhook_secret="whsec-test")
        gh.create_repo("octo/shop", files=BASE)
        gh.install(app, "octo", ["shop"])
        gh.add_user("alice", permission_on={"octo/shop": "write"})
        sha = gh.push("octo/shop", "feature", files=HEAD)
        number = gh.open_pull_request("octo/shop", head="feature", base="main", user="alice")
        with AppServer(settings_for(gh, app)) as server:
            payload = gh.event_payload("pull_request", "opened", repo="octo/shop", number=number)
            assert gh.deliver("pull_request", payload, url=server.url, app=app)[0] == 202

            def done() -> list[dict] | None:
                runs = [r for r in gh.check_runs("octo/shop", sha=sha, name="dockreview") if r["status"] == "completed"]
                return runs or None

            run = wait_for(done, timeout=60)[0]
        reviews = gh.reviews("octo/shop", number)
        comments = gh.review_comments("octo/shop", number)
        assert len(reviews) == 1
        return sha, reviews[0]["body"], comments, run
    finally:
        gh.stop()


def cli_posting(tmp_path: Path) -> tuple[str, str]:
    repo = tmp_path / "shop"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for path, text in BASE.items():
        (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "feature")
    for path, text in HEAD.items():
        (repo / path).write_text(text)
    git(repo, "commit", "-qam", "head")
    git(repo, "remote", "add", "origin", "https://github.com/octo/shop.git")
    head = git(repo, "rev-parse", "HEAD")
    proc = subprocess.run([sys.executable, "-m", "dockreview.bot.cli", "diff", "--base", "main", "--head", "feature",
                           "--format", "github-review"], cwd=repo, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    return head, proc.stdout


def test_cli_prints_what_the_app_posts(tmp_path: Path) -> None:
    fake_sha, review_body, comments, run = app_posting()
    git_sha, printed = cli_posting(tmp_path)

    def local(text: str) -> str:
        for length in range(40, 6, -1):  # full and abbreviated ids alike
            text = text.replace(fake_sha[:length], git_sha[:length])
        return text

    review_part, _, check_part = printed.partition(f"\n\n{CHECK_RUN_HEADER}")
    assert review_part.startswith("# Pull request review\n\n")
    sections = review_part.removeprefix("# Pull request review\n\n").split("\n\n## `")
    assert sections[0] == local(review_body)
    printed_comments = {}
    for section in sections[1:]:
        where, _, body = section.partition("`\n\n")
        printed_comments[where] = body
    posted = {f"{c['path']}:{c['line']}": local(c["body"]) for c in comments}
    assert printed_comments == posted and len(posted) >= 3
    title_line, _, summary = check_part.removesuffix("\n").partition("\n\n")
    assert title_line == f"{run['output']['title']} ({run['conclusion']})"
    assert summary == local(run["output"]["summary"])
    assert run["conclusion"] == "failure"


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/o/r.git", "https://github.com/o/r"),
    ("git@github.com:o/r.git", "https://github.com/o/r"),
    ("ssh://git@ghe.example.com/o/r", "https://ghe.example.com/o/r"),
    ("https://x-access-token:abc@github.com/o/r", "https://github.com/o/r"),
    ("/srv/git/r", None),
])
def test_web_url_of_remote(url: str, expected: str | None) -> None:
    from dockreview.bot.cli.gitrepo import web_url_of

    assert web_url_of(url) == expected
