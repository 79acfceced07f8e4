"""Injected failures: arbitrary statuses on matching requests, and GitHub's secondary rate limit."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. "
    "Please retry your request again later. If you reach out to GitHub Support for help, please include "
    "the request ID 0000:1111:2222:3333:44444444."
)
SECONDARY_DOCS = (
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


@dataclass
class Fault:
    method: str
    path_regex: str
    status: int
    remaining: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0  # how many requests this fault has answered

    def matches(self, method: str, path: str) -> bool:
        return (
            self.remaining > 0
            and self.method in ("*", method.upper())
            and re.search(self.path_regex, path) is not None
        )


def secondary_limit_response(retry_after: int | None) -> tuple[int, dict[str, Any], dict[str, str]]:
    headers = {"x-ratelimit-remaining": "4999"}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    return 403, {"message": SECONDARY_MESSAGE, "documentation_url": SECONDARY_DOCS, "status": "403"}, headers


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rules: list[Fault] = []

    def add(self, method: str, path_regex: str, status: int, times: int, body=None, headers=None) -> Fault:
        if body is None:
            body = {"message": "Server Error" if status >= 500 else "Injected failure", "status": str(status)}
        rule = Fault(method.upper(), path_regex, status, times, body, dict(headers or {}))
        with self._lock:
            self.rules.append(rule)
        return rule

    def secondary(
        self, times: int, retry_after: int | None, method: str = "*", path_regex: str = ".*"
    ) -> Fault:
        status, body, headers = secondary_limit_response(retry_after)
        return self.add(method, path_regex, status, times, body, headers)

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.remaining -= 1
                    rule.hits += 1
                    return rule
        return None

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
