from textwrap import dedent

from dockreview.rules import Finding, Snapshot, review
from dockreview.rules.classify import FileType

RULE = "DR111"


def compose_findings(files: dict[str, str]) -> list[Finding]:
    """Review only the compose files (Dockerfiles in `files` are context, not targets)."""
    snapshot = Snapshot.from_mapping({path: dedent(text).lstrip("\n") for path, text in files.items()})
    report = review(snapshot, paths=snapshot.files_of(FileType.COMPOSE))
    assert not [e for e in report.errors if "internal error" in e.message], report.errors
    return [f for f in report.findings if f.rule == RULE]


def test_official_image_without_healthcheck_fires_on_the_depends_on_entry() -> None:
    files = {
        "docker-compose.dev.yml": """
            services:
              api:
                image: ghcr.io/acme/api:1.0
                depends_on:
                  db:
                    condition: service_healthy
                  cache:
                    condition: service_healthy
              db:
                image: postgres:16
              cache:
                image: redis:7
                healthcheck:
                  disable: true
            """
    }
    found = compose_findings(files)
    path = "docker-compose.dev.yml"  # a startup failure: dev files too
    assert [(f.path, f.line, f.column) for f in found] == [(path, 5, 7), (path, 7, 7)]
    assert found[0].message == (
        "service `api` waits for `db` to be healthy, but `db` has no healthcheck: `docker compose up` fails with "
        '"dependency failed to start: container db has no healthcheck configured"'
    )
    assert "disables its healthcheck" in found[1].message
    assert [r.line for r in found[0].related] == [9]


def test_built_service_uses_its_dockerfile() -> None:
    files = {
        "compose.yaml": """
            services:
              web:
                image: ghcr.io/acme/web:1.0
                depends_on:
                  api: {condition: service_healthy}
                  worker: {condition: service_healthy}
                  reuse: {condition: service_healthy}
              api:
                build: ./api
                image: acme/api:1.0
              reuse:
                image: acme/api:1.0
              worker:
                build: {context: ./worker, dockerfile: Dockerfile.prod}
            """,
        "api/Dockerfile": "FROM python:3.12\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\n",
        "worker/Dockerfile.prod": "FROM python:3.12\nHEALTHCHECK NONE\n",
    }
    assert [f.line for f in compose_findings(files)] == [6]  # worker: HEALTHCHECK NONE


def test_defined_healthchecks_and_unknowable_images_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            x-hc: &hc
              healthcheck:
                test: ["CMD", "pg_isready"]
            services:
              api:
                image: ghcr.io/acme/api:1.0
                depends_on:
                  db: {condition: service_healthy}
                  vendor: {condition: service_healthy}
                  started: {condition: service_started}
                  optional: {condition: service_healthy, required: false}
                  missing_dockerfile: {condition: service_healthy}
                  ours: {condition: service_healthy}
              db:
                image: postgres:16
                <<: *hc
              vendor:
                image: ghcr.io/vendor/thing:2.0
              started:
                image: redis:7
              optional:
                image: redis:7
              missing_dockerfile:
                build: ./nowhere
              ours:
                image: ghcr.io/acme/unbound:1.2
            """,
        "data/Dockerfiles/unbound/Dockerfile": "FROM alpine:3.20\nHEALTHCHECK CMD dig @127.0.0.1\n",
    }
    assert compose_findings(files) == []
