"""The webhook service: verify, de-duplicate, enqueue, answer. No GitHub API call happens here."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from dockreview.bot import metrics
from dockreview.bot.logs import log
from dockreview.bot.queue import Queue
from dockreview.bot.settings import Settings
from dockreview.bot.webhook.events import BadPayload, job_for
from dockreview.bot.webhook.signature import Signer, well_formed
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

WEBHOOK_PATH = "/api/github/webhooks"
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


async def _read_body(request: Request, limit: int, secret: str, header: str) -> bytes:
    """The raw body, at most `limit` bytes within BODY_TIMEOUT, its HMAC computed while it arrives and
    checked as soon as it is complete."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    mac = Signer(secret)
    async with asyncio.timeout(BODY_TIMEOUT):
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            mac.update(chunk)
            chunks.append(chunk)
    if not mac.matches(header):
        raise _BadSignature
    return b"".join(chunks)


def _answer(event: str, outcome: str, status: int, **extra: Any) -> JSONResponse:
    metrics.DELIVERIES.labels(event=metrics.event_label(event), outcome=outcome).inc()
    return JSONResponse({"status": outcome, **extra}, status_code=status)


def create_app(settings: Settings, queue: Queue, *, embedded_worker: Any = None) -> FastAPI:
    """The FastAPI app. `embedded_worker` (a Worker) runs in this process, on its own thread: the app
    asks it for that thread (`on_own_thread()`) and never imports the worker."""

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
    bodies = asyncio.Semaphore(MAX_CONCURRENT_BODIES)
    rejected = _RejectLog()

    @app.post(WEBHOOK_PATH)
    async def webhook(request: Request) -> Response:
        started = time.perf_counter()
        event = request.headers.get("x-github-event", "")
        delivery = request.headers.get("x-github-delivery", "")
        signature = request.headers.get("x-hub-signature-256") or ""
        if not well_formed(signature):  # no body is read for a request that cannot be ours
            rejected.add(delivery, event)
            return _answer(event, "bad_signature", 401)
        try:
            async with asyncio.timeout(BODY_SLOT_WAIT):
                await bodies.acquire()
        except TimeoutError:
            return _answer(event, "busy", 503)
        try:
            body = await _read_body(request, settings.max_body_bytes, settings.webhook_secret, signature)
        except _TooLarge:
            return _answer(event, "too_large", 413)
        except TimeoutError:
            return _answer(event, "slow_body", 408)
        except _BadSignature:
            rejected.add(delivery, event)
            return _answer(event, "bad_signature", 401)
        finally:
            bodies.release()
        if not event or not delivery or len(delivery) > 100:
            return _answer(event, "bad_headers", 400)
        try:
            payload = json.loads(body)
            job = job_for(event, payload, delivery, settings.app_id)
        except (ValueError, RecursionError, BadPayload) as exc:
            message = str(exc)[:200] if isinstance(exc, BadPayload) else "body is not valid JSON"
            log.warning("webhook payload rejected", extra={"delivery_id": delivery, "event": event[:64],
                                                           "reason": message})
            return _answer(event, "bad_payload", 400, reason=message)
        if job is None:
            if event in ("installation", "installation_repositories"):
                _log_installation(event, payload, delivery)
            return _answer(event, "ignored", 200)
        try:
            outcome = await queue.enqueue(job)
        except Exception as exc:  # Redis down or full: 503 makes GitHub record a failed delivery to redeliver
            log.error("queue unavailable", extra={"delivery_id": delivery, "error": type(exc).__name__})
            return _answer(event, "unavailable", 503)
        queued = outcome == "queued"
        fields = job.log_fields() if queued else {k: v for k, v in job.log_fields().items() if k != "job_id"}
        log.info("webhook " + outcome, extra={**fields, "event": event,
                                              "ms": round((time.perf_counter() - started) * 1000, 2)})
        return _answer(event, outcome, 202 if queued else 200, job_id=job.job_id if queued else None)

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

    return app


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
