"""Review only what the change can affect (`rules.scope`): the same findings, preexisting findings
and Container changes rows as reviewing every file (`review(..., whole=True)`), on constructed
changes that reach across files and on changes made to the corpus repositories; and the files
outside the change's reach are not reviewed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from changes_support import change_between, files
from conftest import require_shared
from dockreview.rules import Report, Snapshot, review
from dockreview.rules.scope import affected


def outcome(report: Report) -> dict[str, Any]:
    return {
        "findings": [f.to_dict() | {"subject": repr(f.subject), "basis": f.basis} for f in report.findings],
        "preexisting": [f.to_dict() for f in report.preexisting],
        "changes": [c.to_dict() | {"key": c.key, "action": c.action} for c in report.changes],
    }


def both(base: dict[str, str], head: dict[str, str], renames: dict[str, str] | None = None) -> tuple[Report, Report]:
    """(scoped, whole) reviews of one change, each on fresh snapshots."""
    change = change_between(base, head, renames)
    scoped = review(Snapshot.from_mapping(head), change=change, base=Snapshot.from_mapping(base))
    whole = review(Snapshot.from_mapping(head), change=change, base=Snapshot.from_mapping(base), whole=True)
    return scoped, whole


def reach(base: dict[str, str], head: dict[str, str]) -> set[str]:
    return affected(Snapshot.from_mapping(base), Snapshot.from_mapping(head), change_between(base, head))


# --- constructed changes ----------------------------------------------------------------------------

UNRELATED = {
    "other/compose.yaml": """
        services:
          cache:
            image: redis:latest
            privileged: true
    """,
    "other/Dockerfile": "FROM python:latest\nCOPY . /app\n",
    "tools/cleanup.sh": "#!/bin/sh\ndocker system prune -af --volumes\n",
}

APP = {
    "compose.yaml": """
        services:
          web:
            build: ./web
            environment:
              DB_URL: postgres://db:5432/app
            depends_on:
              db:
                condition: service_healthy
          db:
            image: postgres:${PG_TAG}
            volumes:
              - data:/var/lib/postgresql/data
        volumes:
          data:
    """,
    ".env": "PG_TAG=16\n",
    "web/Dockerfile": "FROM node:22-alpine\nCOPY . /app\nCMD [\"node\", \"/app/server.js\"]\n",
    "web/server.js": "console.log('hi')\n",
    "deploy.sh": "#!/bin/sh\ndocker compose -f compose.yaml up -d\n",
    ".github/workflows/ci.yml": """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: docker/build-push-action@v6
                with:
                  context: web
                  push: true
                  tags: acme/web:latest
    """,
}

CASES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "env-edit": ({}, {".env": "PG_TAG=latest\n"}),
    "file-in-context": ({}, {"web/server.js": "require('http').createServer().listen(3000)\n"}),
    "script-runs-compose": ({}, {"deploy.sh": "#!/bin/sh\ndocker compose -f compose.yaml down -v\n"}),
    "compose-edit": ({}, {"compose.yaml": APP["compose.yaml"].replace("postgres:${PG_TAG}", "postgres:latest")}),
    "dockerfile-edit": ({}, {"web/Dockerfile": "FROM node:latest\nUSER root\nCOPY . /app\n"}),
    "workflow-edit": ({}, {".github/workflows/ci.yml": APP[".github/workflows/ci.yml"].replace(
        "context: web", "context: web\n          platforms: linux/amd64")}),
    "volume-removed": ({}, {"compose.yaml": APP["compose.yaml"].replace(
        "    volumes:\n      - data:/var/lib/postgresql/data\n", "")}),
    "new-dockerignore": ({}, {"web/.dockerignore": "node_modules\n"}),
    "dockerfile-deleted": ({}, {"web/Dockerfile": ""}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_scoped_review_equals_whole_review_on_changes_across_files(name: str) -> None:
    extra_base, edits = CASES[name]
    base = files({**UNRELATED, **APP, **extra_base})
    head = dict(base)
    for path, text in files(edits).items():
        if text:
            head[path] = text
        else:
            head.pop(path)
    scoped, whole = both(base, head)
    assert outcome(scoped) == outcome(whole)
    # what the change cannot reach is not reviewed (a Dockerfile below a changed compose file is:
    # the images the compose file builds may be its base)
    assert not set(scoped.files_checked) & {"other/compose.yaml", "tools/cleanup.sh"}
    assert set(whole.files_checked) >= set(files(UNRELATED))


def test_reach_follows_env_context_script_and_local_base_images() -> None:
    base = files({**UNRELATED, **APP})
    assert reach(base, {**base, ".env": "PG_TAG=17\n"}) >= {"compose.yaml", "deploy.sh", "web/Dockerfile"}
    assert "web/Dockerfile" in reach(base, {**base, "web/server.js": "x\n"})
    assert "compose.yaml" in reach(base, {**base, "web/server.js": "x\n"})  # its build context
    assert "compose.yaml" in reach(base, {**base, "deploy.sh": "#!/bin/sh\ndocker compose down -v\n"})
    only = reach(base, {**base, "other/Dockerfile": "FROM python:3.13\n"})
    assert "other/Dockerfile" in only and "web/Dockerfile" not in only and "deploy.sh" not in only


def test_a_change_outside_every_docker_file_reaches_nothing() -> None:
    base = files({**UNRELATED, **APP, "docs/index.md": "# docs\n"})
    assert reach(base, {**base, "docs/index.md": "# more docs\n"}) == set()
    scoped, whole = both(base, {**base, "docs/index.md": "# more docs\n"})
    assert scoped.files_checked == [] and outcome(scoped) == outcome(whole)


def test_new_finding_in_an_unchanged_file_made_by_another_file_is_kept() -> None:
    """The change to `.env` makes the unchanged compose file's image move: scoped review keeps it."""
    base = files({**UNRELATED, **APP})
    scoped, whole = both(base, {**base, ".env": "PG_TAG=latest\n"})
    assert outcome(scoped) == outcome(whole)
    assert any(f.path == "compose.yaml" for f in scoped.findings), scoped.findings


# --- the corpus: one edit at a time, in every repository ---------------------------------------------

_EDITS: list[tuple[str, re.Pattern[str], str]] = [
    ("compose", re.compile(r"(image:\s*[\w./-]+):[\w.-]+"), r"\1:latest"),
    ("compose", re.compile(r"(\n\s+)(image:)"), r"\1privileged: true\1\2"),
    ("dockerfile", re.compile(r"^(FROM\s+[\w./-]+):[\w.-]+", re.M), r"\1:latest"),
    ("script", re.compile(r"\Z"), "\ndocker compose down -v\n"),
    ("workflow", re.compile(r"@v\d+"), "@main"),
    ("env", re.compile(r"\Z"), "\nPOSTGRES_PASSWORD=hunter2\n"),
]


def _kind(path: str, snapshot: Snapshot) -> str | None:
    if path.rsplit("/", 1)[-1] == ".env":
        return "env"
    kind = snapshot.file_type(path)
    return str(kind.value) if kind is not None else None


def corpus_pairs() -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """For each corpus repository, the first file of each kind edited (and one Dockerfile deleted)."""
    root = require_shared()
    pairs = []
    for repo in sorted(p for p in root.iterdir() if p.is_dir()):
        base = {p.relative_to(repo).as_posix(): p.read_text("utf-8", "replace")
                for p in sorted(repo.rglob("*")) if p.is_file() and p.stat().st_size < 200_000}
        snapshot = Snapshot.from_mapping(base)
        done: set[int] = set()
        for path in sorted(base):
            kind = _kind(path, snapshot)
            for index, (wanted, pattern, replacement) in enumerate(_EDITS):
                if index in done or kind != wanted:
                    continue
                edited = pattern.sub(replacement, base[path], count=1)
                if edited != base[path]:
                    done.add(index)
                    pairs.append((f"{repo.name}:{path}:{index}", base, {**base, path: edited}))
        dockerfiles = [p for p in sorted(base) if _kind(p, snapshot) == "dockerfile"]
        if dockerfiles:
            pairs.append((f"{repo.name}:-{dockerfiles[-1]}", base,
                          {p: t for p, t in base.items() if p != dockerfiles[-1]}))
    return pairs


def test_scoped_review_equals_whole_review_on_corpus_edits() -> None:
    pairs = corpus_pairs()
    assert len(pairs) > 40
    different = []
    narrower = 0
    for name, base, head in pairs:
        scoped, whole = both(base, head)
        if outcome(scoped) != outcome(whole):
            different.append(name)
        narrower += len(scoped.files_checked) < len(whole.files_checked)
    assert different == []
    assert narrower > len(pairs) // 2  # the scope is not "everything"

