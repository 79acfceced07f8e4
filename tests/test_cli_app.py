"""The App's CLI commands and `--format github-review`: what the bot would post, for a local branch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import ROOT, Git, run_cli
from tests.test_cli_diff import BASE_COMPOSE


@pytest.fixture
def repo(tmp_path: Path) -> Git:
    git = Git(tmp_path / "repo")
    git.commit({"compose.yaml": BASE_COMPOSE, "README.md": "hello\n"}, "base")
    git("checkout", "-q", "-b", "feature")
    return git


def test_github_review_shows_the_review_the_app_would_post(capsys, repo) -> None:
    text = BASE_COMPOSE.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n      API_TOKEN: tok-8f2a9c1b")
    repo.commit({"compose.yaml": text})
    result = run_cli(capsys, "diff", "--base", "main", "--head", "feature", "--format", "github-review",
                     cwd=repo.root)
    assert result.code == 1
    assert "compose.yaml:10" in result.out
    assert "```suggestion" in result.out
    assert "tok-8f2a9c1b" not in result.out
    assert "dockreview:v1" in result.out  # the hidden marker each inline comment carries
    # The old secret on line 5 is not part of the change: not in the review.
    assert "compose.yaml:5" not in result.out


def run_env(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "REDIS_URL"}}
    return subprocess.run([sys.executable, "-m", "dockreview.bot.cli", *args], env={**clean, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_serve_with_missing_settings_exits_2_and_says_what_is_missing() -> None:
    done = run_env(["serve", "--port", "0"], {"APP_ID": "abc"})
    assert done.returncode == 2
    assert "APP_ID must be the numeric App ID" in done.stderr
    assert "WEBHOOK_SECRET is not set" in done.stderr
    assert "PRIVATE_KEY" in done.stderr


def test_serve_runs_with_its_start_up_heap_out_of_the_collectors_reach() -> None:
    """A full collection scans only what came after start-up (bot/cli/processes.py): by the time
    uvicorn runs the app, the modules and the app are frozen (`gc.freeze`)."""
    from tests.test_webhook_app import KEY

    code = ("import gc, sys, uvicorn\n"
            "uvicorn.run = lambda app, **kw: print('frozen', gc.get_freeze_count(), type(app).__name__)\n"
            "from dockreview.bot.cli.processes import serve\n"
            "sys.exit(serve('127.0.0.1', 0))\n")
    clean = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**clean, "APP_ID": "1", "PRIVATE_KEY": KEY, "WEBHOOK_SECRET": "x", "LOG_LEVEL": "error"})
    assert done.returncode == 0, done.stderr
    word, count, app = done.stdout.split()
    assert word == "frozen" and app == "Service"
    assert int(count) > 20_000  # the imports alone (uvicorn, FastAPI, the worker's githubkit) are more


def test_worker_needs_redis() -> None:
    from tests.test_webhook_app import KEY

    done = run_env(["worker"], {"APP_ID": "1", "PRIVATE_KEY": KEY, "WEBHOOK_SECRET": "x"})
    assert done.returncode == 2 and "REDIS_URL" in done.stderr


def test_replay_runs_a_stored_event_against_github(tmp_path: Path) -> None:
    from tests.fakegithub import FakeGitHub
    from tests.test_app_e2e import RISKY_COMPOSE

    gh = FakeGitHub()
    gh.start()
    try:
        app = gh.create_app(slug="dockreview", webhook_secret="s")
        gh.create_repo("octo/shop", files={"README.md": "x\n"})
        gh.install(app, "octo", ["shop"])
        sha = gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE})
        number = gh.open_pull_request("octo/shop", head="feature", base="main", user="alice")
        stored = tmp_path / "delivery.json"
        stored.write_text(json.dumps(gh.event_payload("pull_request", "opened", repo="octo/shop", number=number)))
        done = run_env(["replay", str(stored)], {
            "APP_ID": str(app.id), "PRIVATE_KEY": app.private_key_pem, "WEBHOOK_SECRET": "s",
            "GITHUB_API_URL": gh.base_url, "LOG_LEVEL": "error"})
        assert done.returncode == 0, done.stderr
        assert "replayed review of octo/shop#" in done.stdout
        [run] = gh.check_runs("octo/shop", sha=sha, name="dockreview")
        assert run["status"] == "completed" and run["conclusion"] == "failure"
        assert len(gh.review_comments("octo/shop", number)) == 2
    finally:
        gh.stop()


def test_replay_of_a_job_that_fails_exits_1_and_says_so(tmp_path: Path) -> None:
    from tests.fakegithub import FakeGitHub
    from tests.test_app_e2e import RISKY_COMPOSE

    gh = FakeGitHub()
    gh.start()
    try:
        app = gh.create_app(slug="dockreview", webhook_secret="s")
        gh.create_repo("octo/shop", files={"README.md": "x\n"})
        gh.install(app, "octo", ["shop"])
        gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE})
        number = gh.open_pull_request("octo/shop", head="feature", base="main", user="alice")
        stored = tmp_path / "delivery.json"
        stored.write_text(json.dumps(gh.event_payload("pull_request", "opened", repo="octo/shop", number=number)))
        other = gh.create_app(slug="other", webhook_secret="t")  # a key GitHub does not take for this App
        done = run_env(["replay", str(stored)], {
            "APP_ID": str(app.id), "PRIVATE_KEY": other.private_key_pem, "WEBHOOK_SECRET": "s",
            "GITHUB_API_URL": gh.base_url, "LOG_LEVEL": "error"})
        assert done.returncode == 1, done.stdout + done.stderr
        assert "replay failed" in done.stderr and done.stdout == ""
    finally:
        gh.stop()


def test_redeliver_rejects_a_bad_duration() -> None:
    from tests.test_webhook_app import KEY

    done = run_env(["redeliver", "--since", "9d"], {"APP_ID": "1", "PRIVATE_KEY": KEY, "WEBHOOK_SECRET": "x"})
    assert done.returncode == 2 and "--since" in done.stderr


def test_check_on_two_processes_says_exactly_what_one_says(capsys) -> None:
    one = run_cli(capsys, "check", "examples/shop", "--format", "json", "--jobs", "1", cwd=ROOT)
    two = run_cli(capsys, "check", "examples/shop", "--format", "json", "--jobs", "2", cwd=ROOT)
    assert one.code == two.code == 1
    assert one.json() == two.json()
    assert len(one.json()["findings"]) > 20
