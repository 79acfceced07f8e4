"""Builds in workflow run steps and actions: buildx --push with platforms, matrix.include, commas
inside `${{ }}`, env at workflow/job/step, vendor actions."""

from __future__ import annotations

from builds_support import builds, publishes
from dockreview.rules.docker.publishing import tag_moves

RUN = """
on: [push, workflow_dispatch]
jobs:
  cli:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - name: Build and push
        working-directory: tools
        run: |
          docker buildx build --push \\
            --platform linux/amd64,linux/arm64 \\
            -t ghcr.io/acme/cli:${{ github.sha }} -t ghcr.io/acme/cli:latest \\
            -f cli.Dockerfile .
"""


def test_run_step_buildx_push_with_platforms():
    files = {".github/workflows/cli.yml": RUN}
    (build,) = builds(files)
    assert build.via == "docker build" and build.push and build.step == "Build and push"
    assert build.platform_texts == ("linux/amd64", "linux/arm64")
    assert build.tag_texts == ("ghcr.io/acme/cli:${{ github.sha }}", "ghcr.io/acme/cli:latest")
    assert build.context == "tools" and build.dockerfile == "tools/cli.Dockerfile"
    assert (build.origin.line, build.origin.column) == (14, 11)
    assert build.platforms[0].origin.line == 15 and build.triggers == ("push", "workflow_dispatch")
    refs = {p.ref: p for p in publishes(files)}
    assert tag_moves(refs["ghcr.io/acme/cli:latest"]) and not tag_moves(refs["ghcr.io/acme/cli:${{ github.sha }}"])
    assert refs["ghcr.io/acme/cli:latest"].origin.line == 16


MATRIX = """
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        variant: [debian, alpine]
        arch: [amd64, arm64]
        exclude:
          - variant: alpine
            arch: arm64
        include:
          - variant: alpine
            file: alpine.Dockerfile
          - variant: distroless
            arch: amd64
            file: distroless.Dockerfile
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: ${{ matrix.file || 'Dockerfile' }}
          platforms: linux/${{ matrix.arch }}
          push: true
          tags: ghcr.io/acme/app:${{ matrix.variant }}-${{ matrix.arch }}
"""


def test_matrix_axes_exclude_and_include():
    found = builds({".github/workflows/m.yml": MATRIX})
    assert sorted(b.tag_texts[0] for b in found) == [
        "ghcr.io/acme/app:alpine-amd64", "ghcr.io/acme/app:debian-amd64", "ghcr.io/acme/app:debian-arm64",
        "ghcr.io/acme/app:distroless-amd64"]
    by_tag = {b.tag_texts[0]: b for b in found}
    assert by_tag["ghcr.io/acme/app:debian-arm64"].platform_texts == ("linux/arm64",)
    assert dict(by_tag["ghcr.io/acme/app:distroless-amd64"].matrix)["file"] == "distroless.Dockerfile"
    assert len({b.identity for b in found}) == 4


COMMAS = """
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          push: ${{ github.event_name != 'pull_request' }}
          tags: ghcr.io/acme/app:${{ format('{0}-{1}', github.ref_name, github.run_number) }},ghcr.io/acme/app:edge
"""


def test_tag_list_is_not_split_inside_an_expression():
    (build,) = builds({".github/workflows/c.yml": COMMAS})
    assert build.tag_texts == ("ghcr.io/acme/app:${{ format('{0}-{1}', github.ref_name, github.run_number) }}",
                               "ghcr.io/acme/app:edge")
    assert build.push and build.push_expr == "${{ github.event_name != 'pull_request' }}"


ENV = """
on: push
env:
  REGISTRY: registry.example.com
  IMAGE: acme/api
jobs:
  image:
    runs-on: ubuntu-latest
    env:
      IMAGE: acme/web
      TAG: v1
    steps:
      - uses: docker/build-push-action@v6
        env:
          TAG: v2
        with:
          push: true
          tags: ${{ env.REGISTRY }}/${{ env.IMAGE }}:${{ env.TAG }}
      - run: docker build -t "$REGISTRY/$IMAGE:${TAG}" . && docker push "$REGISTRY/$IMAGE:${TAG}"
"""


def test_env_resolved_step_over_job_over_workflow():
    action, run = builds({".github/workflows/e.yml": ENV})
    assert action.tag_texts == ("registry.example.com/acme/web:v2",)
    assert run.tag_texts == ("registry.example.com/acme/web:v1",) and run.push
    assert action.registries == ("registry.example.com",)
    unresolved = ENV.replace("  REGISTRY: registry.example.com\n", "")
    action, _run = builds({".github/workflows/e.yml": unresolved})
    assert action.registries == ()  # `${{ env.REGISTRY }}` unknown: no registry shown


VENDOR = """
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: redhat-actions/buildah-build@v2
        with:
          image: acme/api
          tags: latest ${{ github.sha }}
      - uses: actions/setup-node@v4
"""


def test_vendor_build_action_is_recorded_as_not_modelled():
    (build,) = builds({".github/workflows/v.yml": VENDOR})
    assert build.via == "unmodelled action" and not build.modelled
    assert build.action == "redhat-actions/buildah-build" and build.origin.line == 6
