"""The webhook endpoint: verify, de-duplicate, enqueue, answer — with the in-process and Redis queues."""

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest
from dockreview.bot.queue import Job, MemoryQueue, RedisQueue
from dockreview.bot.settings import Settings
from dockreview.bot.webhook.app import WEBHOOK_PATH, create_app
from dockreview.bot.webhook.signature import sign, verify

from tests.conftest import shared_dir

SHARED_HOOKS = (shared_dir() or Path(__file__).resolve().parents[2] / "shared") / "github" / "webhooks"
SECRET = "It's a Secret to Everybody"
pytestmark = pytest.mark.skipif(not SHARED_HOOKS.is_dir(), reason="../shared/github (GitHub's examples) is absent")


def _key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


KEY = _key()


def settings(**kw) -> Settings:
    return Settings(app_id="1", private_key=KEY, webhook_secret=SECRET, **kw)


def payload(event: str, name: str) -> dict:
    return json.loads((SHARED_HOOKS / event / name).read_text())


def signed(event: str, body: bytes, delivery: str | None = None, secret: str = SECRET) -> dict[str, str]:
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(secret, body), "Content-Type": "application/json"}


async def post(app, event: str, body: bytes, **kw) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(WEBHOOK_PATH, content=body, headers=signed(event, body, **kw))


def test_signature_test_vector() -> None:
    assert sign(SECRET, b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )
    good = sign(SECRET, b"Hello, World!")
    assert verify(SECRET, b"Hello, World!", good)
    assert not verify(SECRET, b"Hello, World!", good.replace("sha256=", "sha1="))
    assert not verify(SECRET, b"Hello, World!", good[:-1])
    assert not verify(SECRET, b"Hello, World!", None)
    assert not verify(SECRET, b"Hello, World?", good)


def test_pull_request_is_queued_once() -> None:
    async def scenario() -> None:
        queue = MemoryQueue()
        app = create_app(settings(), queue)
        body = json.dumps(payload("pull_request", "opened.with-organization.payload.json")).encode()
        delivery = str(uuid.uuid4())
        first = await post(app, "pull_request", body, delivery=delivery)
        assert first.status_code == 202, first.text
        second = await post(app, "pull_request", body, delivery=delivery)
        assert second.status_code == 200 and second.json()["status"] == "duplicate"
        claimed = await queue.fetch("t", block=0.1)
        assert claimed is not None and claimed.job.kind == "review" and claimed.job.pr == 2
        assert claimed.job.head_sha == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
        assert await queue.fetch("t", block=0.05) is None

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("event", "body", "status"),
    [
        ("pull_request", b"not json", 400),
        ("pull_request", b'{"action": "opened", "pull_request": "oops"}', 400),
        ("pull_request", b'[1, 2, 3]', 400),
        ("pull_request", b'{"action": "closed"}', 200),
        ("push", b"{}", 200),
        ("installation", b'{"action": "created", "installation": {"id": 1, "account": {"login": "o"}}}', 200),
    ],
)
def test_bad_and_ignored_payloads(event: str, body: bytes, status: int) -> None:
    async def scenario() -> None:
        queue = MemoryQueue()
        response = await post(create_app(settings(), queue), event, body)
        assert response.status_code == status, response.text
        assert await queue.depth() == 0

    asyncio.run(scenario())


def test_bad_signatures_are_401() -> None:
    async def scenario() -> None:
        queue = MemoryQueue()
        app = create_app(settings(), queue)
        body = json.dumps(payload("pull_request", "opened.with-organization.payload.json")).encode()
        assert (await post(app, "pull_request", body, secret="wrong")).status_code == 401
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = signed("pull_request", body)
            del headers["X-Hub-Signature-256"]
            assert (await client.post(WEBHOOK_PATH, content=body, headers=headers)).status_code == 401
            headers = signed("pull_request", body)
            headers["X-Hub-Signature-256"] = headers["X-Hub-Signature-256"].replace("sha256=", "sha1=")
            assert (await client.post(WEBHOOK_PATH, content=body, headers=headers)).status_code == 401
        assert await queue.depth() == 0

    asyncio.run(scenario())


def test_body_over_the_cap_is_413() -> None:
    async def scenario() -> None:
        app = create_app(settings(max_body_bytes=1024), MemoryQueue())
        response = await post(app, "pull_request", b"{" + b" " * 2048 + b"}")
        assert response.status_code == 413

    asyncio.run(scenario())


def test_recheck_comment_and_bot_comment() -> None:
    base = payload("issue_comment", "created.with-installation.payload.json")
    base["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    base["comment"]["body"] = "  /recheck \n"

    async def scenario() -> None:
        queue = MemoryQueue()
        app = create_app(settings(), queue)
        assert (await post(app, "issue_comment", json.dumps(base).encode())).status_code == 202
        claimed = await queue.fetch("t", block=0.1)
        assert claimed.job.kind == "recheck" and claimed.job.comment_id == base["comment"]["id"]
        bot = json.loads(json.dumps(base))
        bot["comment"]["user"]["type"] = "Bot"
        assert (await post(app, "issue_comment", json.dumps(bot).encode())).json()["status"] == "ignored"
        other = json.loads(json.dumps(base))
        other["comment"]["body"] = "please /recheck this"
        assert (await post(app, "issue_comment", json.dumps(other).encode())).json()["status"] == "ignored"

    asyncio.run(scenario())


def test_check_run_rerequested() -> None:
    body = payload("check_run", "rerequested.payload.json")
    body["check_run"]["name"] = "dockreview"
    body["check_run"]["app"]["id"] = 1
    body["check_run"]["external_id"] = "17:abc"
    body["installation"] = {"id": 5}

    async def scenario() -> None:
        queue = MemoryQueue()
        assert (await post(create_app(settings(), queue), "check_run", json.dumps(body).encode())).status_code == 202
        job = (await queue.fetch("t", block=0.1)).job
        assert (job.kind, job.pr, job.head_sha) == ("rerun", 17, body["check_run"]["head_sha"])

    asyncio.run(scenario())


def test_redis_queue_dedupes_and_survives_restart(redis_server) -> None:
    async def enqueue_and_stop() -> None:
        queue = RedisQueue(redis_server.url)
        app = create_app(settings(redis_url=redis_server.url), queue)
        body = json.dumps(payload("pull_request", "synchronize.payload.json") | {"installation": {"id": 3}}).encode()
        assert (await post(app, "pull_request", body, delivery="d-1")).status_code == 202
        assert (await post(app, "pull_request", body, delivery="d-1")).status_code == 200
        assert await queue.depth() == 1
        await queue.close()

    asyncio.run(enqueue_and_stop())
    redis_server.restart()

    async def consume() -> Job:
        queue = RedisQueue(redis_server.url, job_timeout=0.2)
        claimed = await queue.fetch("w1", block=0.5)
        assert claimed is not None and claimed.deliveries == 1
        # The worker dies without acking: another worker gets the job after the timeout.
        await asyncio.sleep(0.3)
        again = await queue.fetch("w2", block=0.5)
        assert again is not None and again.message_id == claimed.message_id and again.deliveries == 2
        await queue.ack(again)
        assert await queue.fetch("w3", block=0.1) is None
        assert await queue.depth() == 0
        await queue.close()
        return again.job

    job = asyncio.run(consume())
    assert job.kind == "review"


def test_redis_down_answers_503(redis_server) -> None:
    async def scenario() -> None:
        queue = RedisQueue(redis_server.url)
        app = create_app(settings(redis_url=redis_server.url), queue)
        redis_server.stop()
        body = json.dumps(payload("pull_request", "synchronize.payload.json") | {"installation": {"id": 3}}).encode()
        assert (await post(app, "pull_request", body)).status_code == 503
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["queue"] is False
            assert (await client.get("/healthz")).status_code == 200
            metrics = (await client.get("/metrics")).text
            assert 'dockreview_webhook_deliveries_total{event="pull_request",outcome="unavailable"}' in metrics
        await queue.close()

    asyncio.run(scenario())
