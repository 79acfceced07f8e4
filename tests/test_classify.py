import pytest
from dockreview.rules.classify import FileType, classify


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Dockerfile", FileType.DOCKERFILE),
        ("services/api/Dockerfile.prod", FileType.DOCKERFILE),
        ("build/app.dockerfile", FileType.DOCKERFILE),
        ("Containerfile", FileType.DOCKERFILE),
        ("Dockerfile.dockerignore", FileType.DOCKERIGNORE),
        (".dockerignore", FileType.DOCKERIGNORE),
        ("docs/Dockerfile.md", None),
        ("compose.yaml", FileType.COMPOSE),
        ("docker-compose.prod.yml", FileType.COMPOSE),
        ("stack-compose.yml", FileType.COMPOSE),
        ("deploy/compose-override.yaml", FileType.COMPOSE),
        (".github/workflows/ci.yml", FileType.WORKFLOW),
        ("Makefile", FileType.MAKEFILE),
        ("mk/docker.mk", FileType.MAKEFILE),
        ("scripts/deploy.sh", FileType.SCRIPT),
        ("README.md", None),
    ],
)
def test_by_name(path: str, expected: FileType | None) -> None:
    assert classify(path) is expected


def test_compose_by_content_whatever_the_name() -> None:
    stack = b"version: '3.8'\nservices:\n  web:\n    image: nginx:1.27\n"
    assert classify("deploy/production.yml", stack) is FileType.COMPOSE
    assert classify("templates/compose/app.yaml", b"services:\n  app:\n    build: .\n") is FileType.COMPOSE


def test_yaml_that_is_not_compose() -> None:
    k8s = b"apiVersion: v1\nkind: Service\nspec:\n  services:\n    image: x\n"
    assert classify("deploy/k8s.yml", k8s) is None
    assert classify("config.yml", b"services:\n  - name: a\n") is None


def test_script_by_shebang() -> None:
    assert classify("bin/deploy", b"#!/bin/bash\ndocker compose up -d\n") is FileType.SCRIPT
    assert classify("bin/tool", b"#!/usr/bin/env python3\nprint('docker')\n") is None
    assert classify("bin/other", b"#!/bin/sh\necho hello\n") is None


@pytest.mark.parametrize(
    "path",
    ["rules/parse/dockerfile.py", "cmd/dockerfile.go", "Dockerfile.bak", "Dockerfile.orig", "Dockerfile~",
     "docs/Dockerfile.md"],
)
def test_source_templates_and_backups_named_dockerfile_are_not_dockerfiles(path: str) -> None:
    assert classify(path) is None
    assert classify(path, b"FROM python:3.12\n") is None


def test_dockerfile_suffix_names_are_decided_by_content() -> None:
    started = b"# syntax=docker/dockerfile:1\n\nARG V=1\nFROM node:$V\n"
    assert classify("Dockerfile.prod", started) is FileType.DOCKERFILE
    assert classify("api.dockerfile", b"from alpine:3.20\n") is FileType.DOCKERFILE
    assert classify("Dockerfile.prod", b"package main\n\nfunc main() {}\n") is None
    assert classify("Dockerfile-notes", b"Remember to bump the base image.\n") is None
    # A template is one when it needs no rendering first.
    assert classify("Dockerfile-alpine.template", b"FROM php:%%PHP_VERSION%%-fpm-alpine\n") is FileType.DOCKERFILE
    assert classify("deploy/Dockerfile.j2", b"FROM {{ base_image }}\nRUN true\n") is None
    assert classify("Dockerfile.tmpl", b"{% if dev %}FROM node:22{% endif %}\n") is None
    # The plain name is always a Dockerfile: a broken one gets DR001, not silence.
    assert classify("Dockerfile", b"package main\n") is FileType.DOCKERFILE


def test_check_of_this_repository_parsers_finds_no_dockerfile_there() -> None:
    from pathlib import Path

    from dockreview.rules.snapshot import Snapshot

    root = Path(__file__).resolve().parents[1]
    snapshot = Snapshot.from_directory(root / "rules" / "parse")
    assert "dockerfile.py" in snapshot.paths
    assert snapshot.file_type("dockerfile.py") is None
