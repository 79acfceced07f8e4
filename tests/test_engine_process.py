"""The engine in the worker's child process (bot/worker/engine.py), through the real webhook service
and worker over HTTP against the fake GitHub, with a real redis-server for the separate worker: a
review past its time budget is stopped and fails as not reviewed completely, the next job gets a
fresh child; a child SIGKILLed under a review makes the job retry (the run says so), never pass.

The hang and the crash come from the child's test-only hook (DOCKREVIEW_TEST_ENGINE_FAULT with a
flag file: once, and never from anything a pull request contains)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.apprunner import AppServer, settings_for, wait_for
from tests.test_app_e2e import BASE_COMPOSE, RISKY_COMPOSE, completed_run, open_pr, send
from tests.test_app_faults import start_worker, stop

FAULT = "DOCKREVIEW_TEST_ENGINE_FAULT"


@pytest.fixture
def github(shop_github):
    return shop_github


def _review(gh, app, server, files: dict[str, str], branch: str) -> tuple[dict, int]:
    number, sha = open_pr(gh, files, branch=branch)
    assert send(gh, app, server, "opened", number) == 202
    [run] = completed_run(gh, sha)
    return run, number


@pytest.mark.parametrize("mode", ["embedded", "redis"])
def test_a_hanging_review_is_stopped_at_its_budget_and_fails_then_a_fresh_child_reviews_the_next(
        github, monkeypatch, tmp_path: Path, mode: str, request) -> None:
    gh, app = github
    flag = tmp_path / "hang"
    flag.touch()
    monkeypatch.setenv(FAULT, f"hang:{flag}")  # the first pass never returns (an hour's sleep)
    monkeypatch.setenv("DOCKREVIEW_REVIEW_BUDGET", "2")
    worker = None
    if mode == "embedded":
        server = AppServer(settings_for(gh, app))
    else:
        redis = request.getfixturevalue("redis_server")
        server = AppServer(settings_for(gh, app, redis_url=redis.url))
        worker = start_worker(gh, app, redis.url, job_timeout=30.0)
    try:
        with server:
            started = time.monotonic()
            hung, _ = _review(gh, app, server, {"compose.yaml": BASE_COMPOSE.replace("1.4", "1.5")}, "hangs")
            stopped_after = time.monotonic() - started
            # The next job: reviewed completely by a new child (the budget is ample for it).
            monkeypatch.setenv("DOCKREVIEW_REVIEW_BUDGET", "60")
            normal, number = _review(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
            if server.worker is not None:
                assert server.worker.engine.started == 2  # the killed child was replaced
    finally:
        if worker is not None:
            stop(worker)
    assert not flag.exists()
    assert stopped_after < 60  # far below the hour the pass would have taken
    assert hung["conclusion"] == "failure"
    assert hung["output"]["title"].startswith("Not reviewed completely")
    assert "ran out of its time budget (2 s, DOCKREVIEW\\_REVIEW\\_BUDGET) and was stopped" in hung["output"]["summary"]
    assert normal["conclusion"] == "failure"
    assert "Not reviewed completely" not in normal["output"]["title"]
    assert len(gh.review_comments("octo/shop", number)) == 2


def test_a_child_killed_under_a_review_makes_the_job_retry_never_pass(github, monkeypatch, tmp_path: Path) -> None:
    gh, app = github
    flag = tmp_path / "crash"
    flag.touch()
    monkeypatch.setenv(FAULT, f"crash:{flag}")  # the first pass SIGKILLs its own process
    with AppServer(settings_for(gh, app)) as server:
        run, number = _review(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
        assert server.worker is not None and server.worker.engine.started == 2
    assert not flag.exists()
    attempts = [body for body in run["requests"]
                if str((body.get("output") or {}).get("title", "")).startswith("Retrying")]
    assert len(attempts) == 1
    # How the death reads depends on who notices first (the reaped signal, or the closed pipe's status).
    assert "engine process stopped unexpectedly \\(" in attempts[0]["output"]["summary"]
    assert not any(body.get("conclusion") in ("success", "neutral") for body in run["requests"])
    # The retry, in a new child, is the normal review: its findings, its comments.
    assert run["conclusion"] == "failure"
    assert "Not reviewed completely" not in run["output"]["title"]
    wait_for(lambda: len(gh.review_comments("octo/shop", number)) == 2)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_hanging_engine_process_dies_with_its_worker(github, redis_server, monkeypatch, tmp_path: Path) -> None:
    import signal

    gh, app = github
    flag = tmp_path / "hang"
    flag.touch()
    monkeypatch.setenv(FAULT, f"hang:{flag}")
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app, redis_url=redis_server.url)) as server:
        worker = start_worker(gh, app, redis_server.url, job_timeout=30.0)
        try:
            assert send(gh, app, server, "opened", number) == 202
            wait_for(lambda: not flag.exists())  # the engine's pass hangs now
            [engine] = wait_for(lambda: _children(worker.pid))
            assert _running(engine)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        finally:
            stop(worker)
    wait_for(lambda: not _running(engine), timeout=10)  # not left hanging for the hour


ENV_FILE_COMPOSE = RISKY_COMPOSE.replace("    environment:\n", "    env_file: settings.conf\n    environment:\n", 1)


@pytest.mark.parametrize("with_env_file", [False, True])
def test_the_engine_process_asks_for_what_it_missed_in_another_pass(github, with_env_file: bool) -> None:
    gh, app = github
    compose = ENV_FILE_COMPOSE if with_env_file else RISKY_COMPOSE
    assert (compose != RISKY_COMPOSE) is with_env_file
    with AppServer(settings_for(gh, app)) as server:
        gh.reset_calls()
        run, number = _review(gh, app, server, {"compose.yaml": compose, "settings.conf": "LOG_LEVEL=debug\n"},
                              "env-file")
    # settings.conf is read only because the compose file names it: a second pass fetches it, and
    # the child still has compose.yaml from the first (its findings are all there).
    assert len([c for c in gh.calls if c.path == "/graphql"]) == (2 if with_env_file else 1)
    assert run["conclusion"] == "failure"
    wait_for(lambda: len(gh.review_comments("octo/shop", number)) == 2)
