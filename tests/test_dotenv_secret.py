"""DR116 compose-dotenv-secret: a literal secret in a committed .env that services receive."""

from __future__ import annotations

from dockreview.rules import Snapshot, review

from tests.changes_support import files, hits, review_pair

COMPOSE = """
services:
  web:
    image: ghcr.io/acme/web:1.4.2
    environment:
      RPC_SECRET:
  worker:
    image: ghcr.io/acme/worker:1.4.2
    environment:
      - SHARED_SECRET=${RPC_SECRET}
      - LOG_LEVEL=${LOG_LEVEL}
  db:
    image: postgres:16.4
"""


def check(env: str, compose: str = COMPOSE) -> list[tuple[str, int]]:
    report = review(Snapshot.from_mapping(files({"compose.yaml": compose, ".env": env})))
    return hits(report, "DR116")


def test_a_literal_secret_in_dotenv_that_services_receive_is_reported_on_its_line():
    env = "LOG_LEVEL=info\nRPC_SECRET=supersecret\n"
    report = review(Snapshot.from_mapping(files({"compose.yaml": COMPOSE, ".env": env})))
    [finding] = [f for f in report.findings if f.rule == "DR116"]
    assert (finding.path, finding.line) == (".env", 2)
    assert "services `web`, `worker`" in finding.message
    assert "supersecret" not in finding.message


def test_unused_keys_references_empty_values_and_templates_are_not_reported():
    assert check("UNUSED_PASSWORD=hunter2hunter2\n") == []
    assert check("RPC_SECRET=\n") == []
    assert check("RPC_SECRET=${HOST_SECRET}\n") == []
    assert check("RPC_SECRET=/run/secrets/rpc\n") == []
    snapshot = Snapshot.from_mapping(files({"compose.yaml": COMPOSE, ".env.example": "RPC_SECRET=supersecret\n"}))
    assert hits(review(snapshot), "DR116") == []


def test_in_a_change_review_only_a_secret_the_change_commits_is_new():
    base = {"compose.yaml": COMPOSE, ".env": "LOG_LEVEL=info\n"}
    head = {"compose.yaml": COMPOSE, ".env": "LOG_LEVEL=info\nRPC_SECRET=supersecret\n"}
    assert hits(review_pair(base, head), "DR116") == [(".env", 2)]
    assert hits(review_pair(head, {**head, ".env": "LOG_LEVEL=debug\nRPC_SECRET=supersecret\n"}), "DR116") == []
