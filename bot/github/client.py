"""GitHub API access through githubkit: App/installation auth, bounded retries, call accounting.

Every request goes through `GitHubClient.request`/`graphql`: secondary rate limits are retried after
`Retry-After`, 5xx with exponential backoff, an installation token rejected with 401 is replaced
once, and each call is counted (per job, and in the Prometheus metrics).
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import re
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
from dockreview.bot import metrics
from dockreview.bot.settings import Settings
from githubkit import AppAuthStrategy, AppInstallationAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import (
    GitHubException,
    GraphQLFailed,
    PrimaryRateLimitExceeded,
    RequestFailed,
    SecondaryRateLimitExceeded,
)
from githubkit.retry import RetryOption

# Calls made by the current job, by route: for the API-calls-per-review figure and tests.
CALLS: contextvars.ContextVar[Counter[str] | None] = contextvars.ContextVar("github_calls", default=None)

_ROUTE_IDS = re.compile(r"/(?:[0-9]+|[0-9a-f]{40})(?=/|$)")
MAX_SECONDARY_WAIT = 120.0
NETWORK_RETRIES = 3  # connection refused/reset, timeouts: githubkit retries HTTP statuses only


class GitHubError(Exception):
    """A GitHub call failed for good (after retries): the job reports it in the check run."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _route(url: httpx.URL) -> str:
    path = url.path
    path = re.sub(r"^/repos/[^/]+/[^/]+", "/repos/{o}/{r}", path)
    path = re.sub(r"/contents/.*$", "/contents/{path}", path)
    path = re.sub(r"/compare/.*$", "/compare/{basehead}", path)
    return _ROUTE_IDS.sub("/{id}", path)


async def _on_response(response: httpx.Response) -> None:
    route = _route(response.request.url)
    metrics.GITHUB_CALLS.labels(method=response.request.method, route=route,
                                status=str(response.status_code)).inc()
    remaining = response.headers.get("x-ratelimit-remaining")
    if remaining is not None and remaining.isdigit():
        resource = response.headers.get("x-ratelimit-resource", "core")
        metrics.RATE_LIMIT_REMAINING.labels(resource=resource).set(int(remaining))
    counter = CALLS.get()
    if counter is not None:
        counter[f"{response.request.method} {route}"] += 1


def _retry_policy(base_delay: float) -> Any:
    def decide(exc: GitHubException, retry_count: int) -> RetryOption:
        if isinstance(exc, SecondaryRateLimitExceeded) and retry_count < 3:
            wait = exc.retry_after.total_seconds() if exc.retry_after else 60 * base_delay
            return RetryOption(True, timedelta(seconds=min(max(wait, base_delay), MAX_SECONDARY_WAIT)))
        if isinstance(exc, PrimaryRateLimitExceeded):
            return RetryOption(False)
        if isinstance(exc, RequestFailed) and exc.response.status_code >= 500 and retry_count < 4:
            return RetryOption(True, timedelta(seconds=base_delay * (2**retry_count)))
        return RetryOption(False)

    return decide


class GitHubClient:
    """One installation's client. Tokens are cached by githubkit until a minute before expiry."""

    def __init__(self, settings: Settings, installation_id: int | None) -> None:
        self.settings = settings
        self.installation_id = installation_id
        self.retry_base = float(os.environ.get("DOCKREVIEW_RETRY_BASE", "1.0"))
        self._gh = self._make()

    def _make(self) -> GitHub[Any]:
        auth: Any
        if self.installation_id is None:
            auth = AppAuthStrategy(self.settings.app_id, self.settings.private_key)
        else:
            auth = AppInstallationAuthStrategy(self.settings.app_id, self.settings.private_key,
                                               self.installation_id)
        return GitHub(
            auth,
            base_url=self.settings.github_api_url + "/",
            user_agent="dockreview",
            timeout=30.0,
            http_cache=False,
            cache_strategy=MemCacheStrategy(),
            auto_retry=_retry_policy(self.retry_base),
            async_event_hooks={"response": [_on_response]},
        )

    async def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                      json: Any = None, ok: tuple[int, ...] = ()) -> httpx.Response:
        """A REST call; returns the response for 2xx and for statuses listed in `ok`."""
        refreshed = False
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                response = await self._gh.arequest(method, url, params=params, json=json)
                return response.raw_response
            except RequestFailed as exc:
                status = exc.response.status_code
                if status in ok:
                    return exc.response.raw_response
                if status == 401 and not refreshed and self.installation_id is not None:
                    self._gh = self._make()  # the cached token was revoked or expired early
                    refreshed = True
                    continue
                raise GitHubError(_describe(exc), status) from None
            except GitHubException as exc:
                raise GitHubError(f"{method} {url}: {type(exc).__name__}: {exc}") from None
            except httpx.TransportError as exc:
                if attempt < NETWORK_RETRIES:
                    await asyncio.sleep(self.retry_base * (2**attempt))
                    continue
                raise GitHubError(f"{method} {url}: network error {type(exc).__name__}") from None
            except httpx.HTTPError as exc:
                raise GitHubError(f"{method} {url}: network error {type(exc).__name__}") from None
        raise GitHubError(f"{method} {url}: unauthorized", 401)

    async def json(self, method: str, url: str, **kw: Any) -> Any:
        return (await self.request(method, url, **kw)).json()

    async def paginate(self, url: str, *, params: dict[str, Any] | None = None, limit: int = 3000,
                       key: str | None = None) -> list[Any]:
        """Follow `Link: rel="next"` pages (per_page 100) up to `limit` items."""
        items: list[Any] = []
        next_url: str | None = url
        query = {"per_page": 100, **(params or {})}
        while next_url and len(items) < limit:
            response = await self.request("GET", next_url, params=query)
            data = response.json()
            page = data.get(key, []) if key and isinstance(data, dict) else data
            items.extend(page if isinstance(page, list) else [])
            next_url = response.links.get("next", {}).get("url")
            query = None  # the next link carries the query
            if not page:
                break
        return items[:limit]

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        refreshed = False
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                return await self._gh.async_graphql(query, variables or {})
            except GraphQLFailed as exc:
                raise GitHubError(f"GraphQL: {exc}") from None
            except RequestFailed as exc:
                if exc.response.status_code == 401 and not refreshed and self.installation_id is not None:
                    self._gh = self._make()
                    refreshed = True
                    continue
                raise GitHubError(_describe(exc), exc.response.status_code) from None
            except GitHubException as exc:
                raise GitHubError(f"GraphQL: {type(exc).__name__}: {exc}") from None
            except httpx.TransportError as exc:
                if attempt < NETWORK_RETRIES:
                    await asyncio.sleep(self.retry_base * (2**attempt))
                    continue
                raise GitHubError(f"GraphQL: network error {type(exc).__name__}") from None
            except httpx.HTTPError as exc:
                raise GitHubError(f"GraphQL: network error {type(exc).__name__}") from None
        raise GitHubError("GraphQL: unauthorized", 401)

    async def aclose(self) -> None:
        await asyncio.sleep(0)


def _describe(exc: RequestFailed) -> str:
    response = exc.response
    try:
        body = response.raw_response.json()
        message = body.get("message", "") if isinstance(body, dict) else ""
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            message += f" ({'; '.join(str(e)[:200] for e in errors[:3])})"
    except ValueError:
        message = response.raw_response.text[:200]
    request = response.raw_response.request
    return f"{request.method} {_route(request.url)} -> {response.status_code} {message}".strip()
