"""One problem, one finding: the same rule about the same value for several objects of one file."""

from __future__ import annotations

from dockreview.rules import Snapshot, review

from tests.changes_support import files, review_pair

STACK = """
x-app: &app
  image: ${APP_IMAGE:-acme/app}:${APP_VERSION:-latest}
  restart: unless-stopped
services:
  api:
    <<: *app
  worker:
    <<: *app
  scheduler:
    <<: *app
  cache:
    image: redis:latest
"""


def dr103(snapshot_files: dict[str, str]) -> list[tuple[int, str, int]]:
    report = review(Snapshot.from_mapping(files(snapshot_files)))
    return [(f.line, f.message, len(f.related)) for f in report.findings if f.rule == "DR103"]


def test_services_sharing_one_moving_image_give_one_finding_naming_the_others():
    found = dr103({"compose.yaml": STACK})
    assert len(found) == 2
    (app_line, app_message, related), (cache_line, cache_message, none) = sorted(found)
    assert (app_line, related, none) == (2, 2, 0) and cache_line == 12
    assert app_message.endswith("(the same for `worker`, `scheduler`)")
    assert "redis:latest" in cache_message and "the same for" not in cache_message


def test_in_a_change_review_only_new_findings_fold_together():
    base = {"compose.yaml": STACK}
    head = {"compose.yaml": STACK + "  queue:\n    image: rabbitmq:latest\n  broker:\n    image: rabbitmq:latest\n"}
    found = [f for f in review_pair(base, head).findings if f.rule == "DR103"]
    assert [(f.evidence, len(f.related)) for f in found] == [("queue", 1)]
