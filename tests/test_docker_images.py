"""The one answer to "does this tag move?", for strings as written and for model values."""

import pytest
from dockreview.rules import Snapshot
from dockreview.rules.docker.images import Condition, Moving, Pinning, tag_moves, tag_verdict
from dockreview.rules.model.dockerfile import load


@pytest.mark.parametrize(
    ("reference", "pinning", "moving"),
    [
        ("redis", Pinning.MOVING, Moving.NO_TAG),
        ("localhost:5000/tools/app", Pinning.MOVING, Moving.NO_TAG),
        ("nginx:latest", Pinning.MOVING, Moving.LATEST),
        ("traefik:stable", Pinning.MOVING, Moving.WORD),
        ("nginx:mainline", Pinning.MOVING, Moving.WORD),
        ("node:lts", Pinning.MOVING, Moving.WORD),
        ("postgres:alpine", Pinning.MOVING, Moving.VARIANT),
        ("python:slim", Pinning.MOVING, Moving.VARIANT),
        ("rust:bookworm", Pinning.MOVING, Moving.VARIANT),
        ("python:windowsservercore", Pinning.MOVING, Moving.VARIANT),
        ("neo4j:community", Pinning.MOVING, Moving.VARIANT),
        ("docker:dind", Pinning.MOVING, Moving.VARIANT),
        ("php:fpm-alpine", Pinning.MOVING, Moving.VARIANT),
        ("node:alpine3.20", Pinning.MOVING, Moving.VARIANT),
        ("gitlab/gitlab-runner:latest-ce", Pinning.MOVING, Moving.SUFFIXED),
        ("acme/app:main-stable", Pinning.MOVING, Moving.SUFFIXED),
        ("node:lts-alpine", Pinning.MOVING, Moving.SUFFIXED),
        ("debian:stable-slim", Pinning.MOVING, Moving.SUFFIXED),
        ("caddy:edge-builder", Pinning.MOVING, Moving.SUFFIXED),
        ("nginx:1.27-alpine", Pinning.VERSION, None),
        ("node:22-bookworm-slim", Pinning.VERSION, None),
        ("python:3.12-slim", Pinning.VERSION, None),
        ("docker:27-dind", Pinning.VERSION, None),
        ("traefik:v3", Pinning.VERSION, None),
        ("acme/api:sha-1a2b3c4", Pinning.VERSION, None),
        ("acme/api:nightly-2024-06-01", Pinning.VERSION, None),
        ("debian:bookworm", Pinning.VERSION, None),  # the codename is Debian's version
        ("ubuntu:noble", Pinning.VERSION, None),
        ("acme/api:prod", Pinning.VERSION, None),  # not a word known to move
        ("nginx@sha256:" + "0" * 64, Pinning.DIGEST, None),
        ("nginx:latest@sha256:" + "0" * 64, Pinning.DIGEST, None),
        ("scratch", Pinning.NOT_AN_IMAGE, None),
        ("{{ .Values.image }}", Pinning.NOT_AN_IMAGE, None),
        ("", Pinning.NOT_AN_IMAGE, None),
    ],
)
def test_literal_references(reference: str, pinning: Pinning, moving: Moving | None) -> None:
    verdict = tag_verdict(reference)
    assert (verdict.pinning, verdict.moving) == (pinning, moving)
    assert verdict.moves == (pinning is Pinning.MOVING)
    assert (verdict.describe() is None) == (pinning is not Pinning.MOVING)


def test_variables_in_strings_read_as_unset() -> None:
    defaulted = tag_verdict("ghcr.io/acme/api:${API_TAG:-latest}")
    assert (defaulted.moving, defaulted.condition, defaulted.variables) == (Moving.LATEST, Condition.WHEN_UNSET,
                                                                              ("API_TAG",))
    assert defaulted.describe() == "uses the mutable tag `latest` when the variable is unset"
    assert not defaulted.moves_always
    assert tag_verdict("traefik:${TAG-stable}").moving is Moving.WORD
    assert tag_verdict("app:${TAG:-1.2.3}").pinning is Pinning.VERSION
    untagged = tag_verdict("${REGISTRY}/app")  # untagged whatever the registry
    assert (untagged.moving, untagged.basis) == (Moving.NO_TAG, "app:latest")
    for deploy_time in ("app:${TAG}", "app:$TAG", "${APP_IMAGE}", "app:${TAG:?set it}",
                        "ghcr.io/acme/api:${{ github.sha }}", "${{ matrix.image }}"):
        assert tag_verdict(deploy_time).pinning is Pinning.DEPLOY_TIME, deploy_time
    whole = tag_verdict("${IMAGE:-nginx}")
    assert (whole.moving, whole.condition) == (Moving.NO_TAG, Condition.WHEN_UNSET)
    # A registry from a variable does not decide the tag; a variable suffix of the name does not add one.
    assert tag_verdict("${REGISTRY:-ghcr.io}/acme/app").moving is Moving.NO_TAG
    assert tag_verdict("python${VARIANT}").moving is Moving.NO_TAG


def test_wording() -> None:
    assert tag_verdict("redis").describe() == "has no tag, so it means `latest`"
    assert tag_verdict("node").describe(show="node") == "has no tag (`node`), so it means `latest`"
    assert tag_verdict("nginx:stable").describe() == "uses the mutable tag `stable`"
    assert tag_verdict("nginx:alpine").describe() == "uses the tag `alpine`, which names a variant but no version"


def test_model_values_say_where_the_tag_comes_from() -> None:
    snapshot = Snapshot.from_mapping({
        "Dockerfile": "ARG NODE_TAG=lts-alpine\nARG REGISTRY\nFROM node:${NODE_TAG}\n"
                      "FROM ${REGISTRY}/node:22\nFROM python:${PY}\nFROM node:22-${TARGETARCH}\n",
    })
    dockerfile = load(snapshot, "Dockerfile")
    assert dockerfile is not None
    first, second, third, fourth = (tag_verdict(stage.base) for stage in dockerfile.stages)
    assert (first.moving, first.condition, first.variables) == (Moving.SUFFIXED, Condition.UNLESS_BUILD_ARG,
                                                                 ("NODE_TAG",))
    assert first.origin is not None and first.origin.line == 1
    assert first.describe() == "uses the mutable tag `lts-alpine` unless the build passes --build-arg `NODE_TAG`"
    assert second.pinning is Pinning.VERSION  # `${REGISTRY}/node:22`: the tag holds whatever the registry
    assert third.pinning is Pinning.DEPLOY_TIME  # `python:`: PY is never declared
    assert fourth.pinning is Pinning.DEPLOY_TIME  # the platform of the build decides
    given = dockerfile.image(args={"NODE_TAG": "22.11-alpine"})
    assert tag_verdict(given.stages[0].base).pinning is Pinning.VERSION
    moved = dockerfile.image(args={"NODE_TAG": "alpine"})
    assert tag_verdict(moved.stages[0].base).condition is Condition.ALWAYS


def test_tag_moves_for_literal_tags() -> None:
    assert tag_moves(None) is Moving.NO_TAG
    assert tag_moves("latest") is Moving.LATEST
    assert tag_moves("slim") is Moving.VARIANT
    assert tag_moves("bookworm", "debian") is None
    assert tag_moves("1.4.2") is None
