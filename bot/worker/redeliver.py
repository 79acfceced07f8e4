"""`dockreview redeliver`: send again the webhook deliveries that failed (GitHub never does it by itself).

The App's deliveries (`GET /app/hook/deliveries`, App JWT, newest first, cursor pagination through the
Link header) are listed back to `since` (GitHub keeps them 3 days). Attempts of one event share its
`guid` (X-GitHub-Delivery, unchanged on redelivery); an event is redelivered (`POST
/app/hook/deliveries/{id}/attempts`, oldest event first) when its latest attempt failed — status code not
2xx, which includes timeouts and refused connections (code 0) — and, when a queue is given, the queue has
not seen its guid: a delivery that reached the queue was processed, or will be, even if GitHub recorded
a failure (e.g. the answer came after GitHub's 10 s limit).

`periodic_redeliver` does the same every `every` inside a long-running process (the worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dockreview.bot.github import GitHubClient, GitHubError, api
from dockreview.bot.queue import Queue
from dockreview.bot.settings import MAX_SINCE, DurationError, Settings

log = logging.getLogger("dockreview.redeliver")

PER_PAGE = 100
MAX_PAGES = 1000  # a bound on the listing: 100,000 deliveries


@dataclass
class RedeliverResult:
    listed: int = 0  # delivery attempts listed inside the window
    failed: int = 0  # events (guids) whose latest attempt failed
    skipped_seen: int = 0  # of those, already in the queue: not redelivered
    redelivered: int = 0  # redelivery requests GitHub accepted (with dry_run: that would be sent)
    errors: int = 0  # redelivery requests that failed, or queue look-ups that failed
    dry_run: bool = False
    guids: list[str] = field(default_factory=list)  # the events redelivered (or that would be)

    def summary(self) -> str:
        verb = "would redeliver" if self.dry_run else "redelivered"
        return (f"{self.listed} deliveries listed, {self.failed} failed, {self.skipped_seen} already queued, "
                f"{verb} {self.redelivered}, {self.errors} errors")


def _failed(item: dict[str, Any]) -> bool:
    code = item.get("status_code")
    return not (isinstance(code, int) and 200 <= code < 300)


def _when(item: dict[str, Any]) -> datetime | None:
    value = item.get("delivered_at")
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def _latest_attempts(client: GitHubClient, cutoff: datetime, result: RedeliverResult
                           ) -> dict[str, tuple[datetime, int, dict[str, Any]]]:
    """guid -> (time, id, item) of its latest attempt, for attempts delivered at or after `cutoff`."""
    latest: dict[str, tuple[datetime, int, dict[str, Any]]] = {}
    pages = api.hook_delivery_pages(client, per_page=PER_PAGE, max_pages=MAX_PAGES)
    async with contextlib.aclosing(pages):
        async for page in pages:
            older = False
            for item in page:
                when = _when(item) if isinstance(item, dict) else None
                if when is None or not isinstance(item.get("id"), int) or not item.get("guid"):
                    continue
                if when < cutoff:
                    older = True  # newest first: the rest is older still
                    continue
                result.listed += 1
                key = (when, item["id"])
                known = latest.get(item["guid"])
                if known is None or key > known[:2]:
                    latest[item["guid"]] = (when, item["id"], item)
            if older:
                break
    return latest


async def redeliver(
    settings: Settings,
    *,
    since: timedelta,
    queue: Queue | None,
    dry_run: bool = False,
    min_age: timedelta = timedelta(0),
    limit: int | None = None,
) -> RedeliverResult:
    """Redeliver the events of the last `since` (at most 3 days) whose latest delivery attempt failed and
    that `queue` (if given) has not seen. `min_age` leaves alone attempts younger than that (one may still
    be answered); `limit` caps the redeliveries of one call. Uses the App's JWT only."""
    if since > MAX_SINCE:
        raise DurationError("`since` is longer than 3 days: GitHub keeps webhook deliveries for 3 days only")
    result = RedeliverResult(dry_run=dry_run)
    client = GitHubClient(settings, None)
    try:
        await _redeliver(client, result, since=since, queue=queue, min_age=min_age, limit=limit)
    finally:
        await client.aclose()
    return result


async def _redeliver(client: GitHubClient, result: RedeliverResult, *, since: timedelta, queue: Queue | None,
                     min_age: timedelta, limit: int | None) -> None:
    dry_run = result.dry_run
    now = datetime.now(UTC)
    latest = await _latest_attempts(client, now - since, result)
    failed = sorted((entry for entry in latest.values() if _failed(entry[2])), key=lambda e: e[:2])
    result.failed = len(failed)
    for when, delivery_id, item in failed:
        guid = str(item["guid"])
        if now - when < min_age:
            continue
        if queue is not None:
            try:
                if await queue.seen(guid):
                    result.skipped_seen += 1
                    continue
            except Exception as exc:  # the queue is down: redelivering now would fail again
                log.warning("queue unavailable", extra={"delivery_id": guid, "error": type(exc).__name__})
                result.errors += 1
                continue
        if limit is not None and result.redelivered >= limit:
            break
        if not dry_run:
            try:
                await api.redeliver_hook_delivery(client, delivery_id)
            except GitHubError as exc:
                log.warning("redelivery failed", extra={"delivery_id": guid, "error": str(exc)[:300]})
                result.errors += 1
                continue
        result.redelivered += 1
        result.guids.append(guid)
        log.info("would redeliver" if dry_run else "redelivered",
                 extra={"delivery_id": guid, "event": item.get("event"), "action": item.get("action"),
                        "status_code": item.get("status_code")})


async def periodic_redeliver(
    settings: Settings,
    queue: Queue | None,
    every: timedelta,
    *,
    since: timedelta | None = None,
    stop: asyncio.Event | None = None,
    runs: int | None = None,
    limit: int = 100,
    min_age: timedelta = timedelta(seconds=30),
) -> RedeliverResult | None:
    """Run `redeliver` now and then every `every` until `stop` is set, the task is cancelled, or `runs`
    runs are done. Each run looks back `since` (default: twice `every`, at least an hour, at most 3 days),
    redelivers at most `limit` events, and is cut off after `every` (at most 10 minutes); failures are
    logged, never raised. Returns the last run's result."""
    if every <= timedelta(0):
        raise ValueError("`every` must be longer than zero")
    window = since if since is not None else min(max(every * 2, timedelta(hours=1)), MAX_SINCE)
    window = min(window, MAX_SINCE)
    budget = min(every, timedelta(minutes=10)).total_seconds()
    stop = stop or asyncio.Event()
    last: RedeliverResult | None = None
    done = 0
    while not stop.is_set():
        try:
            async with asyncio.timeout(max(budget, 1.0)):
                last = await redeliver(settings, since=window, queue=queue, min_age=min_age, limit=limit)
            if last.failed or last.errors:
                log.info("redelivery run: " + last.summary())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # GitHub unreachable, timeout, bad key: try again next time
            log.warning("redelivery run failed", extra={"error": f"{type(exc).__name__}: {str(exc)[:300]}"})
        done += 1
        if runs is not None and done >= runs:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every.total_seconds())
    return last
