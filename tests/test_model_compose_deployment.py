"""The compose model through its entry points: `find_projects` and `deployment(snapshot).projects` / `projects_with`."""

from __future__ import annotations

import dockreview.rules.model.compose as compose_model
from compose_model_support import snapshot
from dockreview.rules.model.commands import docker_invocations
from dockreview.rules.model.deployment import deployment

FILES = {
    "compose.yaml": """
        include:
          - infra/db.yaml
        services:
          web:
            extends:
              file: common/base.yaml
              service: base
            env_file: config/web.env
            image: ghcr.io/o/web:${TAG}
    """,
    "compose.override.yaml": "services:\n  web:\n    ports: ['8080:80']\n",
    ".env": "TAG=1.0\n",
    "infra/db.yaml": "services:\n  db:\n    image: postgres:16\n",
    "infra/.env": "PGTAG=16\n",
    "common/base.yaml": "services:\n  base:\n    restart: always\n",
    "config/web.env": "MODE=prod\n",
    "deploy/compose.yaml": "services:\n  api:\n    image: api\n",
    "deploy/compose.prod.yaml": "services:\n  api:\n    restart: always\n",
    "deploy/up.sh": "#!/bin/sh\ndocker compose -f compose.yaml -f compose.prod.yaml up -d\n",
    "README.md": "nothing\n",
}


def test_find_projects_is_the_package_entry_point_and_cached_per_snapshot() -> None:
    snap = snapshot(FILES)
    model = deployment(snap)
    found = compose_model.find_projects(snap, docker_invocations(snap))
    assert model.projects is found  # one resolution per snapshot, whoever asks first
    assert compose_model.find_projects(snap, model.invocations) is found
    assert sorted(p.id for p in found) == ["compose.yaml+compose.override.yaml", "deploy/compose.yaml",
                                           "deploy/compose.yaml+deploy/compose.prod.yaml"]
    other = snapshot(FILES)
    assert deployment(other).projects is not found and len(deployment(other).projects) == len(found)


def test_projects_with_every_file_that_feeds_a_project() -> None:
    model = deployment(snapshot(FILES))
    root = "compose.yaml+compose.override.yaml"
    for path in ("compose.yaml", "compose.override.yaml", ".env", "infra/db.yaml", "infra/.env",
                 "common/base.yaml", "config/web.env"):
        assert [p.id for p in model.projects_with(path)] == [root], path
    assert [p.id for p in model.projects_with("deploy/compose.prod.yaml")] == [
        "deploy/compose.yaml+deploy/compose.prod.yaml"]
    assert sorted(p.id for p in model.projects_with("deploy/compose.yaml")) == [
        "deploy/compose.yaml", "deploy/compose.yaml+deploy/compose.prod.yaml"]
    assert model.projects_with("README.md") == [] and model.projects_with("deploy/up.sh") == []
    web = model.projects_with("common/base.yaml")[0].services["web"]
    assert web.restart is not None and web.restart.origin.path == "common/base.yaml"
    assert web.image is not None and web.image.text == "ghcr.io/o/web:1.0"
