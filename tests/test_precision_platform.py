"""dockerfile-hardcoded-platform: only stages that run something for one architecture."""

from dockreview.rules.finding import Confidence

from tests.helpers import findings, lines

DIGEST = "923441d7c25f1e2eb5789f82d987693c47b8ed987c4ab3b075d6ed2b5d6779a3"


def test_digest_pinned_stage_used_only_by_copy_from_is_not_reported() -> None:
    files = {
        "Dockerfile": f"""
            FROM --platform=linux/amd64 tonistiigi/xx@sha256:{DIGEST} AS xx
            FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
            COPY --from=xx / /
            RUN xx-go build -o /out/app ./cmd/app

            FROM alpine:3.20
            COPY --from=build /out/app /usr/local/bin/app
            """
    }
    assert lines(files, "DR202") == []


def test_tag_pinned_stage_that_runs_nothing_is_low_confidence() -> None:
    files = {
        "Dockerfile": """
            FROM --platform=linux/amd64 ghcr.io/acme/assets:2.3 AS assets
            FROM nginx:1.27-alpine
            COPY --from=assets /srv/www /usr/share/nginx/html
            """
    }
    [finding] = findings(files, rule="DR202")
    assert (finding.line, finding.confidence) == (1, Confidence.LOW)
    assert "runs nothing" in finding.message


def test_os_only_platform_is_not_an_architecture_pin() -> None:
    files = {
        "Dockerfile": """
            FROM --platform=linux python:3.12-slim
            RUN pip install --no-cache-dir flask
            """
    }
    assert lines(files, "DR202") == []


def test_stage_that_runs_commands_is_still_reported() -> None:
    files = {
        "Dockerfile": """
            FROM --platform=linux/amd64 golang:1.22 AS build
            RUN go build -o /out/app .
            FROM --platform=linux/amd64 debian:12-slim
            COPY --from=build /out/app /app
            """
    }
    found = [(f.line, f.confidence) for f in findings(files, rule="DR202")]
    assert found == [(1, Confidence.HIGH), (3, Confidence.HIGH)]
