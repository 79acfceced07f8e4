"""Hostile webhook deliveries at the ASGI level: garbage bodies, wrong types, huge and slow bodies,
replays and forged signatures. Every one gets a definite 4xx (never a 500) and the service goes on."""

from __future__ import annotations

import asyncio
import copy
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

import dockreview.bot.webhook.app
import httpx
import pytest
from dockreview.bot.queue import MemoryQueue
from dockreview.bot.settings import Settings
from dockreview.bot.webhook.app import WEBHOOK_PATH, create_app
from dockreview.bot.webhook.signature import sign, verify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SECRET = "It's a Secret to Everybody"
TEMPLATES = Path(__file__).resolve().parent / "fakegithub" / "templates"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _settings(**kw: Any) -> Settings:
    # The private key only matters for /readyz; these tests never ask for it.
    return Settings(app_id="1", private_key="not a key", webhook_secret=SECRET, **kw)


def _template(name: str) -> dict[str, Any]:
    return json.loads((TEMPLATES / name).read_text("utf-8"))


def _valid_payloads() -> dict[str, dict[str, Any]]:
    """One payload per event dockreview acts on, each of which would be queued as is."""
    recheck = _template("issue_comment.created.json")
    recheck["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    recheck["comment"]["body"] = "/recheck"
    recheck["comment"]["user"]["type"] = "User"
    run = _template("check_run.rerequested.json")
    run["check_run"]["name"] = "dockreview"
    run["check_run"]["app"]["id"] = 1
    suite = _template("check_suite.rerequested.json")
    suite["check_suite"]["app"]["id"] = 1
    out = {
        "pull_request": _template("pull_request.opened.json"),
        "issue_comment": recheck,
        "check_run": run,
        "check_suite": suite,
    }
    for payload in out.values():
        payload.setdefault("installation", {"id": 42, "node_id": "x"})
        if not isinstance(payload["installation"].get("id"), int):
            payload["installation"]["id"] = 42
    return out


VALID = _valid_payloads()


def _headers(event: str, body: bytes, delivery: str | None = None, signature: str | None = None) -> dict[str, str]:
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": signature if signature is not None else sign(SECRET, body),
            "Content-Type": "application/json"}


async def _post(app: Any, event: str, body: bytes, **kw: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(WEBHOOK_PATH, content=body, headers=_headers(event, body, **kw))


async def _get(app: Any, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def _raw(app: Any, headers: list[tuple[bytes, bytes]], receive: Any) -> tuple[int, bytes]:
    """Call the ASGI app directly with our own `receive` (stalls, streams, lies about length)."""
    status: list[int] = []
    body: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": WEBHOOK_PATH, "raw_path": WEBHOOK_PATH.encode(), "query_string": b"",
             "root_path": "", "headers": headers, "client": ("127.0.0.1", 1), "server": ("test", 80)}
    await app(scope, receive, send)
    return status[0], b"".join(body)


async def _drain(queue: MemoryQueue) -> list[Any]:
    jobs = []
    while (claimed := await queue.fetch("t", block=0.02)) is not None:
        jobs.append(claimed.job)
    return jobs


async def _service_still_works(app: Any, queue: MemoryQueue) -> None:
    assert (await _get(app, "/healthz")).status_code == 200
    body = json.dumps(VALID["pull_request"]).encode()
    after = await _post(app, "pull_request", body)
    assert after.status_code == 202, after.text
    jobs = await _drain(queue)
    assert [j.kind for j in jobs] == ["review"]


# --- garbage bodies ---------------------------------------------------------------------------
GOOD_BODY = json.dumps(VALID["pull_request"]).encode()


@FAST
@given(st.one_of(
    st.binary(max_size=300),
    st.integers(min_value=0, max_value=len(GOOD_BODY) - 1).map(lambda n: GOOD_BODY[:n]),
    st.sampled_from([b"", b"null", b"[]", b"1", b'"x"', b"\xff\xfe{}", b"[" * 100_000, b"{\"a\":" * 50_000,
                     b"NaN", b"{\"action\": \"opened\"}\x00"]),
))
def test_garbage_body_with_a_valid_signature_is_400_and_nothing_is_lost(body: bytes) -> None:
    async def scenario() -> None:
        queue = MemoryQueue()
        app = create_app(_settings(), queue)
        answer = await _post(app, "pull_request", body)
        assert answer.status_code == 400, (body[:80], answer.status_code, answer.text)
        assert answer.json()["status"] == "bad_payload"
        assert await _drain(queue) == []
        await _service_still_works(app, queue)

    asyncio.run(scenario())


# --- wrong types for every known event -------------------------------------------------------
WRONG = st.one_of(st.none(), st.integers(-2**70, 2**70), st.booleans(), st.floats(allow_nan=False),
                  st.text(max_size=20), st.lists(st.integers(), max_size=3), st.just({}),
                  st.just({"id": "1", "number": [1]}))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:2]):
            out += _paths(value, (*prefix, i))
    return out


IMPORTANT = {  # the fields job_for reads: replaced more often than the hundreds of others
    "pull_request": [("action",), ("pull_request",), ("pull_request", "number"), ("pull_request", "head"),
                     ("pull_request", "head", "sha"), ("repository",), ("repository", "full_name"),
                     ("installation",), ("installation", "id")],
    "issue_comment": [("action",), ("issue",), ("issue", "pull_request"), ("issue", "number"), ("comment",),
                      ("comment", "body"), ("comment", "id"), ("comment", "user"), ("comment", "user", "type"),
                      ("comment", "user", "login"), ("repository", "full_name"), ("installation", "id")],
    "check_run": [("action",), ("check_run",), ("check_run", "app"), ("check_run", "app", "id"),
                  ("check_run", "name"), ("check_run", "pull_requests"), ("check_run", "pull_requests", 0),
                  ("check_run", "pull_requests", 0, "number"), ("check_run", "external_id"),
                  ("check_run", "head_sha"), ("check_run", "id"), ("repository", "full_name"),
                  ("installation", "id")],
    "check_suite": [("action",), ("check_suite",), ("check_suite", "app", "id"), ("check_suite", "pull_requests"),
                    ("check_suite", "pull_requests", 0), ("check_suite", "pull_requests", 0, "number"),
                    ("check_suite", "head_sha"), ("repository", "full_name"), ("installation", "id")],
}


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    event = draw(st.sampled_from(sorted(VALID)))
    payload = copy.deepcopy(VALID[event])
    for _ in range(draw(st.integers(1, 3))):
        candidates = IMPORTANT[event] if draw(st.booleans()) else _paths(payload)
        path = draw(st.sampled_from(candidates))
        node: Any = payload
        try:
            for key in path[:-1]:
                node = node[key]
            if isinstance(node, dict) or (isinstance(node, list) and path[-1] < len(node)):
                # a copy: st.just() hands out one shared object, which a later mutation would change
                node[path[-1]] = copy.deepcopy(draw(WRONG))
        except (KeyError, IndexError, TypeError):
            continue
    return event, payload


@FAST
@given(mutated())
def test_wrong_types_for_every_event_are_400_or_ignored_never_500(case: tuple[str, dict[str, Any]]) -> None:
    event, payload = case

    async def scenario() -> None:
        queue = MemoryQueue()
        app = create_app(_settings(), queue)
        answer = await _post(app, event, json.dumps(payload).encode())
        assert answer.status_code in (200, 202, 400), (answer.status_code, answer.text)
        jobs = await _drain(queue)
        if answer.status_code == 202:  # queued: the job is well-typed and survives the queue's JSON
            (job,) = jobs
            assert type(job.installation_id) is int and isinstance(job.owner, str) and isinstance(job.repo, str)
            assert job.pr is None or type(job.pr) is int, job.pr
            assert job.head_sha is None or isinstance(job.head_sha, str)
            assert job.comment_id is None or type(job.comment_id) is int
            assert job.check_run_id is None or type(job.check_run_id) is int
            assert type(job).loads(job.dumps()) == job
        else:
            assert jobs == []

    asyncio.run(scenario())


def test_unmodified_payloads_are_queued() -> None:
    async def scenario() -> None:
        queue = MemoryQueue()
        app = create_app(_settings(), queue)
        for event, payload in VALID.items():
            answer = await _post(app, event, json.dumps(payload).encode())
            assert answer.status_code == 202, (event, answer.text)
        assert len(await _drain(queue)) == len(VALID)

    asyncio.run(scenario())


# --- size and time caps -----------------------------------------------------------------------
class _Body:
    """An ASGI receive that hands out `total` bytes in chunks and counts what was taken."""

    def __init__(self, total: int, chunk: int = 1 << 20, stall_after: int | None = None) -> None:
        self.total, self.chunk, self.stall_after = total, chunk, stall_after
        self.sent = 0
        self.calls = 0

    async def __call__(self) -> dict[str, Any]:
        self.calls += 1
        if self.stall_after is not None and self.sent >= self.stall_after:
            await asyncio.sleep(3600)
        size = min(self.chunk, self.total - self.sent)
        self.sent += size
        return {"type": "http.request", "body": b"x" * size, "more_body": self.sent < self.total}


def _raw_headers(length: int | None) -> list[tuple[bytes, bytes]]:
    headers = [(b"x-github-event", b"pull_request"), (b"x-github-delivery", b"d-1"),
               (b"x-hub-signature-256", b"sha256=" + b"0" * 64), (b"content-type", b"application/json")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return headers


def test_declared_length_over_the_cap_is_413_without_reading_the_body() -> None:
    config = _settings()
    assert config.max_body_bytes >= 25 * 1024 * 1024  # GitHub caps payloads at 25 MB; the App allows slack
    total = config.max_body_bytes + 1024
    receive = _Body(total)
    status, body = asyncio.run(_raw(create_app(config, MemoryQueue()), _raw_headers(total), receive))
    assert status == 413 and json.loads(body)["status"] == "too_large"
    assert receive.sent == 0


def test_streamed_body_without_length_over_the_cap_is_413_after_at_most_the_cap() -> None:
    config = _settings()
    receive = _Body(config.max_body_bytes * 4)
    status, _ = asyncio.run(_raw(create_app(config, MemoryQueue()), _raw_headers(None), receive))
    assert status == 413
    assert receive.sent <= config.max_body_bytes + receive.chunk


def test_lying_small_content_length_does_not_lift_the_cap() -> None:
    config = _settings(max_body_bytes=4096)
    receive = _Body(1 << 20, chunk=1024)
    status, _ = asyncio.run(_raw(create_app(config, MemoryQueue()), _raw_headers(10), receive))
    assert status == 413 and receive.sent <= 4096 + 1024


@pytest.mark.parametrize("declared", ["-1", "+99999999999", "1e9", " 5", "99999999999999999999999999"])
def test_odd_content_length_values_never_crash(declared: str) -> None:
    config = _settings(max_body_bytes=4096)
    receive = _Body(100, chunk=100)
    headers = [*_raw_headers(None), (b"content-length", declared.encode())]
    status, _ = asyncio.run(_raw(create_app(config, MemoryQueue()), headers, receive))
    assert status in (401, 413)


def test_stalled_body_is_408_in_bounded_time(monkeypatch) -> None:
    monkeypatch.setattr(dockreview.bot.webhook.app, "BODY_TIMEOUT", 0.3)
    queue = MemoryQueue()
    app = create_app(_settings(), queue)

    async def scenario() -> None:
        receive = _Body(10_000, chunk=100, stall_after=500)
        started = time.monotonic()
        status, body = await asyncio.wait_for(_raw(app, _raw_headers(10_000), receive), 10)
        assert status == 408 and json.loads(body)["status"] == "slow_body"
        assert time.monotonic() - started < 5
        await _service_still_works(app, queue)

    asyncio.run(scenario())


# --- replays ----------------------------------------------------------------------------------
def test_replayed_delivery_is_queued_once() -> None:
    async def scenario() -> None:
        queue = MemoryQueue()
        app = create_app(_settings(), queue)
        delivery = str(uuid.uuid4())
        answers = [await _post(app, "pull_request", GOOD_BODY, delivery=delivery) for _ in range(5)]
        assert [a.status_code for a in answers] == [202, 200, 200, 200, 200]
        assert {a.json()["status"] for a in answers[1:]} == {"duplicate"}
        assert len(await _drain(queue)) == 1

    asyncio.run(scenario())


# --- forged signatures ------------------------------------------------------------------------
GOOD_SIG = sign(SECRET, GOOD_BODY)
HEX = GOOD_SIG.removeprefix("sha256=")
FORGED = {
    "sha1 prefix": "sha1=" + HEX,
    "sha1 prefix, sha1-length": "sha1=" + HEX[:40],
    "uppercase hex": "sha256=" + HEX.upper(),
    "uppercase prefix": "SHA256=" + HEX,
    "one char short": GOOD_SIG[:-1],
    "one char long": GOOD_SIG + "0",
    "double length": GOOD_SIG + HEX,
    "empty": "",
    "prefix only": "sha256=",
    "leading space": " " + GOOD_SIG,
    "trailing space": GOOD_SIG + " ",
    "inner space": "sha256= " + HEX[1:],
    "tab inside": "sha256=\t" + HEX[1:],
    "non-ascii": "sha256=" + "é" * 64,
    "non-ascii same length": "sha256=" + HEX[:-1] + "ÿ",
    "wrong secret": sign("other", GOOD_BODY),
    "other body": sign(SECRET, GOOD_BODY + b" "),
    "two signatures": GOOD_SIG + "," + GOOD_SIG,
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_forged_signatures_are_401(name: str) -> None:
    header = FORGED[name]

    async def scenario() -> None:
        queue = MemoryQueue()
        app = create_app(_settings(), queue)
        # Raw ASGI: the header bytes arrive exactly as written (an HTTP client would strip spaces).
        headers = [(b"x-github-event", b"pull_request"), (b"x-github-delivery", b"d-forged"),
                   (b"x-hub-signature-256", header.encode("latin-1", "replace")),
                   (b"content-length", str(len(GOOD_BODY)).encode())]
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": GOOD_BODY, "more_body": False}

        status, body = await _raw(app, headers, receive)
        assert status == 401 and json.loads(body)["status"] == "bad_signature"
        assert await _drain(queue) == []

    asyncio.run(scenario())
    assert not verify(SECRET, GOOD_BODY, header)


def test_missing_signature_header_is_401() -> None:
    async def scenario() -> None:
        transport = httpx.ASGITransport(app=create_app(_settings(), MemoryQueue()))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answer = await client.post(WEBHOOK_PATH, content=GOOD_BODY,
                                       headers={"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d"})
        assert answer.status_code == 401

    asyncio.run(scenario())


def test_verify_compares_in_constant_time(monkeypatch) -> None:
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert verify(SECRET, GOOD_BODY, GOOD_SIG)
    assert not verify(SECRET, GOOD_BODY, "sha256=" + "0" * 64)
    assert len(calls) == 2
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)
