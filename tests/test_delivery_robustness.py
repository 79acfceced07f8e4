"""Delivery, queue, Redis, retries and cost bounds (issue 12) with the real parts: a real redis-server
(restarted, stopped, filled up), the fake GitHub over HTTP (behind a proxy that drops and stalls),
the real webhook service. Every wait is bounded."""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from dockreview.bot.queue import RedisQueue
from dockreview.bot.worker import loop as worker_loop
from dockreview.bot.worker.loop import Worker

from tests.apprunner import AppServer, settings_for, wait_for
from tests.fakegithub import FakeGitHub
from tests.flaky_proxy import FlakyProxy
from tests.test_app_e2e import RISKY_COMPOSE, completed_run, open_pr, send


@pytest.fixture
def github(shop_github):
    return shop_github


def everything_posted(gh: FakeGitHub, number: int) -> str:
    """Every body dockreview sent to the fake GitHub: check runs (each request), reviews, comments."""
    sent = [r["requests"] for r in gh.check_runs("octo/shop")]
    sent += [[rv.get("body"), [c.get("body") for c in rv["comments"]]] for rv in gh.reviews("octo/shop", number)]
    return json.dumps(sent)


def pull_request_delivery(gh: FakeGitHub, app, server: AppServer, action: str, number: int, *,
                          head_sha: str | None = None, updated_at: str | None = None) -> int:
    payload = gh.event_payload("pull_request", action, repo="octo/shop", number=number)
    if head_sha:
        payload["pull_request"]["head"]["sha"] = head_sha
    if updated_at:
        payload["pull_request"]["updated_at"] = updated_at
    return gh.deliver("pull_request", payload, url=server.url, app=app)[0]


@contextlib.contextmanager
def embedded(settings, redis_url: str, queue: RedisQueue | None = None) -> Iterator[AppServer]:
    """The webhook service and a worker (on its own thread and event loop, its own Redis connections)."""
    worker = Worker(settings, queue or RedisQueue(redis_url, job_timeout=settings.job_timeout)).on_own_thread()
    with AppServer(settings, embedded_worker=False) as server:
        worker.start()
        try:
            yield server
        finally:
            worker.stop()


# --- 1. out-of-order and replayed deliveries -----------------------------------------------------

def test_out_of_order_deliveries_review_githubs_current_head(github, redis_server) -> None:
    gh, app = github
    number, sha1 = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    sha2 = gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE + "# second\n"})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    with AppServer(settings, embedded_worker=False) as server:
        # The push's delivery arrives first, the older `opened` one last (GitHub keeps no order).
        assert pull_request_delivery(gh, app, server, "synchronize", number, head_sha=sha2,
                                     updated_at="2026-01-01T10:00:05Z") == 202
        assert pull_request_delivery(gh, app, server, "opened", number, head_sha=sha1,
                                     updated_at="2026-01-01T10:00:00Z") == 202
    with embedded(settings, redis_server.url) as server:
        [run] = completed_run(gh, sha2)
        assert run["conclusion"] == "failure"
        # `redeliver` replays the old delivery (a new guid): it never supersedes the newer head.
        assert pull_request_delivery(gh, app, server, "opened", number, head_sha=sha1,
                                     updated_at="2026-01-01T10:00:00Z") == 202
        wait_for(lambda: asyncio_depth(server) == 0, timeout=20)
    assert [r["status"] for r in gh.check_runs("octo/shop", sha=sha2)] == ["completed"]
    assert gh.check_runs("octo/shop", sha=sha1) == []  # the old head needs none: it is not the head
    assert len(gh.reviews("octo/shop", number)) == 1


def test_a_lone_old_delivery_reviews_the_current_head(github, redis_server) -> None:
    gh, app = github
    number, sha1 = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    sha2 = gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE + "# second\n"})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    with embedded(settings, redis_server.url) as server:
        # Only the old delivery arrived (the push's was lost): the current head still gets its run.
        assert pull_request_delivery(gh, app, server, "opened", number, head_sha=sha1) == 202
        [run] = completed_run(gh, sha2)
    assert run["conclusion"] == "failure"


def asyncio_depth(server: AppServer) -> int:
    import asyncio

    async def depth() -> int:
        queue = RedisQueue(server.settings.redis_url or "")
        try:
            return await queue.depth()
        finally:
            await queue.close()

    return asyncio.run(depth())


# --- 2. Redis restart, 3. Redis errors and the memory limit --------------------------------------

def test_first_delivery_after_a_redis_restart_is_queued(github, redis_server) -> None:
    gh, app = github
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    with AppServer(settings, embedded_worker=False) as server:
        assert send(gh, app, server, "opened", number) == 202  # the pool now holds a connection
        redis_server.restart()
        assert send(gh, app, server, "reopened", number) == 202  # not 503: a fresh connection is used
    assert [d.status_code for d in gh.deliveries()] == [202, 202]


class StopsRedisAt(RedisQueue):
    """A real RedisQueue whose `ack` (or `lock`) first stops the real redis-server: a real error there."""

    def __init__(self, url: str, server, where: str, **kw) -> None:
        super().__init__(url, **kw)
        self.server, self.where, self.fired = server, where, threading.Event()

    def _maybe_stop(self, where: str) -> None:
        if self.where == where and not self.fired.is_set():
            self.fired.set()
            self.server.stop()

    async def ack(self, claimed) -> None:
        self._maybe_stop("ack")
        await super().ack(claimed)

    async def lock(self, key: str, token: str, ttl: float) -> bool:
        self._maybe_stop("lock")
        return await super().lock(key, token, ttl)


@pytest.mark.parametrize("where", ["ack", "lock"])
def test_a_redis_error_under_a_job_never_turns_the_result_neutral(github, redis_server, where) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url, job_timeout=1.0)
    queue = StopsRedisAt(redis_server.url, redis_server, where, job_timeout=1.0)
    with embedded(settings, redis_server.url, queue) as server:
        assert send(gh, app, server, "opened", number) == 202
        queue.fired.wait(20)
        time.sleep(1.5)
        redis_server.start()  # back: a job left pending is taken over and finished
        [run] = completed_run(gh, sha)
        if where == "lock":
            wait_for(lambda: asyncio_depth(server) == 0, timeout=20)
    assert run["conclusion"] == "failure"  # the findings' result, never neutral
    assert all(body.get("conclusion") in (None, "failure") for body in run["requests"])
    posted = everything_posted(gh, number)
    assert "redis://" not in posted and f":{redis_server.port}" not in posted
    assert len(gh.review_comments("octo/shop", number)) == 2


def test_redis_at_its_memory_limit_answers_503(github, redis_server) -> None:
    import redis

    gh, app = github
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    admin = redis.Redis.from_url(redis_server.url)
    with AppServer(settings, embedded_worker=False) as server:
        admin.config_set("maxmemory-policy", "noeviction")
        admin.config_set("maxmemory", "1")
        assert send(gh, app, server, "opened", number) == 503  # GitHub records a failed delivery
        admin.config_set("maxmemory", "0")
        assert send(gh, app, server, "reopened", number) == 202
    assert admin.xlen("dockreview:jobs") == 1  # the refused delivery left nothing behind
    assert not admin.keys("dockreview:delivery:*") or len(admin.keys("dockreview:delivery:*")) == 1
    admin.close()


# --- 4. retries with backoff, and failure (not neutral) when giving up ---------------------------

def test_exhausted_rate_limit_is_waited_out_and_the_job_retried(github) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        gh.set_rate_limit(14)  # the review runs out of requests half-way (4 above the reserve of 10)

        def waiting() -> list[dict] | None:
            runs = gh.check_runs("octo/shop", sha=sha, name="dockreview")
            said = [b["output"] for r in runs for b in r["requests"] if "Retrying at" in str(b.get("output"))]
            return said or None

        assert send(gh, app, server, "opened", number) == 202
        [said, *_] = wait_for(waiting, timeout=20)  # written with the reserve the review left
        gh.set_rate_limit(5000)  # the window resets
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"
    assert len(gh.review_comments("octo/shop", number)) == 2
    assert "rate limit of this installation is used up until " in said["summary"]
    assert "UTC" in said["summary"] and gh.count(status=403) == 0  # it stopped before GitHub refused


def _retrying(gh: FakeGitHub, sha: str) -> list[dict] | None:
    """What the commit's check run said while it waited to be retried."""
    runs = gh.check_runs("octo/shop", sha=sha, name="dockreview")
    said = [b["output"] for r in runs for b in r["requests"] if "Retrying at" in str(b.get("output"))]
    return said or None


def test_a_graphql_rate_limit_running_low_stops_the_job_until_it_resets(github, monkeypatch) -> None:
    """GraphQL's points are a limit of their own (REST has plenty here): the job stops with the reserve
    left, before GitHub refuses a query, says until when, and completes after the reset."""
    gh, app = github
    monkeypatch.setenv("DOCKREVIEW_MAX_RETRY_DELAY", "2")  # attempts 2 s apart (of 5): time to see one wait
    risky = {f"svc{i}/compose.yaml": RISKY_COMPOSE.replace("tok-1234567890", f"tok-{i:010d}") for i in range(60)}
    number, sha = open_pr(gh, risky)
    with AppServer(settings_for(gh, app)) as server:
        gh.set_rate_limit(5000, graphql=11)  # 60 files: two blob batches; after the first, 10 points are left
        assert send(gh, app, server, "opened", number) == 202
        [said, *_] = wait_for(lambda: _retrying(gh, sha), timeout=20)
        assert gh.count(path="/graphql$") == 1 and not [r for r in gh.check_runs("octo/shop", sha=sha)
                                                         if r["status"] == "completed"]
        gh.set_rate_limit(5000, graphql=5000)  # the window resets
        [run] = completed_run(gh, sha)
    assert "GraphQL rate limit of this installation is used up until " in said["summary"] and "UTC" in said["title"]
    assert run["conclusion"] == "failure" and gh.review_comments("octo/shop", number)
    assert gh.graphql_refused == 0 and gh.count(status=403) == 0  # it stopped before GitHub refused


@pytest.mark.parametrize("error_type", ["RATE_LIMIT", "RATE_LIMITED", None], ids=["RATE_LIMIT", "RATE_LIMITED", "403"])
def test_a_used_up_graphql_rate_limit_is_waited_out_never_passed(github, error_type, monkeypatch) -> None:
    """Used up before the job starts: GitHub answers the first query 200 with a `RATE_LIMIT` error
    (`RATE_LIMITED` before); the job is retried after the reset, the run never passes meanwhile."""
    gh, app = github
    monkeypatch.setenv("DOCKREVIEW_MAX_RETRY_DELAY", "2")
    gh.graphql_rate_limited_type = error_type
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        gh.set_rate_limit(5000, graphql=0)
        assert send(gh, app, server, "opened", number) == 202
        [said, *_] = wait_for(lambda: _retrying(gh, sha), timeout=20)
        assert gh.graphql_refused >= 1 or gh.count(path="/graphql$", status=403) >= 1
        assert all(r.get("conclusion") in (None, "failure") for r in gh.check_runs("octo/shop", sha=sha))
        gh.set_rate_limit(5000, graphql=5000)
        [run] = completed_run(gh, sha)
    assert "GraphQL rate limit of this installation is used up until " in said["summary"]
    assert run["conclusion"] == "failure" and len(gh.review_comments("octo/shop", number)) == 2


def test_a_check_run_gone_meanwhile_is_written_again(github) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    gh.fail("PATCH", r"/check-runs/\d+", status=404, times=1, body={"message": "Not Found"})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"


def test_giving_up_fails_the_check_and_says_recheck(github) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    gh.fail("GET", r"/git/trees/", status=502, times=1000)
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"
    summary = run["output"]["summary"]
    assert "`/recheck`" in summary and "tried 5 times" in summary and "502" in summary
    assert any("Retrying at" in str(body.get("output", {}).get("title", "")) for body in run["requests"])
    assert "127.0.0.1" not in everything_posted(gh, number)


def test_the_github_calls_of_one_job_are_bounded(github, monkeypatch) -> None:
    gh, app = github
    monkeypatch.setattr(worker_loop, "MAX_CALLS_PER_JOB", 6)
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"
    assert "more than 6 GitHub API requests" in run["output"]["summary"]


# --- 5. network errors and timeouts --------------------------------------------------------------

@pytest.mark.parametrize("fault", ["drop", "stall"])
def test_network_errors_and_timeouts_are_retried(github, monkeypatch, fault) -> None:
    gh, app = github
    monkeypatch.setenv("DOCKREVIEW_GITHUB_TIMEOUT", "0.5")
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    host, port = gh.base_url.removeprefix("http://").split(":")
    with FlakyProxy(host, int(port)) as proxy:
        settings = settings_for(gh, app)
        settings = type(settings)(**{**{f: getattr(settings, f) for f in settings.__dataclass_fields__},
                                     "github_api_url": proxy.url})
        if fault == "drop":
            proxy.drops = 3
        else:
            proxy.stalls, proxy.stall_seconds = 2, 1.5
        with AppServer(settings) as server:
            send(gh, app, server, "opened", number)
            [run] = completed_run(gh, sha)
        assert (proxy.dropped if fault == "drop" else proxy.stalled) >= 1
    assert run["conclusion"] == "failure"
    assert len(gh.review_comments("octo/shop", number)) == 2


# --- 6. a slow review keeps its lock and its job -------------------------------------------------

def test_a_slow_review_keeps_its_lock_and_is_not_taken_over(github, redis_server, monkeypatch, tmp_path) -> None:
    gh, app = github
    flag = tmp_path / "slow"
    flag.touch()
    # The engine's child sleeps 3 s in the first pass (a test-only hook of bot/worker/engine_child.py).
    monkeypatch.setenv("DOCKREVIEW_TEST_ENGINE_FAULT", f"sleep=3:{flag}")
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url, job_timeout=1.0)
    workers = [Worker(settings, RedisQueue(redis_server.url, job_timeout=1.0), name=name).on_own_thread()
               for name in ("first", "second")]
    with AppServer(settings, embedded_worker=False) as server:
        for worker in workers:
            worker.start()
        try:
            assert send(gh, app, server, "opened", number) == 202
            [run] = completed_run(gh, sha)
            time.sleep(1.5)  # a take-over would start now
        finally:
            for worker in workers:
                worker.stop()
    assert not flag.exists()  # the slow pass happened
    assert run["conclusion"] == "failure"
    # One review: one worker started an engine process, the other never did (no take-over).
    assert sorted(w.worker.engine.started for w in workers) == [0, 1]
    assert len(gh.reviews("octo/shop", number)) == 1


# --- 7. webhook cost bounds ----------------------------------------------------------------------

def test_random_events_unsigned_leave_metrics_and_logs_bounded(github, caplog) -> None:
    import httpx

    gh, app = github
    with AppServer(settings_for(gh, app)) as server:
        metrics_url = server.url.replace("/api/github/webhooks", "/metrics")
        with httpx.Client(timeout=10) as client:
            client.post(server.url, headers={"X-GitHub-Event": "warmup"}, content=b"{}")
            before = len(client.get(metrics_url).text)
            with caplog.at_level(logging.WARNING, logger="dockreview"):
                for _ in range(300):
                    event = uuid.uuid4().hex
                    answer = client.post(server.url, content=b"{}", headers={
                        "X-GitHub-Event": event, "X-GitHub-Delivery": event,
                        "X-Hub-Signature-256": "sha256=" + "0" * 64})
                    assert answer.status_code == 401
            text = client.get(metrics_url).text
    assert len(text) - before < 200  # counts change, no series is added
    assert 'event="other",outcome="bad_signature"' in text
    assert sum(r.getMessage() == "webhook signature rejected" for r in caplog.records) <= 1


def test_an_idle_connection_is_closed_before_its_headers(github, monkeypatch) -> None:
    from dockreview.bot.webhook.http import HeaderBoundsProtocol

    gh, app = github
    monkeypatch.setattr(HeaderBoundsProtocol, "header_timeout", 0.5)
    with AppServer(settings_for(gh, app)) as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
        sock.settimeout(5.0)
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 4.0


def test_a_kept_alive_connection_trickling_its_next_headers_is_closed(github, monkeypatch) -> None:
    from dockreview.bot.webhook.http import HeaderBoundsProtocol

    gh, app = github
    monkeypatch.setattr(HeaderBoundsProtocol, "header_timeout", 0.5)
    with AppServer(settings_for(gh, app)) as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(5.0)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        closed = False
        for byte in b"POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 40:
            try:
                sock.sendall(bytes([byte]))  # one byte at a time: each stops uvicorn's keep-alive timer
            except OSError:
                closed = True
                break
            time.sleep(0.1)
            if time.monotonic() - started > 4.0:
                break
        if not closed:
            closed = sock.recv(1024) == b""
        assert closed and time.monotonic() - started < 4.0


@pytest.mark.parametrize("piece", [b"X-Long: " + b"a" * 70_000 + b"\r\n",  # one header past the bound
                                   b"".join(b"X-H%d: v\r\n" % n for n in range(4000))])  # many small ones
def test_request_headers_past_the_bound_are_refused_and_the_service_goes_on(github, piece: bytes) -> None:
    import httpx

    gh, app = github
    with AppServer(settings_for(gh, app)) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.settimeout(5.0)
            sent = b"POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n"
            sock.sendall(sent)
            try:
                for start in range(0, len(piece), 1000):  # in pieces, as a slow client would
                    sock.sendall(piece[start:start + 1000])
                    sent += piece[start:start + 1000]
            except OSError:
                pass  # the server closed while we were still sending: that is the point
            answer = b""
            with contextlib.suppress(OSError):
                while chunk := sock.recv(4096):
                    answer += chunk
        assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
        assert len(sent) > 16 * 1024
        assert httpx.get(server.url.replace("/api/github/webhooks", "/healthz"), timeout=5).status_code == 200


def test_recheck_comments_are_coalesced_per_pull_request(github, redis_server) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    with AppServer(settings, embedded_worker=False) as server:
        assert send(gh, app, server, "opened", number) == 202
        payload = gh.event_payload("issue_comment", "created", repo="octo/shop", number=number, body="/recheck",
                                   user="alice")
        statuses = []
        for _ in range(20):
            again = copy.deepcopy(payload)
            again["comment"]["id"] = gh.add_issue_comment("octo/shop", number, "/recheck")
            statuses.append(gh.deliver("issue_comment", again, url=server.url, app=app)[0])
    assert statuses.count(202) == 1 and statuses.count(200) == 19
    with embedded(settings, redis_server.url):
        runs = completed_run(gh, sha, count=2)
        time.sleep(0.5)
    assert len(runs) == 2  # the push's review and one /recheck, not 21 runs


@pytest.mark.parametrize(("name", "value"), [("WEBHOOK_SECRET", "   "), ("DOCKREVIEW_JOB_TIMEOUT", "nan"),
                                             ("DOCKREVIEW_JOB_TIMEOUT", "inf"), ("DOCKREVIEW_REVIEW_BUDGET", "nan"),
                                             ("DOCKREVIEW_FILE_BUDGET", "-1"), ("DOCKREVIEW_FILE_BUDGET", "soon")])
def test_settings_refuse_a_blank_secret_and_non_finite_timeouts(name: str, value: str) -> None:
    from dockreview.bot.settings import Settings, SettingsError

    env = {"APP_ID": "1", "PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----",
           "WEBHOOK_SECRET": "s", name: value}
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env)


def test_an_undecodable_stream_entry_is_dropped_not_retried_for_ever(redis_server) -> None:
    import asyncio

    import redis

    admin = redis.Redis.from_url(redis_server.url)

    async def scenario() -> None:
        queue = RedisQueue(redis_server.url, job_timeout=0.1)
        await queue.depth()  # creates the group
        admin.xadd("dockreview:jobs", {"job": "{not json"})
        admin.xadd("dockreview:jobs", {"job": "[1, 2]"})
        assert await queue.fetch("w", block=0.1) is None
        assert await queue.fetch("w", block=0.1) is None
        await asyncio.sleep(0.2)
        assert await queue.fetch("w2", block=0.1) is None  # nothing left pending to take over
        assert await queue.depth() == 0
        await queue.close()

    asyncio.run(scenario())
    admin.close()


def test_dead_consumers_leave_the_group_but_not_with_a_job(redis_server) -> None:
    import asyncio

    import redis

    admin = redis.Redis.from_url(redis_server.url, decode_responses=True)

    async def scenario() -> None:
        queue = RedisQueue(redis_server.url, job_timeout=0.05, consumer_idle=0.1)
        await queue.depth()  # creates the group
        admin.xadd("dockreview:jobs", {"job": "{}"})
        admin.xreadgroup("workers", "died-holding-a-job", {"dockreview:jobs": ">"}, count=1)
        admin.xgroup_createconsumer("dockreview:jobs", "workers", "died-idle")  # it never got a job
        await asyncio.sleep(0.3)
        assert await queue.prune_consumers() == ["died-idle"]
        names = {c["name"] for c in admin.xinfo_consumers("dockreview:jobs", "workers")}
        assert names == {"died-holding-a-job"}  # its job is still pending, to be taken over
        await queue.close()

    asyncio.run(scenario())
    admin.close()
