"""The webhook service: verify, de-duplicate, enqueue, answer. No GitHub API call happens here."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from dockreview.bot import metrics
from dockreview.bot.logs import log
from dockreview.bot.queue import Queue
from dockreview.bot.settings import Settings
from dockreview.bot.webhook.events import BadPayload, job_for
from dockreview.bot.webhook.paths import WEBHOOK_PATH
from dockreview.bot.webhook.signature import Signer, well_formed
from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.types import Message, Receive, Scope, Send

BODY_TIMEOUT = 10.0
MAX_CONCURRENT_BODIES = 4  # bodies read at once: memory stays under 4 x the size limit whatever arrives
BODY_SLOT_WAIT = 5.0  # longer than this for a free slot: 503 (GitHub records it; redeliver sends it again)
LOG_EVERY = 60.0  # rejected unsigned requests: one log line per this many seconds, with the count


class _TooLarge(Exception):
    pass


class _BadSignature(Exception):
    pass


class _RejectLog:
    """Unsigned or wrongly signed requests are counted, and logged at most once per LOG_EVERY with
    how many there were: a flood costs no log line each."""

    def __init__(self) -> None:
        self.count = 0
        self.last = float("-inf")

    def add(self, delivery: str, event: str) -> None:
        metrics.UNSIGNED_REJECTED.inc()
        self.count += 1
        now = time.monotonic()
        if now - self.last >= LOG_EVERY:
            log.warning("webhook signature rejected", extra={"rejected": self.count, "seconds": LOG_EVERY,
                                                             "delivery_id": delivery[:64],
                                                             "event": metrics.event_label(event)})
            self.count = 0
            self.last = now


async def _read_body(receive: Receive, declared: str, limit: int, secret: str, header: str) -> bytes | None:
    """The raw body, at most `limit` bytes within BODY_TIMEOUT, its HMAC computed while it arrives and
    checked as soon as it is complete. None when the client went away before the end."""
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    mac = Signer(secret)
    async with asyncio.timeout(BODY_TIMEOUT):
        while True:
            message = await receive()
            if message["type"] != "http.request":  # http.disconnect
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            mac.update(chunk)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
    if not mac.matches(header):
        raise _BadSignature
    return b"".join(chunks)


class _Answer:
    """A delivery's answer: its outcome (the metric's label and the body's `status`) and HTTP status."""

    def __init__(self, event: str, outcome: str, status: int, **extra: Any) -> None:
        self.event, self.outcome, self.status, self.extra = event, outcome, status, extra


async def _send_json(send: Send, status: int, content: dict[str, Any],
                     headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


class Service:
    """The ASGI app uvicorn runs. A delivery (POST to WEBHOOK_PATH) is answered here, in plain ASGI:
    verify, de-duplicate, enqueue, answer, without the framework's routing, dependency solving and
    response classes, which cost more than the rest of a delivery. Everything else (health, readiness,
    metrics, the lifespan) is the FastAPI app's."""

    def __init__(self, api: FastAPI, settings: Settings, queue: Queue) -> None:
        self.api = api
        self.settings = settings
        self.queue = queue
        self.bodies = asyncio.Semaphore(MAX_CONCURRENT_BODIES)
        self.rejected = _RejectLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != WEBHOOK_PATH:
            await self.api(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _send_json(send, 405, {"detail": "Method Not Allowed"}, ((b"allow", b"POST"),))
            return
        started = False

        async def send_once(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            answer = await self.deliver(scope, receive)
        except Exception as exc:  # a bug must not take the service down; GitHub records the 500 to redeliver
            log.error("webhook handler failed", extra={"error": type(exc).__name__}, exc_info=True)
            if not started:
                await send_once({"type": "http.response.start", "status": 500,
                                 "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send_once({"type": "http.response.body", "body": b"Internal Server Error"})
            return
        if answer is None:  # the client went away: nobody to answer
            return
        metrics.DELIVERIES.labels(event=metrics.event_label(answer.event), outcome=answer.outcome).inc()
        await _send_json(send_once, answer.status, {"status": answer.outcome, **answer.extra})

    async def deliver(self, scope: Scope, receive: Receive) -> _Answer | None:
        timer = time.perf_counter()
        event = _header(scope, b"x-github-event")
        delivery = _header(scope, b"x-github-delivery")
        signature = _header(scope, b"x-hub-signature-256")
        if not well_formed(signature):  # no body is read for a request that cannot be ours
            self.rejected.add(delivery, event)
            return _Answer(event, "bad_signature", 401)
        try:
            async with asyncio.timeout(BODY_SLOT_WAIT):
                await self.bodies.acquire()
        except TimeoutError:
            return _Answer(event, "busy", 503)
        try:
            body = await _read_body(receive, _header(scope, b"content-length"), self.settings.max_body_bytes,
                                    self.settings.webhook_secret, signature)
        except _TooLarge:
            return _Answer(event, "too_large", 413)
        except TimeoutError:
            return _Answer(event, "slow_body", 408)
        except _BadSignature:
            self.rejected.add(delivery, event)
            return _Answer(event, "bad_signature", 401)
        finally:
            self.bodies.release()
        if body is None:
            return None
        if not event or not delivery or len(delivery) > 100:
            return _Answer(event, "bad_headers", 400)
        try:
            payload = json.loads(body)
            job = job_for(event, payload, delivery, self.settings.app_id)
        except (ValueError, RecursionError, BadPayload) as exc:
            message = str(exc)[:200] if isinstance(exc, BadPayload) else "body is not valid JSON"
            log.warning("webhook payload rejected", extra={"delivery_id": delivery, "event": event[:64],
                                                           "reason": message})
            return _Answer(event, "bad_payload", 400, reason=message)
        if job is None:
            if event in ("installation", "installation_repositories"):
                _log_installation(event, payload, delivery)
            return _Answer(event, "ignored", 200)
        try:
            outcome = await self.queue.enqueue(job)
        except Exception as exc:  # Redis down or full: 503 makes GitHub record a failed delivery to redeliver
            log.error("queue unavailable", extra={"delivery_id": delivery, "error": type(exc).__name__})
            return _Answer(event, "unavailable", 503)
        queued = outcome == "queued"
        if log.isEnabledFor(logging.INFO):
            fields = job.log_fields() if queued else {k: v for k, v in job.log_fields().items() if k != "job_id"}
            log.info("webhook " + outcome, extra={**fields, "event": event,
                                                  "ms": round((time.perf_counter() - timer) * 1000, 2)})
        return _Answer(event, outcome, 202 if queued else 200, job_id=job.job_id if queued else None)


def create_app(settings: Settings, queue: Queue, *, embedded_worker: Any = None) -> Service:
    """The service: deliveries answered by `Service`, the rest by a FastAPI app. `embedded_worker` (a
    Worker) runs in this process, on its own thread: the app asks it for that thread (`on_own_thread()`)
    and never imports the worker."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        thread = None
        if embedded_worker is not None:
            thread = embedded_worker.on_own_thread()
            thread.start()
        try:
            yield
        finally:
            if thread is not None:
                await asyncio.to_thread(thread.stop)
            await queue.close()

    app = FastAPI(title="dockreview", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    key_loaded = _key_loads(settings.private_key)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        redis_ok = await queue.ping()
        ready = redis_ok and key_loaded
        return JSONResponse({"queue": redis_ok, "private_key": key_loaded, "ready": ready},
                            status_code=200 if ready else 503)

    @app.get("/metrics")
    async def prometheus() -> PlainTextResponse:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        with contextlib.suppress(Exception):
            metrics.QUEUE_DEPTH.set(await queue.depth())
        return PlainTextResponse(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return Service(app, settings, queue)


def _key_loads(pem: str) -> bool:
    try:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        load_pem_private_key(pem.encode(), password=None)
        return True
    except Exception:
        return False


def _log_installation(event: str, payload: dict[str, Any], delivery: str) -> None:
    installation = payload.get("installation")
    account = installation.get("account", {}) if isinstance(installation, dict) else {}
    log.info(
        f"{event} {payload.get('action')}",
        extra={"delivery_id": delivery, "account": account.get("login") if isinstance(account, dict) else None},
    )
