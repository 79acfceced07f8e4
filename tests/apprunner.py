"""Run the real webhook service (uvicorn on a loopback port) in a background thread for e2e tests."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn
from dockreview.bot.cli.processes import server_limits
from dockreview.bot.queue import make_queue
from dockreview.bot.settings import Settings
from dockreview.bot.webhook.app import create_app
from dockreview.bot.worker.loop import Worker

from tests.redis_server import free_port


def settings_for(gh: Any, app: Any, **kw: Any) -> Settings:
    return Settings(app_id=str(app.id), private_key=app.private_key_pem, webhook_secret=app.webhook_secret,
                    github_api_url=gh.base_url, **kw)


class AppServer:
    """`dockreview serve` in a thread; embedded worker unless `redis_url` is given (then none)."""

    def __init__(self, settings: Settings, *, embedded_worker: bool | None = None, queue: Any = None) -> None:
        self.settings = settings
        self.port = free_port()
        self.queue = queue or make_queue(settings.redis_url, job_timeout=settings.job_timeout)
        embed = (settings.redis_url is None) if embedded_worker is None else embedded_worker
        self.worker = Worker(settings, self.queue) if embed else None
        app = create_app(settings, self.queue, embedded_worker=self.worker)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, access_log=False,
                                lifespan="on", **server_limits())
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/github/webhooks"

    def __enter__(self) -> AppServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("app server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def wait_for(predicate: Any, timeout: float = 30.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for the condition")
