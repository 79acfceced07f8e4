"""GitHub API access through githubkit: App/installation auth, bounded retries, call accounting.

Every request goes through `GitHubClient.request`/`graphql`: secondary rate limits are retried after
`Retry-After`, 5xx and network errors/timeouts with exponential backoff (githubkit wraps httpx's
errors in `RequestError`/`RequestTimeout`; the retry policy looks inside), an exhausted rate limit
that resets within a minute is waited out, an installation token rejected with 401 is replaced once,
and each call is counted (per job, and in the Prometheus metrics) and bounded per job (`CALL_BUDGET`).
What still fails raises `GitHubError`, which says whether a later attempt of the job may succeed.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import re
import ssl
import time
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
    RateLimitExceeded,
    RequestError,
    RequestFailed,
    RequestTimeout,
    SecondaryRateLimitExceeded,
)
from githubkit.retry import RetryOption

# Calls made by the current job, by route: for the API-calls-per-review figure and tests.
CALLS: contextvars.ContextVar[Counter[str] | None] = contextvars.ContextVar("github_calls", default=None)
# The most GitHub requests one job may make (retries included); None: no bound (the CLI's setup).
CALL_BUDGET: contextvars.ContextVar[int | None] = contextvars.ContextVar("github_call_budget", default=None)
# The rate limit the current job last saw: resource -> (remaining, reset as epoch seconds), from the
# `x-ratelimit-*` headers of every answer (GraphQL's say `x-ratelimit-resource: graphql`: points per
# hour, apart from REST's `core`). A job that sees the core limit down to RATE_RESERVE stops, so the
# reserve is left to say on its check run until when it waits (a used-up limit would refuse that
# too); a GraphQL query is not sent either while GraphQL's is down to RATE_RESERVE points: the job
# waits for its reset, as for REST. None: not tracked (the CLI's setup).
RATE_SEEN: contextvars.ContextVar[dict[str, tuple[int, float]] | None] = contextvars.ContextVar(
    "github_rate_seen", default=None)
RATE_RESERVE = 10

_ROUTE_IDS = re.compile(r"/(?:[0-9]+|[0-9a-f]{40})(?=/|$)")
MAX_SECONDARY_WAIT = 120.0
MAX_PRIMARY_WAIT = 60.0  # an exhausted rate limit resetting sooner is waited out in place; later: the job waits
SERVER_ERROR_RETRIES = 4
NETWORK_RETRIES = 3  # connection refused/reset, timeouts (githubkit wraps them in RequestError/RequestTimeout)
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"}
# Errors where the request certainly never reached GitHub: safe to send again whatever the method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class GitHubError(Exception):
    """A GitHub call failed for good (after retries). `retryable`: the job may succeed later (5xx,
    network, rate limits, a check run deleted meanwhile); `retry_after`: not before this many seconds.
    `public` is safe to show on GitHub: a route and a status, never a URL with a host or a body."""

    def __init__(self, message: str, status: int | None = None, *, retryable: bool = False,
                 retry_after: float | None = None, public: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.public = public or "a GitHub API call failed"


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context, made once per process. githubkit opens a new httpx client per
    request, and each would load the CA bundle again: about 20 ms of CPU with the GIL held, every call
    (it stalled the webhook answers of `dockreview serve` while its embedded worker called GitHub)."""
    return httpx.create_ssl_context()


def _route(url: httpx.URL) -> str:
    path = url.path
    path = re.sub(r"^/repos/[^/]+/[^/]+", "/repos/{o}/{r}", path)
    path = re.sub(r"/contents/.*$", "/contents/{path}", path)
    path = re.sub(r"/compare/.*$", "/compare/{basehead}", path)
    return _ROUTE_IDS.sub("/{id}", path)


async def _on_response(response: httpx.Response) -> None:
    route = _route(response.request.url)
    metrics.GITHUB_CALLS.labels(method=response.request.method, route=metrics.route_label(route),
                                status=metrics.status_label(response.status_code)).inc()
    remaining = response.headers.get("x-ratelimit-remaining")
    if remaining is not None and remaining.isdigit():
        resource = response.headers.get("x-ratelimit-resource", "core")
        metrics.RATE_LIMIT_REMAINING.labels(resource=metrics.resource_label(resource)).set(int(remaining))
    counter = CALLS.get()
    if counter is not None:
        counter[f"{response.request.method} {route}"] += 1
    seen = RATE_SEEN.get()
    reset = response.headers.get("x-ratelimit-reset")
    if seen is not None and remaining is not None and remaining.isdigit() and reset and reset.isdigit():
        seen[response.headers.get("x-ratelimit-resource", "core")] = (int(remaining), float(reset))


def _network_retryable(exc: GitHubException) -> bool:
    """A network error or timeout githubkit wrapped: retried when the request never left, or is a read."""
    if not isinstance(exc, RequestError) or isinstance(exc, RequestFailed):
        return False
    origin = exc.exc
    if isinstance(origin, _NOT_SENT):
        return True
    if not isinstance(origin, httpx.TransportError):
        return False
    try:
        request: httpx.Request | None = origin.request
    except RuntimeError:  # httpx raises when the error carries no request
        request = None
    method = request.method if request is not None else ""
    path = request.url.path if request is not None else ""
    # GraphQL reads and thread resolution are idempotent; a review or a new check run is not sent twice
    # (the job's next attempt finds what reached GitHub by fingerprint and external_id).
    return method in IDEMPOTENT or path.endswith("/graphql")


def _retry_policy(base_delay: float) -> Any:
    def decide(exc: GitHubException, retry_count: int) -> RetryOption:
        if isinstance(exc, SecondaryRateLimitExceeded) and retry_count < 3:
            wait = exc.retry_after.total_seconds() if exc.retry_after else 60 * base_delay
            return RetryOption(True, timedelta(seconds=min(max(wait, base_delay), MAX_SECONDARY_WAIT)))
        if isinstance(exc, PrimaryRateLimitExceeded):
            reset = exc.retry_after.total_seconds() if exc.retry_after else None
            if reset is not None and reset <= MAX_PRIMARY_WAIT and retry_count < 1:
                return RetryOption(True, timedelta(seconds=max(reset, base_delay)))
            return RetryOption(False)
        if isinstance(exc, RequestFailed) and exc.response.status_code >= 500 and retry_count < SERVER_ERROR_RETRIES:
            return RetryOption(True, timedelta(seconds=base_delay * (2**retry_count)))
        if _network_retryable(exc) and retry_count < NETWORK_RETRIES:
            return RetryOption(True, timedelta(seconds=base_delay * (2**retry_count)))
        return RetryOption(False)

    return decide


class GitHubClient:
    """One installation's client. Tokens are cached by githubkit until a minute before expiry."""

    def __init__(self, settings: Settings, installation_id: int | None) -> None:
        self.settings = settings
        self.installation_id = installation_id
        self.retry_base = float(os.environ.get("DOCKREVIEW_RETRY_BASE", "1.0"))
        self.timeout = float(os.environ.get("DOCKREVIEW_GITHUB_TIMEOUT", "30"))
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
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
            ssl_verify=_ssl_context(),
            http_cache=False,
            cache_strategy=MemCacheStrategy(),
            auto_retry=_retry_policy(self.retry_base),
            async_event_hooks={"response": [_on_response]},
        )

    def _spend(self, what: str, resource: str = "core") -> None:
        """Count a request against the job's budget, and stop the job while a rate limit it needs is
        down to its reserve: the REST one (`core`) for every request (the job's results are written
        through REST), and for a GraphQL query also GraphQL's own (points per hour, apart from REST's)."""
        budget = CALL_BUDGET.get()
        counter = CALLS.get()
        if budget is not None and counter is not None and sum(counter.values()) >= budget:
            raise GitHubError(f"{what}: more than {budget} GitHub requests in one job",
                              public=f"the review needed more than {budget} GitHub API requests")
        if budget is None:
            return  # the last word (the check run saying it waits, or gives up) may use the reserve
        seen = RATE_SEEN.get() or {}
        for name in dict.fromkeys(("core", resource)):
            remaining, reset = seen.get(name, (None, 0.0))
            if remaining is not None and remaining <= RATE_RESERVE:
                # The job waits for the reset and tries again.
                raise GitHubError(f"{what}: {name} rate limit down to {remaining}", 403, retryable=True,
                                  retry_after=max(reset - time.time(), 0.0), public=_used_up(name, reset))

    async def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                      json: Any = None, ok: tuple[int, ...] = ()) -> httpx.Response:
        """A REST call; returns the response for 2xx and for statuses listed in `ok`."""
        self._spend(f"{method} {url}")
        refreshed = False
        while True:
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
                raise _failed(exc) from None
            except GitHubException as exc:
                raise _other(f"{method} {url}", exc) from None

    async def json(self, method: str, url: str, **kw: Any) -> Any:
        return (await self.request(method, url, **kw)).json()

    async def paginate(self, url: str, *, params: dict[str, Any] | None = None, limit: int = 3000,
                       key: str | None = None) -> list[Any]:
        """Follow `Link: rel="next"` pages (per_page 100) up to `limit` items, on GitHub's host only."""
        items: list[Any] = []
        next_url: str | None = url
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while next_url and len(items) < limit:
            response = await self.request("GET", next_url, params=query)
            data = response.json()
            page = data.get(key, []) if key and isinstance(data, dict) else data
            items.extend(page if isinstance(page, list) else [])
            next_url = self.next_link(response)
            query = None  # the next link carries the query
            if not page:
                break
        return items[:limit]

    def next_link(self, response: httpx.Response) -> str | None:
        """The `Link: rel="next"` URL of a page, None on the last; a link to another host than GitHub's
        API is refused (the installation token or the App's JWT would go with it)."""
        next_url = response.links.get("next", {}).get("url")
        if next_url and not _same_origin(httpx.URL(next_url), httpx.URL(self.settings.github_api_url)):
            raise GitHubError(f"GET {response.request.url.path}: the next page is on another host",
                              public="GitHub's pagination pointed to another host")
        return next_url

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """A GraphQL query. GitHub answers a used-up GraphQL limit with 200 and an error of type
        `RATE_LIMIT` (formerly `RATE_LIMITED`), which githubkit raises as PrimaryRateLimitExceeded."""
        self._spend("GraphQL", "graphql")
        refreshed = False
        while True:
            try:
                return await self._gh.async_graphql(query, variables or {})
            except GraphQLFailed as exc:
                raise GitHubError(f"GraphQL: {exc}", public="a GitHub GraphQL query failed") from None
            except RequestFailed as exc:
                if exc.response.status_code == 401 and not refreshed and self.installation_id is not None:
                    self._gh = self._make()
                    refreshed = True
                    continue
                raise _failed(exc) from None
            except GitHubException as exc:
                raise _other("GraphQL", exc) from None

    async def aclose(self) -> None:
        await asyncio.sleep(0)


def _same_origin(url: httpx.URL, api: httpx.URL) -> bool:
    return not url.is_absolute_url or (url.scheme, url.host, url.port) == (api.scheme, api.host, api.port)


def _used_up(resource: str, reset: float | None) -> str:
    """What the check run says of a used-up rate limit (`reset`: epoch seconds, when known)."""
    which = "GraphQL rate limit" if resource == "graphql" else "API rate limit"
    until = " until " + time.strftime("%H:%M:%S UTC", time.gmtime(reset)) if reset else ""
    return f"GitHub's {which} of this installation is used up{until}"


def _failed(exc: RequestFailed) -> GitHubError:
    """GitHub answered with an error status, after the retries githubkit made."""
    status = exc.response.status_code
    request = exc.response.raw_response.request
    public = f"GitHub answered {status} to {request.method} {_route(request.url)}"
    retry_after = None
    retryable = status >= 500 or status == 429
    if isinstance(exc, RateLimitExceeded):
        retryable = True
        retry_after = exc.retry_after.total_seconds() if exc.retry_after else None
        resource = ""  # a secondary limit: the API's
        if not isinstance(exc, SecondaryRateLimitExceeded):
            resource = ("graphql" if request.url.path.endswith("/graphql")
                        else exc.response.raw_response.headers.get("x-ratelimit-resource", "core"))
        public = _used_up(resource, time.time() + retry_after if retry_after is not None else None)
    elif status == 404 and "/check-runs/" in request.url.path:
        retryable = True  # the check run was deleted meanwhile: the next attempt creates it again
    return GitHubError(_describe(exc), status, retryable=retryable, retry_after=retry_after, public=public)


def _other(what: str, exc: GitHubException) -> GitHubError:
    """No answer from GitHub (network errors, timeouts, after retries), or a githubkit error."""
    if isinstance(exc, RequestError) and not isinstance(exc, RequestFailed):
        kind = "timed out" if isinstance(exc, RequestTimeout) else "network error"
        origin = type(exc.exc).__name__
        return GitHubError(f"{what}: {kind} ({origin})", retryable=True,
                           public=f"GitHub could not be reached ({kind}, {origin})")
    return GitHubError(f"{what}: {type(exc).__name__}: {exc}", public=f"GitHub client error ({type(exc).__name__})")


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
