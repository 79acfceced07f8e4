"""What object of the resolved model a place in a file belongs to: the subject of a finding that a
rule reported by line only.

A finding's identity across a change (`Finding.identity`) is its subject and basis when it has
them. A rule that reports on a compose file line by line gives neither; the engine then asks here
which service the line is inside, so the finding stays the same one when the service moves to an
included file or another file of its project.
"""

from __future__ import annotations

from bisect import bisect_right

from dockreview.rules.finding import Subject
from dockreview.rules.model.deployment import deployment
from dockreview.rules.parse.yamlsrc import block_end
from dockreview.rules.snapshot import Snapshot

# (first line, last line, project key, service name) of each service definition in one file
_Span = tuple[int, int, str, str]


def service_subject(snapshot: Snapshot, path: str, line: int) -> Subject | None:
    """The service whose definition in `path` holds `line`, as ("service", project, name)."""
    spans = snapshot.derived(("model:service-spans", path), lambda: _spans(snapshot, path))
    # spans are sorted by first line: the ones starting at or before `line`, nearest first
    for first, last, project, name in reversed(spans[: bisect_right(spans, (line, float("inf")))]):
        if first <= line <= last:
            return Subject("service", project, name)
    return None


def _spans(snapshot: Snapshot, path: str) -> list[_Span]:
    lines = snapshot.lines(path)
    found: dict[tuple[int, str], _Span] = {}
    for project in sorted(deployment(snapshot).projects_with(path), key=lambda p: p.key):
        for service in project.services.values():
            for origin in service.definitions:
                if origin.path == path and (origin.line, service.name) not in found:
                    found[(origin.line, service.name)] = (origin.line, block_end(lines, origin.line), project.key,
                                                          service.name)
    return sorted(found.values())


__all__ = ["service_subject"]
