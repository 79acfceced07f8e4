"""The App's long-running processes, `dockreview serve` and `dockreview worker`: start-up, settings
check, and the process loop. Here the webhook app, the queue and the worker are put together."""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
from typing import Any

from dockreview.bot.logs import log, setup
from dockreview.bot.settings import Settings, SettingsError

SWITCH_INTERVAL = 0.001


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        print(f"dockreview: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cannot_listen(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (taken, not allowed, unknown host), or None. Checked before
    the settings and the app are built, so that a busy port is one clear line, not uvicorn's traceback."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def freeze_start_up_heap() -> None:
    """What start-up built (modules, the app, the settings: some 85,000 objects) lives as long as the
    process: moved out of the collector's reach (`gc.freeze`), so a full collection scans only what
    came after. Before, one took 35-80 ms of the webhook's event loop (a delivery's p99)."""
    gc.collect()
    gc.freeze()


def server_limits() -> dict[str, Any]:
    """uvicorn's settings for the webhook service: httptools with bounds on request headers (10 s,
    16 KiB: our protocol class), the uvloop event loop where it is installed (uvicorn's "auto"), idle
    keep-alive connections closed after 5 s, at most 200 connections and requests at once (beyond:
    503); bodies are bounded by the app (docs/operations.md)."""
    from dockreview.bot.webhook.http import HeaderBoundsProtocol

    return {"http": HeaderBoundsProtocol, "loop": "auto", "timeout_keep_alive": 5, "limit_concurrency": 200}


def serve(host: str = "0.0.0.0", port: int = 3000) -> int:
    """The webhook app; without REDIS_URL the queue and a worker run in this process."""
    import uvicorn
    from dockreview.bot.queue import make_queue
    from dockreview.bot.webhook.app import create_app
    from dockreview.bot.worker.loop import Worker

    settings = load_settings()
    setup(settings.log_level)
    queue = make_queue(settings.redis_url, job_timeout=settings.job_timeout)
    embedded = None if settings.redis_url else Worker(settings, queue)
    if embedded is not None:
        # The embedded worker's thread (GitHub calls, JSON, rendering) shares the GIL with the webhook's
        # event loop: hand it over after 1 ms instead of 5, so an answer waits at most that long for it.
        sys.setswitchinterval(SWITCH_INTERVAL)
    app = create_app(settings, queue, embedded_worker=embedded)
    log.info("serving", extra={"host": host, "port": port, "queue": "redis" if settings.redis_url else "embedded"})
    freeze_start_up_heap()
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=30,
                **server_limits())
    return 0


def worker() -> int:
    """A worker process: jobs from Redis (REDIS_URL is required)."""
    from dockreview.bot.queue import RedisQueue
    from dockreview.bot.worker.loop import Worker

    settings = load_settings()
    if not settings.redis_url:
        print("dockreview: `worker` needs REDIS_URL (without it, `serve` runs the worker itself)", file=sys.stderr)
        return 2
    redis_url = settings.redis_url
    setup(settings.log_level)
    if settings.metrics_port:
        from dockreview.bot.metrics import REGISTRY
        from prometheus_client import start_http_server

        # Jobs, durations and GitHub calls are counted in the worker: expose them here too.
        start_http_server(settings.metrics_port, registry=REGISTRY)

    async def main() -> None:
        queue = RedisQueue(redis_url, job_timeout=settings.job_timeout)
        runner = Worker(settings, queue)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(runner.stop()))
        try:
            await runner.run()
        finally:
            await queue.close()

    freeze_start_up_heap()
    asyncio.run(main())
    return 0
