"""rules.changes: Dockerfiles stage by stage, workflows job by job."""

from __future__ import annotations

from tests.changes_support import changes, hits, review_pair

DOCKERFILE = """
FROM python:3.12.7-slim AS build
RUN pip wheel --wheel-dir /wheels -r requirements.txt
FROM python:3.12.7-slim
COPY --from=build /wheels /wheels
EXPOSE 8000
USER app
ENTRYPOINT ["gunicorn"]
CMD ["app:wsgi", "-b", "0.0.0.0:8000"]
"""


def test_dockerfile_fields():
    head = (DOCKERFILE.replace("FROM python:3.12.7-slim\n", "FROM python:3.13.1-slim\n")
            .replace("EXPOSE 8000", "EXPOSE 8000 9100")
            .replace("USER app\n", "")
            .replace('CMD ["app:wsgi", "-b", "0.0.0.0:8000"]', 'CMD ["app:wsgi"]'))
    report = review_pair({"Dockerfile": DOCKERFILE}, {"Dockerfile": head})
    assert changes(report) == [
        ("Dockerfile", "final", "base", "python:3.12.7-slim", "python:3.13.1-slim"),
        ("Dockerfile", "final", "cmd", "app:wsgi -b 0.0.0.0:8000", "app:wsgi"),
        ("Dockerfile", "final", "expose", None, "9100/tcp"),
        ("Dockerfile", "final", "user", "app", None),
    ]
    user = next(c for c in report.changes if c.field == "user")
    assert user.line is not None and user.base_line == 6
    assert hits(report, "DR251") == [("Dockerfile", user.line)]


def test_stage_added_and_removed():
    head = DOCKERFILE.replace("FROM python:3.12.7-slim AS build", "FROM python:3.12.7-slim AS builder").replace(
        "--from=build", "--from=builder")
    report = review_pair({"Dockerfile": DOCKERFILE}, {"Dockerfile": head})
    assert changes(report) == [
        ("Dockerfile", "build", "stage", "python:3.12.7-slim", None),
        ("Dockerfile", "builder", "stage", None, "python:3.12.7-slim"),
    ]


def test_base_image_unpinned_fires_on_the_from_line():
    head = DOCKERFILE.replace("FROM python:3.12.7-slim\n", "FROM python\n")
    report = review_pair({"Dockerfile": DOCKERFILE}, {"Dockerfile": head})
    assert hits(report, "DR250") == [("Dockerfile", 3)]
    pinned_upgrade = DOCKERFILE.replace("FROM python:3.12.7-slim\n", "FROM python:3.13.1-slim\n")
    assert hits(review_pair({"Dockerfile": DOCKERFILE}, {"Dockerfile": pinned_upgrade}), "DR250") == []
    already_mutable = DOCKERFILE.replace("FROM python:3.12.7-slim\n", "FROM python:latest\n")
    assert hits(review_pair({"Dockerfile": already_mutable}, {"Dockerfile": head}), "DR250") == []


def test_user_rule_near_misses():
    to_other_user = DOCKERFILE.replace("USER app", "USER 10001")
    assert hits(review_pair({"Dockerfile": DOCKERFILE}, {"Dockerfile": to_other_user}), "DR251") == []
    to_root = DOCKERFILE.replace("USER app", "USER root")
    assert hits(review_pair({"Dockerfile": DOCKERFILE}, {"Dockerfile": to_root}), "DR251") == [("Dockerfile", 6)]
    was_root = DOCKERFILE.replace("USER app\n", "")
    assert hits(review_pair({"Dockerfile": was_root}, {"Dockerfile": was_root + "RUN true\n"}), "DR251") == []


WORKFLOW = """
name: release
on:
  push:
    tags: ["v*"]
permissions:
  contents: read
  packages: write
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-qemu-action@v3
      - uses: docker/setup-buildx-action@v3
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - uses: docker/build-push-action@v6
        with:
          context: .
          push: true
          platforms: linux/amd64,linux/arm64
          tags: |
            ghcr.io/acme/api:${{ github.ref_name }}
            ghcr.io/acme/api:latest
"""
PATH = ".github/workflows/release.yml"


def test_workflow_fields():
    head = (WORKFLOW.replace("linux/amd64,linux/arm64", "linux/amd64")
            .replace('    tags: ["v*"]\n', '    tags: ["v*"]\n  workflow_dispatch:\n')
            .replace("  packages: write\n", "  packages: write\n  id-token: write\n")
            .replace("ghcr.io/acme/api:latest", "ghcr.io/acme/api:edge"))
    report = review_pair({PATH: WORKFLOW}, {PATH: head})
    assert changes(report) == [
        (PATH, "", "on", None, "workflow_dispatch"),
        (PATH, "", "permissions", "contents: read, packages: write",
         "contents: read, id-token: write, packages: write"),
        (PATH, "image", "platforms", "linux/arm64", None),
        (PATH, "image", "tags", None, "ghcr.io/acme/api:edge"),
        (PATH, "image", "tags", "ghcr.io/acme/api:latest", None),
    ]


def test_platform_removed_from_a_published_build():
    head = WORKFLOW.replace("linux/amd64,linux/arm64", "linux/amd64")
    report = review_pair({PATH: WORKFLOW}, {PATH: head})
    assert hits(report, "DR350") == [(PATH, 24)]
    (finding,) = [f for f in report.findings if f.rule == "DR350"]
    assert "`linux/arm64`" in finding.message and "no matching manifest" in finding.message


def test_platforms_input_removed_is_anchored_in_the_step():
    head = WORKFLOW.replace("          platforms: linux/amd64,linux/arm64\n", "")
    report = review_pair({PATH: WORKFLOW}, {PATH: head})
    assert hits(report, "DR350") == [(PATH, 23)]  # `push: true`, the line before the removed input


def test_platform_rule_near_misses():
    not_pushed = WORKFLOW.replace("push: true", "push: false")
    head = not_pushed.replace("linux/amd64,linux/arm64", "linux/amd64")
    assert hits(review_pair({PATH: not_pushed}, {PATH: head}), "DR350") == []
    added = WORKFLOW.replace("linux/amd64,linux/arm64", "linux/amd64,linux/arm64,linux/arm/v7")
    assert hits(review_pair({PATH: WORKFLOW}, {PATH: added}), "DR350") == []


def test_deleted_workflow_and_dockerfile():
    report = review_pair({PATH: WORKFLOW, "Dockerfile": DOCKERFILE, "README.md": "x"}, {"README.md": "x"})
    assert changes(report) == [
        (PATH, "", "file", PATH, None),
        ("Dockerfile", "", "file", "Dockerfile", None),
    ]


def test_base_image_unpinned_to_a_variant_tag_with_no_version():
    head = DOCKERFILE.replace("FROM python:3.12.7-slim\n", "FROM python:slim\n")
    report = review_pair({"Dockerfile": DOCKERFILE}, {"Dockerfile": head})
    [finding] = [f for f in report.findings if f.rule == "DR250"]
    assert finding.line == 3 and "uses the tag `slim`, which names a variant but no version" in finding.message


HASS = """
ARG BUILD_FROM=ghcr.io/home-assistant/amd64-base:3.20
FROM ${BUILD_FROM}
RUN apk add --no-cache nginx
"""


def test_base_changed_only_through_its_arg_default_is_a_base_change_on_the_arg_line():
    head = HASS.replace("amd64-base:3.20", "amd64-base:3.24")
    report = review_pair({"Dockerfile": HASS}, {"Dockerfile": head})
    assert changes(report) == [("Dockerfile", "final", "base", "ghcr.io/home-assistant/amd64-base:3.20",
                                "ghcr.io/home-assistant/amd64-base:3.24")]
    [change] = report.changes
    assert change.line == 1


def test_a_literal_from_moved_into_an_arg_is_no_change():
    base = "FROM node:22-alpine AS web\nRUN npm ci\n"
    head = "ARG NODE_IMAGE=node:22-alpine\nFROM ${NODE_IMAGE} AS web\nRUN npm ci\n"
    assert changes(review_pair({"Dockerfile": base}, {"Dockerfile": head})) == []


def test_an_image_copied_from_is_compared_by_repository():
    """`COPY --from=<image>` bumped to a new tag is one changed row on the stage (a real PR bumped
    `penpotapp/imagemagick` this way); a stage name after `--from` is no image."""
    base = DOCKERFILE.replace("COPY --from=build /wheels /wheels",
                              "COPY --from=build /wheels /wheels\nCOPY --from=ghcr.io/o/magick:7.1.2-13 /opt/i /opt/i")
    head = base.replace("magick:7.1.2-13", "magick:7.1.2-24")
    assert changes(review_pair({"Dockerfile": base}, {"Dockerfile": head})) == [
        ("Dockerfile", "final", "copies from image", "ghcr.io/o/magick:7.1.2-13", "ghcr.io/o/magick:7.1.2-24"),
    ]


HA_WORKFLOW = """
on:
  release:
    types: [published]
jobs:
  build_alpine:
    runs-on: ubuntu-24.04
    strategy:
      matrix:
        arch: ${{ fromJson(needs.init.outputs.architectures) }}
        version: ["3.21", "3.22"]
    steps:
      - uses: actions/checkout@v5
      - name: Build base image
        uses: home-assistant/builder@2025.09.0
        with:
          args: |
            --${{ matrix.arch }} \\
            --target /data/alpine \\
            --base ${{ matrix.version }}
"""
HA_BUILD = """image: ghcr.io/home-assistant/{arch}-base
build_from:
  aarch64: "arm64v8/alpine:"
  armv7: "arm32v7/alpine:"
  amd64: "alpine:"
args:
  BASHIO_VERSION: 0.16.2
"""


def test_the_build_file_home_assistant_builder_reads_is_compared():
    """The architectures `home-assistant/builder` builds are the `build_from` keys of the target's
    build.yaml (a real PR dropped armv7, armhf and i386 there): one row per job, on the build file."""
    head = HA_BUILD.replace('  armv7: "arm32v7/alpine:"\n', "").replace("0.16.2", "0.17.0")
    report = review_pair({".github/workflows/builder.yml": HA_WORKFLOW, "alpine/build.yaml": HA_BUILD},
                         {".github/workflows/builder.yml": HA_WORKFLOW, "alpine/build.yaml": head})
    rows = changes(report)
    assert rows == [
        ("alpine/build.yaml", f"build_alpine [version={v}]", "input", before, after)
        for v in ("3.21", "3.22")
        for before, after in (("build.yaml:args.BASHIO_VERSION: 0.16.2", "build.yaml:args.BASHIO_VERSION: 0.17.0"),
                              ('build.yaml:build_from.armv7: arm32v7/alpine:', None))
    ], rows


def test_the_environment_of_the_shipped_image_is_compared_but_not_of_build_only_stages():
    base = DOCKERFILE.replace("RUN pip wheel", "ENV PIP_NO_CACHE_DIR=1\nRUN pip wheel").replace(
        "EXPOSE 8000", "ENV PORT=8000 LOG_LEVEL=info\nEXPOSE 8000")
    head = base.replace("PIP_NO_CACHE_DIR=1", "PIP_NO_CACHE_DIR=0").replace(
        "ENV PORT=8000 LOG_LEVEL=info", "ENV PORT=8080 LOG_LEVEL=info TMPDIR=/run/app\nENV API_TOKEN=s3cr3t-value")
    assert changes(review_pair({"Dockerfile": base}, {"Dockerfile": head})) == [
        ("Dockerfile", "final", "env", None, "API_TOKEN=****"),
        ("Dockerfile", "final", "env", "PORT=8000", "PORT=8080"),
        ("Dockerfile", "final", "env", None, "TMPDIR=/run/app"),
    ]
