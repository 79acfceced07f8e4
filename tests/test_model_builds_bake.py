"""docker/bake-action with a docker-bake.hcl: variables, inherits, groups, env overriding a default."""

from __future__ import annotations

from builds_support import builds, publishes
from dockreview.rules.docker.publishing import tag_moves

BAKE = """
variable "REGISTRY" {
  default = "ghcr.io/acme"
}
variable "TAG" {
  default = "latest"
}
group "default" {
  targets = ["api", "worker"]
}
target "_common" {
  context = "."
  args = {
    NODE_VERSION = "22"
  }
  platforms = ["linux/amd64", "linux/arm64"]
}
target "api" {
  inherits = ["_common"]
  dockerfile = "docker/api.Dockerfile"
  tags = ["${REGISTRY}/api:${TAG}"]
}
target "worker" {
  inherits = ["_common"]
  target = "worker"
  platforms = ["linux/amd64"]
  args = {
    QUEUE = "jobs"
  }
  tags = ["${REGISTRY}/worker:${TAG}"]
}
"""
WORKFLOW = """
on:
  push:
    tags: ["v*"]
jobs:
  bake:
    runs-on: ubuntu-latest
    env:
      TAG: ${{ github.ref_name }}
    steps:
      - uses: actions/checkout@v4
      - uses: docker/bake-action@v6
        with:
          source: .
          push: true
"""


def test_bake_targets_resolve_groups_inherits_and_variables():
    found = {b.name: b for b in builds({"docker-bake.hcl": BAKE, ".github/workflows/bake.yml": WORKFLOW})}
    assert sorted(found) == ["api", "worker"]
    api, worker = found["api"], found["worker"]
    assert api.via == "bake-action" and api.push and api.job == "bake"
    assert api.dockerfile == "docker/api.Dockerfile" and api.context == ""
    assert api.platform_texts == ("linux/amd64", "linux/arm64")  # inherited
    assert api.args["NODE_VERSION"].value == "22"
    # the job env sets TAG, overriding the variable's default; REGISTRY keeps its default
    assert api.tag_texts == ("ghcr.io/acme/api:${{ github.ref_name }}",)
    assert api.tags[0].origin.path == "docker-bake.hcl" and api.tags[0].origin.line == 20
    assert worker.platform_texts == ("linux/amd64",)  # replaced, not merged
    assert set(worker.args) == {"NODE_VERSION", "QUEUE"}  # merged by key
    assert worker.target is not None and worker.target.value == "worker"
    assert worker.dockerfile == "Dockerfile" and worker.triggers == ("push",)


def test_bake_without_env_uses_defaults_and_named_targets_from_the_command_line():
    script = "docker buildx bake --push --set '*.platform=linux/arm64' worker\n"
    found = builds({"docker-bake.hcl": BAKE, "release.sh": "#!/bin/sh\n" + script})
    (worker,) = found
    assert worker.via == "buildx bake" and worker.push
    assert worker.tag_texts == ("ghcr.io/acme/worker:latest",)
    assert worker.platform_texts == ("linux/arm64",)
    (pushed,) = publishes({"docker-bake.hcl": BAKE, "release.sh": "#!/bin/sh\n" + script})
    assert pushed.registry == "ghcr.io" and pushed.tag == "latest" and tag_moves(pushed)


def test_bake_json_file():
    bake = '{\n  "target": {\n    "app": {\n      "context": "app",\n      "tags": ["acme/app:1.2.3"]\n    }\n  }\n}\n'
    (app,) = builds({"docker-bake.json": bake, "build.sh": "#!/bin/sh\ndocker buildx bake app\n"})
    assert app.context == "app" and app.dockerfile == "app/Dockerfile" and not app.push
    assert app.tags[0].origin.line == 5


def test_a_matrix_target_forks_into_one_build_per_value_named_by_its_name_attribute():
    hcl = """
variable "REPO" {
  default = "ghcr.io/acme"
}
group "default" {
  targets = ["app"]
}
target "app" {
  name = "${tgt}-${item.base}"
  matrix = {
    tgt = ["api", "worker"]
    item = [{ base = "alpine", suffix = "" }, { base = "debian", suffix = "-debian" }]
  }
  dockerfile = "Dockerfile.${tgt}"
  args = { BASE = "${item.base}" }
  tags = ["${REPO}/${tgt}:1.0${item.suffix}"]
}
"""
    found = builds({"Makefile": "release:\n\tdocker buildx bake --push\n", "docker-bake.hcl": hcl})
    assert sorted((b.name, b.dockerfile, b.tag_texts, b.args["BASE"].value) for b in found) == [
        ("api-alpine", "Dockerfile.api", ("ghcr.io/acme/api:1.0",), "alpine"),
        ("api-debian", "Dockerfile.api", ("ghcr.io/acme/api:1.0-debian",), "debian"),
        ("worker-alpine", "Dockerfile.worker", ("ghcr.io/acme/worker:1.0",), "alpine"),
        ("worker-debian", "Dockerfile.worker", ("ghcr.io/acme/worker:1.0-debian",), "debian"),
    ]
    assert all(b.push and not b.notes for b in found)
    one = builds({"Makefile": "release:\n\tdocker buildx bake --push worker-debian\n", "docker-bake.hcl": hcl})
    assert [b.tag_texts for b in one] == [("ghcr.io/acme/worker:1.0-debian",)]
