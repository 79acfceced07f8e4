"""`dockreview redeliver`: failed webhook deliveries are sent again through GitHub's API (fake GitHub, real HTTP)."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta

import httpx
import pytest
from dockreview.bot.queue import RedisQueue
from dockreview.bot.settings import DurationError, parse_duration
from dockreview.bot.worker.redeliver import periodic_redeliver, redeliver

from tests.apprunner import AppServer, settings_for
from tests.fakegithub import FakeGitHub
from tests.redis_server import free_port
from tests.test_app_e2e import RISKY_COMPOSE, completed_run, open_pr

os.environ.setdefault("DOCKREVIEW_RETRY_BASE", "0.05")
HOUR = timedelta(hours=1)


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


def opened(gh: FakeGitHub, number: int) -> dict:
    return gh.event_payload("pull_request", "opened", repo="octo/shop", number=number)


def attempts(gh: FakeGitHub) -> int:
    return gh.count(operation="apps/redeliver-webhook-delivery")


def no_installation_token(gh: FakeGitHub) -> bool:
    return gh.count(operation="apps/create-installation-access-token") == 0


def test_delivery_missed_while_the_service_was_down_is_redelivered_and_processed(github) -> None:
    gh, app = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    other, _ = open_pr(gh, {"README.md": "docs\n"}, branch="docs")
    server = AppServer(settings_for(gh, app))  # its port is chosen, nothing listens yet
    status, guid = gh.deliver("pull_request", opened(gh, number), url=server.url, app=app)
    assert status == 0  # connection refused: GitHub records a failed delivery and never retries
    with server:
        gh.close_pull_request("octo/shop", other)
        closed = gh.event_payload("pull_request", "closed", repo="octo/shop", number=other)
        assert gh.deliver("pull_request", closed, url=server.url, app=app)[0] == 200  # answered, ignored
        gh.reset_calls()
        result = asyncio.run(redeliver(server.settings, since=HOUR, queue=server.queue))
        assert (result.listed, result.failed, result.skipped_seen, result.redelivered, result.errors) == (2, 1, 0, 1, 0)
        assert result.guids == [guid]
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"
    assert attempts(gh) == 1  # the successful delivery was left alone
    latest = gh.deliveries()[-1]
    assert latest.guid == guid and latest.redelivery and latest.status_code == 202


def test_failed_delivery_already_in_the_queue_is_skipped(github) -> None:
    gh, app = github
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    server = AppServer(settings_for(gh, app), embedded_worker=False)
    status, guid = gh.deliver("pull_request", opened(gh, number), url=server.url, app=app)
    assert status == 0
    [failed] = gh.deliveries()
    with server:
        # GitHub gave up on the answer, but the request did reach the service (e.g. it answered after 10 s).
        late = httpx.post(server.url, content=failed.body, headers=failed.request_headers, timeout=10)
        assert late.status_code == 202
        result = asyncio.run(redeliver(server.settings, since=HOUR, queue=server.queue))
        assert (result.failed, result.skipped_seen, result.redelivered) == (1, 1, 0)
        # without a queue to ask, it would be redelivered (the service drops the duplicate anyway)
        dry = asyncio.run(redeliver(server.settings, since=HOUR, queue=None, dry_run=True))
        assert (dry.failed, dry.redelivered, dry.dry_run, dry.guids) == (1, 1, True, [guid])
    assert attempts(gh) == 0
    assert no_installation_token(gh)  # the App's JWT only (the fake refuses installation tokens there)


def test_webhook_answered_503_during_redis_outage_is_redelivered(github, redis_server) -> None:
    gh, app = github
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    settings = settings_for(gh, app, redis_url=redis_server.url)
    with AppServer(settings) as server:  # `serve` with REDIS_URL: workers run elsewhere
        redis_server.stop()
        status, guid = gh.deliver("pull_request", opened(gh, number), url=server.url, app=app)
        assert status == 503
        redis_server.start()

        async def run():
            queue = RedisQueue(redis_server.url)
            try:
                first = await redeliver(settings, since=HOUR, queue=queue)
                return first, await queue.seen(guid), await queue.depth(), await redeliver(
                    settings, since=HOUR, queue=queue)
            finally:
                await queue.close()

        first, seen, depth, again = asyncio.run(run())
    assert (first.failed, first.redelivered, first.errors) == (1, 1, 0)
    assert seen and depth == 1  # the job is in Redis for the workers
    assert (again.failed, again.redelivered) == (0, 0)  # its latest attempt succeeded: nothing to do
    assert [(d.guid, d.status_code) for d in gh.deliveries()] == [(guid, 503), (guid, 202)]


def test_since_bounds_the_listing_which_follows_the_cursor_pages(github, monkeypatch) -> None:
    gh, app = github
    # The fake posts each delivery with httpx.post, a new client (and TLS context) per call: share one here.
    shared = httpx.Client()
    monkeypatch.setattr(httpx, "post", shared.post)
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    closed = f"http://127.0.0.1:{free_port()}/api/github/webhooks"
    payload = opened(gh, number)
    gh.advance_time(-5 * 3600)  # these were delivered five hours ago
    for _ in range(30):
        gh.deliver("pull_request", payload, url=closed, app=app)
    gh.advance_time(5 * 3600)
    for _ in range(130):
        gh.deliver("pull_request", payload, url=closed, app=app)
    settings = settings_for(gh, app)
    gh.reset_calls()
    recent = asyncio.run(redeliver(settings, since=HOUR, queue=None, dry_run=True))
    assert (recent.listed, recent.failed, recent.redelivered) == (130, 130, 130)
    lists = [c for c in gh.calls if c.operation == "apps/list-webhook-deliveries"]
    assert len(lists) == 2 and "per_page=100" in lists[0].query and "cursor=" in lists[1].query
    everything = asyncio.run(redeliver(settings, since=timedelta(hours=6), queue=None, dry_run=True))
    assert (everything.listed, everything.failed) == (160, 160)
    assert attempts(gh) == 0 and no_installation_token(gh)
    assert all(c.status == 200 for c in gh.calls)
    limited = asyncio.run(redeliver(settings, since=HOUR, queue=None, limit=3))
    assert limited.redelivered == 3 and attempts(gh) == 3
    # oldest first: the three earliest recent events
    recent_guids = [d.guid for d in gh.deliveries() if not d.redelivery][30:33]
    assert limited.guids == recent_guids
    shared.close()


def test_redelivery_refused_by_github_is_counted_as_an_error(github) -> None:
    gh, app = github
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    closed = f"http://127.0.0.1:{free_port()}/api/github/webhooks"
    gh.deliver("pull_request", opened(gh, number), url=closed, app=app)
    gh.fail("POST", r"/app/hook/deliveries/\d+/attempts", status=422, times=1)
    result = asyncio.run(redeliver(settings_for(gh, app), since=HOUR, queue=None))
    assert (result.failed, result.redelivered, result.errors) == (1, 0, 1)


def test_periodic_redeliver_recovers_once_and_stops(github) -> None:
    gh, app = github
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    server = AppServer(settings_for(gh, app), embedded_worker=False)  # the job is queued, not run
    status, guid = gh.deliver("pull_request", opened(gh, number), url=server.url, app=app)
    assert status == 0
    with server:
        last = asyncio.run(periodic_redeliver(server.settings, server.queue, timedelta(seconds=0.1), runs=3,
                                              min_age=timedelta(0)))
        assert asyncio.run(server.queue.depth()) == 1
    assert last is not None and (last.failed, last.redelivered) == (0, 0)  # the redelivery succeeded
    assert attempts(gh) == 1
    assert [(d.guid, d.status_code) for d in gh.deliveries()] == [(guid, 0), (guid, 202)]

    async def stoppable() -> float:
        stop = asyncio.Event()
        task = asyncio.create_task(periodic_redeliver(server.settings, None, timedelta(minutes=10), stop=stop))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, 5)
        return time.monotonic() - started

    assert asyncio.run(stoppable()) < 1.0


def test_periodic_redeliver_survives_github_being_unreachable(github) -> None:
    gh, app = github
    settings = settings_for(gh, app)
    gh.fail("GET", r"/app/hook/deliveries", status=401, times=2)
    last = asyncio.run(periodic_redeliver(settings, None, timedelta(seconds=0.05), runs=3))
    assert last is not None and last.listed == 0  # two failed runs logged, the third one worked


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30m", timedelta(minutes=30)), ("6h", timedelta(hours=6)), ("2d", timedelta(days=2)),
     ("90s", timedelta(seconds=90)), ("1d12h", timedelta(hours=36)), (" 3d ", timedelta(days=3))],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "h", "5w", "-1h", "0m", "1.5h", "4d", "73h", "3d1s", "1h-"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


def test_since_longer_than_three_days_is_refused(github) -> None:
    gh, app = github
    with pytest.raises(DurationError, match="3 days"):
        asyncio.run(redeliver(settings_for(gh, app), since=timedelta(days=4), queue=None))
    with pytest.raises(DurationError, match="3 days"):
        parse_duration("4d")
