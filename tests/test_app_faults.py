"""Faults with the real parts: redis-server restarted, a worker SIGKILLed mid-review, two workers
racing on one pull request, a force-push during a review. Nothing lost, nothing posted twice, every
check run completed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.apprunner import AppServer, settings_for, wait_for
from tests.fakegithub import FakeGitHub
from tests.test_app_e2e import RISKY_COMPOSE, completed_run, open_pr, send

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def github():
    gh = FakeGitHub()
    gh.start()
    app = gh.create_app(slug="dockreview", webhook_secret="whsec-test")
    gh.create_repo("octo/shop", files={"compose.yaml": "services:\n  web:\n    image: example/web:1.4\n"})
    gh.install(app, "octo", ["shop"])
    gh.add_user("alice", permission_on={"octo/shop": "write"})
    yield gh, app
    gh.stop()


def start_worker(gh: FakeGitHub, app, redis_url: str, *, job_timeout: float = 2.0,
                 retry_base: float = 0.05) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "APP_ID": str(app.id), "PRIVATE_KEY": app.private_key_pem, "WEBHOOK_SECRET": app.webhook_secret,
        "GITHUB_API_URL": gh.base_url, "REDIS_URL": redis_url, "LOG_LEVEL": "warning",
        "DOCKREVIEW_JOB_TIMEOUT": str(job_timeout), "DOCKREVIEW_RETRY_BASE": str(retry_base),
    }
    code = "import sys; from dockreview.bot.cli.processes import worker; sys.exit(worker())"
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def deliver_opened(gh: FakeGitHub, app, server: AppServer, number: int) -> None:
    assert send(gh, app, server, "opened", number) == 202


def test_webhooks_during_redis_outage_get_503_and_queued_jobs_survive_a_restart(github, redis_server) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    with AppServer(settings) as server:
        deliver_opened(gh, app, server, number)  # queued, no worker yet
        redis_server.restart()  # AOF keeps the job
        redis_server.stop()
        status = send(gh, app, server, "reopened", number)
        assert status == 503  # GitHub records the failure; `dockreview redeliver` sends it again
        redis_server.start()
        worker = start_worker(gh, app, redis_server.url)
        try:
            [run] = completed_run(gh, sha)
        finally:
            stop(worker)
    assert run["conclusion"] == "failure"
    assert len(gh.review_comments("octo/shop", number)) == 2
    failed = [d for d in gh.deliveries() if d.status_code == 503]
    assert len(failed) == 1


def test_worker_killed_mid_review_is_taken_over_without_duplicates(github, redis_server) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    # Slow the first worker down inside the review: it retries the file list with 1 s, 2 s, 4 s waits.
    gh.fail("GET", r"/pulls/\d+/files|/compare/", status=502, times=3)
    with AppServer(settings) as server:
        first = start_worker(gh, app, redis_server.url, job_timeout=2.0, retry_base=1.0)
        try:
            deliver_opened(gh, app, server, number)
            wait_for(lambda: [r for r in gh.check_runs("octo/shop", sha=sha) if r["status"] == "in_progress"])
            first.send_signal(signal.SIGKILL)
            first.wait()
        finally:
            stop(first)
        second = start_worker(gh, app, redis_server.url, job_timeout=2.0)
        try:
            [run] = completed_run(gh, sha)
        finally:
            stop(second)
    assert run["conclusion"] == "failure"
    assert len(gh.check_runs("octo/shop", sha=sha, name="dockreview")) == 1  # the same run, taken over
    assert len(gh.reviews("octo/shop", number)) == 1
    assert len(gh.review_comments("octo/shop", number)) == 2


def test_two_workers_racing_on_one_pull_request(github, redis_server) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    with AppServer(settings) as server:
        workers = [start_worker(gh, app, redis_server.url) for _ in range(2)]
        try:
            time.sleep(1.0)  # both workers are waiting on the stream
            for action in ("opened", "reopened", "ready_for_review"):
                gh.deliver("pull_request", gh.event_payload("pull_request", action, repo="octo/shop",
                                                            number=number), url=server.url, app=app)

            def completions() -> int:
                runs = gh.check_runs("octo/shop", sha=sha)
                return sum(1 for r in runs for body in r["requests"] if body.get("status") == "completed")

            wait_for(lambda: completions() >= 3, timeout=60)  # all three jobs done, one after the other
            assert all(r["status"] == "completed" for r in gh.check_runs("octo/shop", sha=sha))
        finally:
            for worker in workers:
                stop(worker)
    assert len(gh.reviews("octo/shop", number)) == 1
    assert len(gh.review_comments("octo/shop", number)) == 2


def test_force_push_during_review_leaves_no_check_run_in_progress(github) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    os.environ["DOCKREVIEW_RETRY_BASE"] = "0.5"
    gh.fail("POST", r"/graphql", status=502, times=2)  # the first review reads files slowly
    try:
        with AppServer(settings_for(gh, app)) as server:
            deliver_opened(gh, app, server, number)
            wait_for(lambda: gh.check_runs("octo/shop", sha=sha))
            sha2 = gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE + "# amended\n"})
            send(gh, app, server, "synchronize", number)
            [new_run] = completed_run(gh, sha2)
            [old_run] = completed_run(gh, sha)
    finally:
        os.environ["DOCKREVIEW_RETRY_BASE"] = "0.05"
    assert new_run["conclusion"] == "failure"
    assert old_run["conclusion"] in ("neutral", "failure")
    assert len(gh.review_comments("octo/shop", number)) == 2
