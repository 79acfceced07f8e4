from tests.helpers import findings, lines, production_lines

RULE = "DR201"


def test_untagged_and_latest_fire_with_column() -> None:
    files = {"Dockerfile": "FROM node AS build\nRUN npm ci\nFROM --platform=$BUILDPLATFORM nginx:latest\n"}
    first, second = findings(files, rule=RULE)
    assert (first.path, first.line, first.column) == ("Dockerfile", 1, 6)
    assert "`node` of stage `build` has no tag, so it means `latest`" in first.message
    assert (second.line, second.column) == (3, 32)
    assert "mutable tag `latest`" in second.message
    assert first.suggestion is None


def test_arg_defaults_decide() -> None:
    pinned = {"Dockerfile": "ARG PY=3.12-slim\nFROM python:${PY}\n"}
    assert lines(pinned, RULE) == []
    latest = {"Dockerfile": "ARG PY=latest\nFROM python:${PY}\n"}
    [finding] = findings(latest, rule=RULE)
    assert "(`python:latest`)" in finding.message and "--build-arg `PY`" in finding.message
    untagged = {"Dockerfile": "ARG IMAGE=node\nFROM $IMAGE\n"}
    assert lines(untagged, RULE) == [("Dockerfile", 2)]
    suffix = {"Dockerfile": "ARG VARIANT\nFROM python${VARIANT}\n"}
    assert lines(suffix, RULE) == [("Dockerfile", 2)]


def test_near_misses() -> None:
    files = {
        "Dockerfile": (
            "ARG VERSION\n"
            "ARG BASE\n"
            "FROM golang:1.23 AS Builder\n"
            "FROM builder AS test\n"
            "FROM python:${VERSION}\n"  # fails without --build-arg: not silently drifting
            "FROM ${BASE}\n"
            "FROM alpine@sha256:" + "0" * 64 + "\n"
            "FROM scratch\n"
        ),
        "stack/base/Dockerfile": "FROM alpine:3.20\n",
        "stack/app/Dockerfile": "FROM stack-base\n",
        "stack/compose.yaml": "services:\n  base:\n    build: ./base\n    image: stack-base\n",
        "Dockerfile.dev": "FROM node\n",
    }
    assert production_lines(files, RULE) == []


def test_variant_tags_fire_through_arg_defaults_too() -> None:
    files = {"Dockerfile": "ARG NODE_TAG=lts-alpine\nFROM python:slim AS build\nFROM node:${NODE_TAG}\n"
                           "FROM python:3.12-slim\nFROM debian:bookworm-slim\n"}
    first, second = findings(files, rule=RULE)
    assert first.line == 2 and "uses the tag `slim`, which names a variant but no version" in first.message
    assert second.line == 3 and "mutable tag `lts-alpine` (`node:lts-alpine`)" in second.message
    assert "--build-arg `NODE_TAG`" in second.message
