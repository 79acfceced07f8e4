"""Container changes for builds, from the builds model: rows per build path, none for moves."""

from __future__ import annotations

from changes_support import changes, hits, review_pair

RELEASE = """
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
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - name: Push
        run: |
          docker buildx build --push --platform linux/amd64,linux/arm64,linux/s390x \\
            -t ghcr.io/acme/api:${{ github.ref_name }} .
"""
PATH = ".github/workflows/release.yml"


def test_run_step_platform_dropped_is_a_row_and_a_dr350_finding():
    head = RELEASE.replace(",linux/s390x", "")
    report = review_pair({PATH: RELEASE}, {PATH: head})
    assert changes(report) == [(PATH, "image", "platforms", "linux/s390x", None)]
    assert hits(report, "DR350") == [(PATH, 19)]


def test_reformatted_and_moved_step_gives_no_row():
    head = RELEASE.replace("      - name: Push\n        run: |\n          docker buildx build --push "
                           "--platform linux/amd64,linux/arm64,linux/s390x \\\n            -t ghcr.io/acme/api:"
                           "${{ github.ref_name }} .\n", "")
    moved = head.replace("      - uses: actions/checkout@v4\n", "      - name: Push\n        run: >-\n"
                         "          docker buildx build\n          --platform linux/amd64,linux/arm64,linux/s390x\n"
                         "          --push -t ghcr.io/acme/api:${{ github.ref_name }} .\n"
                         "      - uses: actions/checkout@v4\n")
    report = review_pair({PATH: RELEASE}, {PATH: moved})
    assert changes(report) == []


def test_push_turned_off_and_latest_published_on_manual_runs():
    head = RELEASE.replace('    tags: ["v*"]\n', '    tags: ["v*"]\n  workflow_dispatch:\n').replace(
        "-t ghcr.io/acme/api:${{ github.ref_name }} .", "-t ghcr.io/acme/api:latest .")
    report = review_pair({PATH: RELEASE}, {PATH: head})
    assert changes(report) == [
        (PATH, "", "on", None, "workflow_dispatch"),
        (PATH, "image", "tags", "ghcr.io/acme/api:${{ github.ref_name }}", None),
        (PATH, "image", "tags", None, "ghcr.io/acme/api:latest"),
    ]
    off = RELEASE.replace("buildx build --push", "buildx build --load")
    report = review_pair({PATH: RELEASE}, {PATH: off})
    assert ("image", "push", "true", "false") in [(o, f, b, a) for _p, o, f, b, a in changes(report)]


def test_triggers_of_a_workflow_that_builds_nothing_are_not_rows():
    lint = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n"
    head = lint.replace("on: push", "on: [push, pull_request]")
    assert changes(review_pair({".github/workflows/lint.yml": lint}, {".github/workflows/lint.yml": head})) == []


BAKE = """
variable "TAG" {
  default = "1.0.0"
}
target "default" {
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["docker.io/acme/app:${TAG}"]
}
"""
SCRIPT = "#!/bin/sh\nset -e\ndocker buildx bake --push\n"


def test_bake_file_change_is_a_row_on_the_bake_file_line():
    head = BAKE.replace('default = "1.0.0"', 'default = "latest"').replace(', "linux/arm64"', "")
    report = review_pair({"docker-bake.hcl": BAKE, "release.sh": SCRIPT}, {"docker-bake.hcl": head,
                                                                            "release.sh": SCRIPT})
    rows = [(c.path, c.object, c.field, c.key, c.before, c.after, c.line) for c in report.changes]
    assert rows == [
        ("docker-bake.hcl", "default", "platforms", "linux/arm64", "linux/arm64", None, 5),
        ("docker-bake.hcl", "default", "tags", "docker.io/acme/app:1.0.0", "docker.io/acme/app:1.0.0", None, 6),
        ("docker-bake.hcl", "default", "tags", "docker.io/acme/app:latest", None, "docker.io/acme/app:latest", 6),
    ]


META = """
on:
  push:
    tags: ["v*"]
  workflow_dispatch:
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: ghcr.io/acme/api
          flavor: latest=auto
          tags: type=semver,pattern={{version}}
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ${{ steps.meta.outputs.tags }}
"""


def test_latest_on_every_run_is_a_tag_row():
    head = META.replace("latest=auto", "latest=true")
    report = review_pair({PATH: META}, {PATH: head})
    assert changes(report) == [
        (PATH, "image", "tags", "ghcr.io/acme/api:latest (on every stable semver tag push, older-version "
         "backports included, flavor latest=auto)",
         "ghcr.io/acme/api:latest (on every run that makes tags, flavor latest=true)"),
    ]


def test_latest_auto_says_which_tag_pushes_get_latest():
    from dockreview.rules import Snapshot
    from dockreview.rules.model.deployment import deployment

    def when(tags: str) -> str:
        snapshot = Snapshot.from_mapping({PATH: META.replace("tags: type=semver,pattern={{version}}", tags)})
        [latest] = [p for p in deployment(snapshot).publishes if p.tag == "latest"]
        return latest.when

    assert when("tags: type=ref,event=tag") == "on every tag push, flavor latest=auto"
    assert when("tags: |\n            type=semver,pattern={{version}}\n            type=ref,event=tag") == (
        "on every tag push except semver pre-releases, flavor latest=auto")


ACTION = """
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: .
          push: true
          platforms: linux/amd64,linux/arm64
          tags: ghcr.io/acme/api:${{ github.sha }}
"""


def test_a_build_moved_from_the_action_to_a_run_step_is_the_same_build():
    head = ACTION.split("      - uses:")[0] + (
        "      - run: docker buildx build --push --platform linux/amd64,linux/arm64 "
        "-t ghcr.io/acme/api:${{ github.sha }} .\n")
    report = review_pair({PATH: ACTION}, {PATH: head})
    assert changes(report) == []  # same image, platforms, push: no "removed" and "added" rows


def test_a_trigger_filter_change_is_an_on_row():
    head = RELEASE.replace('    tags: ["v*"]\n', "    branches: [main]\n")
    assert changes(review_pair({PATH: RELEASE}, {PATH: head})) == [
        (PATH, "", "on", "push (tags: v*)", "push (branches: main)")]
