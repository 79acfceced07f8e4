"""docker/metadata-action tags feeding build-push-action: types, flavor, latest=auto."""

from __future__ import annotations

from builds_support import builds, publishes
from dockreview.rules.docker.publishing import tag_moves

WORKFLOW = """
on:
  push:
    branches: [main]
    tags: ["v*"]
env:
  REGISTRY: ghcr.io
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: ${{ env.REGISTRY }}/acme/api
          flavor: |
            latest=auto
            suffix=-alpine
          tags: |
            type=semver,pattern={{version}}
            type=semver,pattern={{major}}.{{minor}}
            type=ref,event=branch
            type=sha
            type=raw,value=stable,enable={{is_default_branch}}
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ${{ steps.meta.outputs.tags }}
"""


def test_metadata_tags_with_flavor_and_latest_auto():
    files = {".github/workflows/image.yml": WORKFLOW}
    (build,) = builds(files)
    assert build.context_raw == "(git context)" and build.dockerfile == "Dockerfile"
    assert build.tag_texts == (
        "ghcr.io/acme/api:{{version}}-alpine",
        "ghcr.io/acme/api:{{major}}.{{minor}}-alpine",
        "ghcr.io/acme/api:{{branch}}-alpine",
        "ghcr.io/acme/api:sha-{{sha}}-alpine",  # its built-in `sha-` prefix
        "ghcr.io/acme/api:stable-alpine",
        "ghcr.io/acme/api:latest",  # latest gets no suffix without onlatest=true
    )
    refs = {p.ref: p for p in publishes(files)}
    assert tag_moves(refs["ghcr.io/acme/api:latest"])
    assert "latest=auto" in refs["ghcr.io/acme/api:latest"].when
    assert not tag_moves(refs["ghcr.io/acme/api:{{version}}-alpine"])
    assert tag_moves(refs["ghcr.io/acme/api:{{branch}}-alpine"])
    assert tag_moves(refs["ghcr.io/acme/api:stable-alpine"])  # a raw value judged by tag_verdict
    assert "when enabled" in refs["ghcr.io/acme/api:stable-alpine"].when
    assert {p.registry for p in refs.values()} == {"ghcr.io"}  # `${{ env.REGISTRY }}` resolved from env


def test_latest_auto_without_a_version_entry_adds_no_latest_and_false_never():
    branch_only = WORKFLOW.replace("            type=semver,pattern={{version}}\n", "").replace(
        "            type=semver,pattern={{major}}.{{minor}}\n", "")
    (build,) = builds({".github/workflows/image.yml": branch_only})
    assert "ghcr.io/acme/api:latest" not in build.tag_texts
    forced = branch_only.replace("latest=auto", "latest=true")
    (build,) = builds({".github/workflows/image.yml": forced})
    assert "ghcr.io/acme/api:latest" in build.tag_texts
    off = WORKFLOW.replace("latest=auto", "latest=false")
    (build,) = builds({".github/workflows/image.yml": off})
    assert "ghcr.io/acme/api:latest" not in build.tag_texts


def test_default_tags_when_tags_input_is_empty():
    plain = WORKFLOW.split("          tags: |")[0] + "      - uses: docker/build-push-action@v6\n" \
        "        with:\n          push: true\n          tags: ${{ steps.meta.outputs.tags }}\n"
    events = "on:\n  schedule:\n    - cron: '0 3 * * *'\n  pull_request:\n"
    plain = plain.replace("            suffix=-alpine\n", "").replace("on:\n", events)
    (build,) = builds({".github/workflows/image.yml": plain})
    assert build.tag_texts == ("ghcr.io/acme/api:nightly", "ghcr.io/acme/api:{{branch}}", "ghcr.io/acme/api:{{tag}}",
                               "ghcr.io/acme/api:pr-{{number}}", "ghcr.io/acme/api:latest")


def test_schedule_and_pull_request_tags_only_when_such_events_start_the_workflow():
    with_events = WORKFLOW.replace("            type=sha\n", "            type=sha\n            type=schedule\n"
                                   "            type=ref,event=pr\n")
    (build,) = builds({".github/workflows/image.yml": with_events})
    assert not {"ghcr.io/acme/api:nightly-alpine", "ghcr.io/acme/api:pr-{{number}}-alpine"} & set(build.tag_texts)
    triggered = with_events.replace("on:\n", "on:\n  schedule:\n    - cron: '0 3 * * *'\n  pull_request:\n")
    (build,) = builds({".github/workflows/image.yml": triggered})
    assert {"ghcr.io/acme/api:nightly-alpine", "ghcr.io/acme/api:pr-{{number}}-alpine"} <= set(build.tag_texts)
    reusable = with_events.replace("on:\n", "on:\n  workflow_call:\n")  # its caller's events decide
    (build,) = builds({".github/workflows/image.yml": reusable})
    assert "ghcr.io/acme/api:nightly-alpine" in build.tag_texts
