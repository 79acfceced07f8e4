"""Prometheus metrics (served at /metrics). Names start with `dockreview_`.

Every label takes its value from a fixed set: a value from a request (an `X-GitHub-Event` header, a
route) outside the set is counted as "other", so no request can add series.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

# The events GitHub sends an App (its webhook events reference); any other header value is "other".
KNOWN_EVENTS = frozenset({
    "branch_protection_rule", "check_run", "check_suite", "code_scanning_alert", "commit_comment", "create",
    "delete", "deployment", "deployment_status", "discussion", "discussion_comment", "fork",
    "github_app_authorization", "gollum", "installation", "installation_repositories",
    "installation_target", "issue_comment", "issues", "label", "member", "membership", "merge_group",
    "meta", "milestone", "organization", "package", "page_build", "ping", "project", "project_card",
    "project_column", "public", "pull_request", "pull_request_review", "pull_request_review_comment",
    "pull_request_review_thread", "push", "registry_package", "release", "repository",
    "repository_dispatch", "security_advisory", "status", "team", "team_add", "watch", "workflow_dispatch",
    "workflow_job", "workflow_run",
})
OUTCOMES = frozenset({"queued", "duplicate", "coalesced", "ignored", "bad_signature", "bad_headers", "bad_payload",
                      "too_large", "slow_body", "busy", "unavailable"})
RESOURCES = frozenset({"core", "graphql", "search", "integration_manifest", "code_search", "source_import"})
MAX_ROUTES = 64


def event_label(event: str) -> str:
    return event if event in KNOWN_EVENTS else ("-" if not event else "other")


def status_label(status: int) -> str:
    return str(status) if 100 <= status <= 599 else "other"


def resource_label(resource: str) -> str:
    return resource if resource in RESOURCES else "other"


_routes: set[str] = set()


def route_label(route: str) -> str:
    """Routes are dockreview's own (bot/github/api.py); a bound keeps a surprise from adding series."""
    if route in _routes or len(_routes) < MAX_ROUTES:
        _routes.add(route)
        return route
    return "other"


DELIVERIES = Counter(
    "dockreview_webhook_deliveries_total",
    "Webhook deliveries by event (known GitHub events, else 'other') and outcome (queued, duplicate, coalesced, "
    "ignored, bad_signature, bad_headers, bad_payload, too_large, slow_body, busy, unavailable).",
    ["event", "outcome"],
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge("dockreview_queue_depth", "Jobs waiting (or waiting for a retry) or running.", registry=REGISTRY)
JOB_DURATION = Histogram(
    "dockreview_job_duration_seconds",
    "Time from a job's start to its completed check run, by kind and outcome.",
    ["kind", "outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
    registry=REGISTRY,
)
JOBS = Counter("dockreview_jobs_total", "Jobs finished, by kind and outcome (done, superseded, retry, gave_up, "
               "refused, failed).", ["kind", "outcome"], registry=REGISTRY)
GITHUB_CALLS = Counter(
    "dockreview_github_api_calls_total", "GitHub API requests by method, route and status.",
    ["method", "route", "status"], registry=REGISTRY,
)
RATE_LIMIT_REMAINING = Gauge(
    "dockreview_github_rate_limit_remaining", "x-ratelimit-remaining of the latest GitHub response, by resource.",
    ["resource"], registry=REGISTRY,
)
UNSIGNED_REJECTED = Counter(
    "dockreview_webhook_unsigned_total", "Requests rejected for a missing or wrong signature (logged in summary "
    "lines, at most one a minute).", registry=REGISTRY,
)
