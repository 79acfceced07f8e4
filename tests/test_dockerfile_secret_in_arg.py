from dockreview.rules.finding import Severity

from tests.helpers import findings, lines

RULE = "DR205"


def test_secret_args_with_and_without_default() -> None:
    files = {
        "Dockerfile": (
            "FROM node:22-slim\n"
            "ARG NPM_TOKEN\n"
            "ARG DB_PASSWORD=hunter2 APP_VERSION=1.0\n"
            "RUN npm ci\n"
        )
    }
    token, password = findings(files, rule=RULE)
    assert (token.line, token.column, token.severity) == (2, 5, Severity.ERROR)
    assert "`NPM_TOKEN`" in token.message and "docker history" in token.message
    assert (password.line, password.column) == (3, 5)
    assert "hunter2" not in password.message


def test_builder_stage_is_a_warning_and_globals_are_reported_once() -> None:
    files = {
        "Dockerfile": (
            "ARG GITHUB_TOKEN\n"
            "FROM golang:1.23 AS build\n"
            "ARG GITHUB_TOKEN\n"
            "RUN go build ./...\n"
            "FROM gcr.io/distroless/static-debian12\n"
        )
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.line, finding.severity) == (3, Severity.WARNING)
    assert "build cache" in finding.message


def test_near_misses() -> None:
    files = {"Dockerfile": "FROM alpine:3.20\nARG PASSWORD_FILE\nARG TOKEN_URL\nARG VERSION=1\n"}
    assert lines(files, RULE) == []
