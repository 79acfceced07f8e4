"""App settings from the environment (Probot's variable names, so existing App setups carry over)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

DEFAULT_API_URL = "https://api.github.com"
MAX_SINCE = timedelta(days=3)  # GitHub keeps (and redelivers) webhook deliveries for 3 days
_DURATION = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class SettingsError(Exception):
    """A missing or invalid setting: the message says which and how to fix it."""


class DurationError(ValueError):
    """A duration that is not like `30m`, `6h`, `2d`, or longer than GitHub keeps deliveries."""


def parse_duration(text: str, maximum: timedelta = MAX_SINCE) -> timedelta:
    """`90s`, `30m`, `6h`, `2d`, or combined like `1d12h`; more than `maximum` (3 days) is an error."""
    value = (text or "").strip().lower().replace(" ", "")
    if not value or _DURATION.sub("", value):
        raise DurationError(f"{text!r} is not a duration: use a number and a unit, like 30m, 6h or 2d")
    total = timedelta()
    for number, unit in _DURATION.findall(value):
        total += timedelta(**{_UNITS[unit]: int(number)})
    if total <= timedelta(0):
        raise DurationError(f"{text!r}: the duration must be longer than zero")
    if total > maximum:
        raise DurationError(f"{text!r} is longer than 3 days: GitHub keeps webhook deliveries for 3 days only")
    return total


@dataclass(frozen=True, slots=True)
class Settings:
    app_id: str
    private_key: str
    webhook_secret: str
    redis_url: str | None = None
    github_api_url: str = DEFAULT_API_URL
    log_level: str = "INFO"
    max_body_bytes: int = 25 * 1024 * 1024 + 65536
    job_timeout: float = 300.0
    delivery_ttl: int = 3 * 24 * 3600
    metrics_port: int | None = None
    redeliver_every: float | None = None
    reuse_ttl: float = 3 * 24 * 3600.0  # seconds a review's result stays reusable by a merge group (0: never)

    def __repr__(self) -> str:  # never print the key or the secret
        return f"Settings(app_id={self.app_id!r}, github_api_url={self.github_api_url!r}, redis={bool(self.redis_url)})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        problems: list[str] = []
        app_id = env.get("APP_ID", "").strip()
        if not app_id:
            problems.append("APP_ID is not set (the numeric App ID from the App's settings page)")
        elif not app_id.isdigit():
            problems.append("APP_ID must be the numeric App ID")
        key = env.get("PRIVATE_KEY", "").strip().replace("\\n", "\n")
        key_path = env.get("PRIVATE_KEY_PATH", "").strip()
        if not key and key_path:
            try:
                key = Path(key_path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                problems.append(f"PRIVATE_KEY_PATH cannot be read: {exc.strerror}")
        if not key and not key_path:
            problems.append("PRIVATE_KEY (PEM text) or PRIVATE_KEY_PATH is not set")
        elif key and "PRIVATE KEY-----" not in key:
            problems.append("the private key is not a PEM key (expected '-----BEGIN RSA PRIVATE KEY-----')")
        secret = env.get("WEBHOOK_SECRET", "")
        if not secret.strip():
            problems.append("WEBHOOK_SECRET is not set or only whitespace (the App's webhook secret)")
        api_url = env.get("GITHUB_API_URL", DEFAULT_API_URL).strip() or DEFAULT_API_URL
        if not api_url.startswith(("http://", "https://")):
            problems.append("GITHUB_API_URL must be an http(s) URL")
        level = env.get("LOG_LEVEL", "info").strip().upper() or "INFO"
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "TRACE", "FATAL", "WARN"}:
            problems.append(f"LOG_LEVEL {level!r} is not a log level (debug, info, warn, error)")
        level = {"TRACE": "DEBUG", "FATAL": "CRITICAL", "WARN": "WARNING"}.get(level, level)
        job_timeout = number(env, "DOCKREVIEW_JOB_TIMEOUT", 300.0, problems, minimum=1.0)
        metrics_port = number(env, "DOCKREVIEW_METRICS_PORT", None, problems, minimum=1.0)
        reuse_ttl = number(env, "DOCKREVIEW_REUSE_TTL", 3 * 24 * 3600.0, problems, minimum=0.0)
        # Read again by each review (bot.worker.pull_request); checked here so a bad value stops the start.
        number(env, "DOCKREVIEW_REVIEW_BUDGET", None, problems, minimum=0.0)
        number(env, "DOCKREVIEW_FILE_BUDGET", None, problems, minimum=0.0)
        redeliver_every = None
        if env.get("DOCKREVIEW_REDELIVER_EVERY", "").strip():
            try:
                redeliver_every = parse_duration(env["DOCKREVIEW_REDELIVER_EVERY"].strip()).total_seconds()
            except DurationError as exc:
                problems.append(f"DOCKREVIEW_REDELIVER_EVERY: {exc}")
        redis_url = env.get("REDIS_URL", "").strip() or None
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            problems.append("REDIS_URL must start with redis://, rediss:// or unix://")
        if problems:
            raise SettingsError("invalid settings:\n  - " + "\n  - ".join(problems))
        return cls(
            app_id=app_id,
            private_key=key,
            webhook_secret=secret,
            redis_url=redis_url,
            github_api_url=api_url.rstrip("/"),
            log_level=level,
            job_timeout=job_timeout or 300.0,
            metrics_port=int(metrics_port) if metrics_port else None,
            redeliver_every=redeliver_every,
            reuse_ttl=3 * 24 * 3600.0 if reuse_ttl is None else reuse_ttl,
        )


def number(env: Mapping[str, str], name: str, default: float | None, problems: list[str], *,
           minimum: float) -> float | None:
    """A finite number of at least `minimum` from `env[name]` (`default` when unset); what is wrong
    with it is added to `problems`."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name} must be a number (seconds or a port), not {raw!r}")
        return default
    if not math.isfinite(value):
        problems.append(f"{name} must be a finite number, not {raw!r}")
        return default
    if value < minimum:
        problems.append(f"{name} must be at least {minimum:g}")
    return value
