"""Builds outside workflows: compose `build:` services, a Makefile's `docker build -t` + `docker push`."""

from __future__ import annotations

from builds_support import builds, deployment, publishes, snapshot
from dockreview.rules.docker.publishing import tag_moves

COMPOSE = """
services:
  api:
    build:
      context: ./api
      dockerfile: docker/Dockerfile
      target: prod
      args:
        NODE_VERSION: ${NODE_VERSION:-22}
      platforms: [linux/amd64, linux/arm64]
    image: ghcr.io/acme/api:${TAG:-latest}
  db:
    image: postgres:16.4
"""


def test_compose_service_with_build_is_a_build_record():
    snap = snapshot({"compose.yaml": COMPOSE, ".env": "TAG=1.4.2\n"})
    (api,) = deployment(snap).builds
    assert api.via == "compose" and api.name == "api" and api.scope == "compose.yaml"
    assert api.context == "api" and api.dockerfile == "api/docker/Dockerfile"
    assert api.target is not None and api.target.value == "prod"
    assert api.args["NODE_VERSION"].value == "22"
    assert api.platform_texts == ("linux/amd64", "linux/arm64")
    assert api.tag_texts == ("ghcr.io/acme/api:1.4.2",)  # `.env` applied
    assert (api.origin.path, api.origin.line) == ("compose.yaml", 3)
    assert deployment(snap).builds_of("api/docker/Dockerfile") == [api]


MAKEFILE = """
REGISTRY ?= docker.io/acme
IMAGE = $(REGISTRY)/tool
VERSION := 1.2.0

image:
\tdocker build -t $(IMAGE):$(VERSION) -f build/Dockerfile .
\tdocker tag $(IMAGE):$(VERSION) $(IMAGE):latest

release: image
\tdocker push $(IMAGE):$(VERSION)
\tdocker push $(IMAGE):latest
"""


def test_makefile_docker_build_tag_and_push():
    model = deployment(snapshot({"Makefile": MAKEFILE}))
    (build,) = model.builds
    assert build.via == "docker build" and build.push and build.dockerfile == "build/Dockerfile"
    assert build.tag_texts == ("docker.io/acme/tool:1.2.0", "docker.io/acme/tool:latest")
    assert (build.origin.path, build.origin.line, build.origin.column) == ("Makefile", 6, 2)
    refs = sorted((p.ref, tag_moves(p), p.build is build) for p in model.publishes)
    assert refs == [("docker.io/acme/tool:1.2.0", False, True), ("docker.io/acme/tool:latest", True, True)]


def test_push_of_an_image_no_build_made_is_a_publish_without_build():
    files = {"push.sh": "#!/bin/sh\ndocker pull nginx:1.27\ndocker tag nginx:1.27 ghcr.io/acme/nginx:1.27\n"
                        "docker push ghcr.io/acme/nginx:1.27\ndocker manifest push ghcr.io/acme/multi:2\n"}
    assert builds(files) == []
    assert sorted((p.ref, p.via, p.build) for p in publishes(files)) == [
        ("ghcr.io/acme/multi:2", "docker manifest push", None), ("ghcr.io/acme/nginx:1.27", "docker push", None)]


def test_compose_push_of_the_project_pushes_its_built_images():
    model = deployment(snapshot({"compose.yaml": COMPOSE, ".env": "TAG=1.4.2\n",
                                 "release.sh": "#!/bin/sh\ndocker compose build\ndocker compose push api\n"}))
    (api,) = model.builds
    assert api.push and api.push_origin is not None and api.push_origin.path == "release.sh"
    assert [(p.ref, p.via) for p in model.publishes] == [("ghcr.io/acme/api:1.4.2", "compose")]


def test_script_variables_assigned_before_the_build_are_resolved():
    script = ("#!/bin/sh\nset -e\nREGISTRY=ghcr.io/acme\nIMAGE=\"$REGISTRY/app\"\nVERSION=$(git describe)\n"
              "docker build -t \"${IMAGE}:${VERSION}\" -t $REGISTRY/app:latest .\ndocker push $REGISTRY/app:latest\n")
    (build,) = builds({"build.sh": script})
    # IMAGE's value uses a variable: kept as written, so its registry is not claimed
    assert build.tag_texts == ("${IMAGE}:${VERSION}", "ghcr.io/acme/app:latest")
    assert build.registries == ("ghcr.io",) and build.push
