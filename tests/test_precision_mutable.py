"""Mutable tags that are not what gets built: the repository's own base passed by digest, and an
`image:` a sibling override file builds."""

from tests.helpers import findings, lines

DOCKERFILE = """
    ARG BASE_IMAGE=ghcr.io/acme/base:latest
    FROM ${BASE_IMAGE}
    COPY app /app
    CMD ["/app/run"]
    """


def _workflow(build_arg: str) -> str:
    return f"""
        on: {{push: {{tags: ["v*"]}}}}
        jobs:
          base:
            runs-on: ubuntu-latest
            outputs:
              digest: ${{{{ steps.push.outputs.digest }}}}
            steps:
              - uses: docker/build-push-action@v6
                id: push
                with:
                  context: base
                  push: true
                  tags: ghcr.io/acme/base:latest,ghcr.io/acme/base:${{{{ github.ref_name }}}}
          app:
            needs: base
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  context: .
                  push: true
                  tags: ghcr.io/acme/app:${{{{ github.ref_name }}}}
                  build-args: |
                    {build_arg}
        """


def test_own_base_passed_by_digest_in_the_release_workflow() -> None:
    files = {
        "Dockerfile": DOCKERFILE,
        "base/Dockerfile": "FROM debian:12.7-slim\n",
        ".github/workflows/release.yml": _workflow("BASE_IMAGE=ghcr.io/acme/base@${{ needs.base.outputs.digest }}"),
    }
    assert lines(files, "DR201") == []


def test_own_base_passed_by_tag_is_still_reported() -> None:
    files = {
        "Dockerfile": DOCKERFILE,
        "base/Dockerfile": "FROM debian:12.7-slim\n",
        ".github/workflows/release.yml": _workflow("BASE_IMAGE=ghcr.io/acme/base:latest"),
    }
    assert lines(files, "DR201") == [("Dockerfile", 2)]


def test_image_that_a_sibling_override_builds() -> None:
    files = {
        "docker-compose.yml": """
            services:
              web:
                image: ghcr.io/acme/web:latest
                ports: ["8000:8000"]
            """,
        "docker-compose.override.yml": """
            services:
              web:
                build: .
            """,
        "Dockerfile": "FROM python:3.12-slim\n",
    }
    assert lines(files, "DR103") == []


def test_image_without_any_build_is_still_reported() -> None:
    files = {
        "docker-compose.yml": """
            services:
              web:
                image: ghcr.io/acme/web:latest
            """,
    }
    assert lines(files, "DR103") == [("docker-compose.yml", 3)]


def test_untagged_base_behind_a_registry_variable() -> None:
    files = {
        "Dockerfile": """
            ARG REGISTRY
            FROM ${REGISTRY}/ubuntu
            RUN apt-get update
            FROM ${REGISTRY}/acme/base:22.04
            """,
        "compose.yaml": """
            services:
              tool:
                image: ${REGISTRY}/acme/tool:latest
            """,
    }
    [finding] = findings(files, rule="DR201")
    assert finding.line == 2 and "means `latest`" in finding.message
    assert lines(files, "DR103") == [("compose.yaml", 3)]


def test_a_script_word_takes_the_last_literal_assignment_written_before_its_command() -> None:
    """rules.model.builds.cli.script_resolver: `$IMAGE` is the value assigned on an earlier line of
    the same script (the latest one), never one assigned after the command; the assignments are read
    once per source for all its commands (`known`), with the same answers as without."""
    from dockreview.rules import Snapshot
    from dockreview.rules.model.builds.cli import script_resolver
    from dockreview.rules.model.commands import docker_invocations

    script = ("#!/bin/sh\n"
              "docker build -t \"$IMAGE\" .\n"
              "IMAGE=ghcr.io/acme/app:1.0\n"
              "docker build -t \"$IMAGE\" .\n"
              "export IMAGE='ghcr.io/acme/app:2.0'\n"
              "docker push \"${IMAGE}\"\n"
              "IMAGE=ghcr.io/acme/app:3.0\n")
    snapshot = Snapshot.from_mapping({"deploy.sh": script})
    invocations = [i for i in docker_invocations(snapshot) if i.path == "deploy.sh"]
    assert len(invocations) == 3
    known: dict = {}
    for resolver in ([script_resolver(i) for i in invocations], [script_resolver(i, known) for i in invocations]):
        assert [resolve("$IMAGE") for resolve in resolver] == ["$IMAGE", "ghcr.io/acme/app:1.0",
                                                               "ghcr.io/acme/app:2.0"]
    assert len(known) == 1
