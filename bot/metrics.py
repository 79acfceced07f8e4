"""Prometheus metrics (served at /metrics). Names start with `dockreview_`."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

DELIVERIES = Counter(
    "dockreview_webhook_deliveries_total",
    "Webhook deliveries by event and outcome (queued, duplicate, ignored, bad_signature, bad_headers, "
    "bad_payload, too_large, slow_body, unavailable).",
    ["event", "outcome"],
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge("dockreview_queue_depth", "Jobs waiting or running.", registry=REGISTRY)
JOB_DURATION = Histogram(
    "dockreview_job_duration_seconds",
    "Time from a job's start to its completed check run, by kind and outcome.",
    ["kind", "outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
    registry=REGISTRY,
)
JOBS = Counter("dockreview_jobs_total", "Jobs finished, by kind and outcome.", ["kind", "outcome"],
               registry=REGISTRY)
GITHUB_CALLS = Counter(
    "dockreview_github_api_calls_total", "GitHub API requests by method, route and status.",
    ["method", "route", "status"], registry=REGISTRY,
)
RATE_LIMIT_REMAINING = Gauge(
    "dockreview_github_rate_limit_remaining", "x-ratelimit-remaining of the latest GitHub response, by resource.",
    ["resource"], registry=REGISTRY,
)
