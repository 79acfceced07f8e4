"""Every docker command of a repository, found once: scripts, Makefiles, workflow steps, ssh scripts."""

from __future__ import annotations

from textwrap import dedent

from dockreview.rules import Snapshot
from dockreview.rules.model.commands import docker_invocations, invocations_in


def snapshot(files: dict[str, str]) -> Snapshot:
    return Snapshot.from_mapping({p: dedent(t).lstrip("\n") for p, t in files.items()})


def test_scripts_makefiles_and_workflows_are_scanned_with_their_context():
    snap = snapshot({
        "scripts/deploy.sh": """
            #!/bin/sh
            set -e
            docker compose -f compose.yaml -f compose.prod.yaml pull
            docker compose -f compose.yaml -f compose.prod.yaml up -d
            """,
        "ops/Makefile": """
            up:
            \tdocker compose -p shop up -d
            """,
        ".github/workflows/ci.yml": """
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                defaults:
                  run:
                    working-directory: app
                steps:
                  - run: docker buildx build --push -t ghcr.io/o/app:1 .
                  - uses: appleboy/ssh-action@v1
                    with:
                      script: docker compose down -v
            """,
        "README.md": "docker compose up",
    })
    found = docker_invocations(snap)
    by_path = {(i.path, i.origin.line): i for i in found}
    assert sorted(by_path) == [(".github/workflows/ci.yml", 9), (".github/workflows/ci.yml", 12),
                               ("ops/Makefile", 2), ("scripts/deploy.sh", 3), ("scripts/deploy.sh", 4)]
    deploy = by_path[("scripts/deploy.sh", 4)]
    assert deploy.command.path == ("compose", "up")
    assert deploy.command.global_values("--file") == ["compose.yaml", "compose.prod.yaml"]
    assert by_path[("ops/Makefile", 2)].workdir == "ops"
    build = by_path[(".github/workflows/ci.yml", 9)]
    assert build.command.path == ("build",) and build.workdir == "app" and build.job is not None
    assert build.step is not None and build.step.index == 0 and not build.remote
    assert by_path[(".github/workflows/ci.yml", 12)].remote
    assert [i.origin.line for i in invocations_in(snap, "scripts/deploy.sh")] == [3, 4]
    assert docker_invocations(snap) is found  # once per snapshot
