"""Container changes for what the builds model cannot evaluate: run steps that run build scripts,
publish through shell, or compute a build's push decision and tags; mount options; labels;
unmodelled actions' inputs; matrix axes from expressions; metadata-action's bake file order."""

from __future__ import annotations

from builds_support import builds, deployment, snapshot
from changes_support import changes, review_pair

WF = ".github/workflows/release.yml"
BUILD_SH = """
#!/bin/bash
set -e
DOCKER_REGISTRY="${DOCKER_REGISTRY-docker.io}"
TAG="${DOCKER_REGISTRY}/acme/app:${1:-latest}"
$DRY docker build --tag "$TAG" --file Dockerfile .
if [ "$2" == "--push" ]; then
  $DRY docker push "$TAG"
fi
"""
RELEASE = """
on:
  release:
    types: [published]
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        build_cmd: ["./build.sh stable", "./build.sh edge"]
    steps:
      - uses: actions/checkout@v4
      - name: Build and push
        run: ${{ matrix.build_cmd }} --push
        env:
          DOCKER_REGISTRY: quay.io
"""


def test_a_step_running_a_build_script_is_modelled_with_its_env():
    steps = deployment(snapshot({WF: RELEASE, "build.sh": BUILD_SH})).scripted_steps
    assert [(s.job, s.step, s.role, s.script.value) for s in steps] == [
        ("build", "Build and push", "runs ./build.sh", "${{ matrix.build_cmd }} --push")]
    assert {k: v.value for k, v in steps[0].env.items()} == {"DOCKER_REGISTRY": "quay.io"}


def test_a_script_that_builds_nothing_makes_no_scripted_step():
    steps = deployment(snapshot({WF: RELEASE, "build.sh": "#!/bin/sh\necho hello\n"})).scripted_steps
    assert steps == []


def test_a_prefix_variable_before_docker_is_still_a_docker_command():
    found = builds({"build.sh": BUILD_SH})
    assert [(b.via, b.push) for b in found] == [("docker build", True)]


def test_registry_passed_to_the_build_script_changes_is_a_row_and_the_workflow_triggers_count():
    head = RELEASE.replace("DOCKER_REGISTRY: quay.io", "DOCKER_REGISTRY: ghcr.io").replace(
        "  release:\n    types: [published]\n", "  push:\n    branches: [main]\n")
    report = review_pair({WF: RELEASE, "build.sh": BUILD_SH}, {WF: head, "build.sh": BUILD_SH})
    assert changes(report) == [
        (WF, "", "on", None, "push (branches: main)"),
        (WF, "", "on", "release (types: published)", None),
        (WF, "build (Build and push)", "env", "DOCKER_REGISTRY=quay.io", "DOCKER_REGISTRY=ghcr.io"),
    ]


def test_a_second_push_step_is_added_and_a_comment_only_edit_gives_no_row():
    second = ("      - name: Build and push\n        run: ${{ matrix.build_cmd }} --push\n"
              "        env:\n          DOCKER_REGISTRY: ghcr.io\n")
    head = RELEASE + second
    report = review_pair({WF: RELEASE, "build.sh": BUILD_SH}, {WF: head, "build.sh": BUILD_SH})
    assert changes(report) == [(WF, "build (Build and push#2)", "step", None,
                                "runs ./build.sh: ${{ matrix.build_cmd }} --push (env DOCKER_REGISTRY=ghcr.io)")]
    commented = RELEASE.replace("        run: ${{ matrix.build_cmd }} --push\n",
                                "        run: |\n          # push to the registry\n"
                                "          ${{ matrix.build_cmd }} --push\n")
    assert changes(review_pair({WF: RELEASE, "build.sh": BUILD_SH}, {WF: commented, "build.sh": BUILD_SH})) == []


SKOPEO = """
on:
  push:
    tags: ["v*"]
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - name: Copy images to Docker Hub
        run: |
          for alias in main latest; do
            skopeo copy --all docker://ghcr.io/acme/app:$TAG docker://docker.io/acme/app:$alias
          done
"""


def test_a_publish_loop_with_another_registry_client_changing_is_a_row():
    head = SKOPEO.replace("for alias in main latest; do", 'for alias in main latest "$SHORT"; do')
    assert changes(review_pair({WF: SKOPEO}, {WF: head})) == [(
        WF, "release (Copy images to Docker Hub)", "script (publishes)",
        "for alias in main latest; do\nskopeo copy --all docker://ghcr.io/acme/app:$TAG "
        "docker://docker.io/acme/app:$alias\ndone",
        'for alias in main latest "$SHORT"; do\nskopeo copy --all docker://ghcr.io/acme/app:$TAG '
        "docker://docker.io/acme/app:$alias\ndone")]


PUSH_DECIDED = """
on: [push, pull_request]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - id: check
        name: Check push
        run: |
          push=${{ github.event_name == 'push' }}
          echo "should-push=${push}" >> $GITHUB_OUTPUT
      - uses: docker/build-push-action@v6
        with:
          tags: ghcr.io/acme/app:edge
          push: ${{ steps.check.outputs.should-push }}
"""


def test_the_step_that_decides_push_changing_is_a_row():
    head = PUSH_DECIDED.replace("push=${{ github.event_name == 'push' }}",
                                "push=${{ github.event_name == 'push' || github.event_name == 'pull_request' }}")
    assert changes(review_pair({WF: PUSH_DECIDED}, {WF: head})) == [(
        WF, "image (Check push)", "script (decides push)",
        "push=${{ github.event_name == 'push' }}\necho \"should-push=${push}\" >> $GITHUB_OUTPUT",
        "push=${{ github.event_name == 'push' || github.event_name == 'pull_request' }}\n"
        "echo \"should-push=${push}\" >> $GITHUB_OUTPUT")]


def test_a_fully_resolved_docker_push_is_left_to_the_build_records():
    wf = """
    on: push
    jobs:
      image:
        runs-on: ubuntu-latest
        steps:
          - run: |
              docker build -t ghcr.io/acme/app:1.0 .
              docker push ghcr.io/acme/app:1.0
    """
    assert deployment(snapshot({WF: wf})).scripted_steps == []


def test_a_workflow_env_read_by_the_deciding_step_is_resolved_into_its_script():
    wf = """
    on: release
    env:
      LATEST: "bullseye"
    jobs:
      image:
        runs-on: ubuntu-latest
        steps:
          - name: Set build arguments
            run: |
              if [[ "${{ env.LATEST }}" != "${{ matrix.version }}" ]]; then
                echo "BUILD_ARGS=--no-latest" >> $GITHUB_ENV
              fi
          - uses: home-assistant/builder@2025.03.0
            with:
              args: $BUILD_ARGS --target /data
    """
    head = wf.replace('LATEST: "bullseye"', 'LATEST: "bookworm"')
    rows = changes(review_pair({WF: wf}, {WF: head}))
    assert [(r[1], r[2]) for r in rows] == [("image (Set build arguments)", "script (computes inputs)")]
    assert 'if [[ "bullseye" != "${{ matrix.version }}" ]]; then' in (rows[0][3] or "")
    assert 'if [[ "bookworm" != "${{ matrix.version }}" ]]; then' in (rows[0][4] or "")


def test_an_unmodelled_action_input_change_and_a_dropped_matrix_value_are_rows():
    wf = """
    on: release
    jobs:
      debian:
        runs-on: ubuntu-latest
        strategy:
          matrix:
            arch: ${{ fromJson(needs.init.outputs.arches) }}
            version: ["bullseye", "bookworm"]
        steps:
          - uses: home-assistant/builder@2025.03.0
            with:
              args: --target /data/debian --base ${{ matrix.version }} --cosign
    """
    head = wf.replace('version: ["bullseye", "bookworm"]', 'version: ["bookworm"]')
    rows = changes(review_pair({WF: wf}, {WF: head}))
    assert [(r[2], r[3] is not None, r[4]) for r in rows] == [("build", True, None)]
    assert "version=bullseye" in rows[0][1]
    signed = wf.replace(" --cosign", "")
    rows = changes(review_pair({WF: wf}, {WF: signed}))
    assert {(r[2], r[3], r[4]) for r in rows} == {
        ("input", "args: --target /data/debian --base bullseye --cosign",
         "args: --target /data/debian --base bullseye"),
        ("input", "args: --target /data/debian --base bookworm --cosign",
         "args: --target /data/debian --base bookworm")}


def test_metadata_bake_file_listed_after_the_repository_file_overrides_its_placeholder_tags():
    hcl = 'target "docker-metadata-action" {\n  tags = ["acme/app:local"]\n}\n' \
          'target "image" {\n  inherits = ["docker-metadata-action"]\n}\n'
    wf = """
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - id: meta
            uses: docker/metadata-action@v5
            with:
              images: ghcr.io/acme/app
              tags: type=semver,pattern={{version}}
          - uses: docker/bake-action@v5
            with:
              files: |
                ./docker-bake.hcl
                ${{ steps.meta.outputs.bake-file }}
              targets: image
              push: true
    """
    found = builds({WF: wf, "docker-bake.hcl": hcl})
    assert [b.tag_texts for b in found] == [("ghcr.io/acme/app:{{version}}", "ghcr.io/acme/app:latest")]
    first = wf.replace("                ./docker-bake.hcl\n                ${{ steps.meta.outputs.bake-file }}\n",
                       "                ${{ steps.meta.outputs.bake-file }}\n                ./docker-bake.hcl\n")
    assert [b.tag_texts for b in builds({WF: first, "docker-bake.hcl": hcl})] == [("acme/app:local",)]


COMPOSE = """
services:
  app:
    image: ghcr.io/acme/app:1.0
    volumes:
      - media:/srv/media:z
      - type: bind
        source: ./conf
        target: /etc/app
        bind:
          selinux: Z
    labels:
      traefik.http.routers.app.rule: Host(`app.example.com`)
      traefik.http.middlewares.auth.basicauth.users: "admin:$$apr1$$abc"
volumes:
  media:
"""


def test_mount_options_and_labels_are_compared_and_credential_labels_never_shown():
    # A credential label's value is masked, so (like env values) its change is not a row.
    head = COMPOSE.replace("media:/srv/media:z", "media:/srv/media").replace("selinux: Z", "selinux: z").replace(
        "Host(`app.example.com`)", "Host(`app.example.com`) || Host(`www.example.com`)").replace(
        "admin:$$apr1$$abc", "admin:$$apr1$$xyz")
    rows = changes(review_pair({"compose.yaml": COMPOSE}, {"compose.yaml": head}))
    assert sorted(rows) == sorted([
        ("compose.yaml", "app", "volumes", "conf:/etc/app:Z", "conf:/etc/app:z"),
        ("compose.yaml", "app", "volumes", "media:/srv/media:z", "media:/srv/media"),
        ("compose.yaml", "app", "labels", "traefik.http.routers.app.rule=Host(`app.example.com`)",
         "traefik.http.routers.app.rule=Host(`app.example.com`) || Host(`www.example.com`)"),
    ])
    assert "apr1" not in repr(rows)


def test_an_include_entry_on_an_axis_from_an_expression_adds_no_combination():
    from dockreview.rules.model.builds.matrix import expand

    matrix = {"arch": "${{ fromJson(needs.init.outputs.arches) }}", "version": ["3.21", "3.22"],
              "include": [{"os": "ubuntu-24.04"}, {"arch": "aarch64", "os": "ubuntu-24.04-arm"}]}
    assert expand(matrix) == [
        {"arch": "${{ matrix.arch }}", "version": "3.21", "os": "ubuntu-24.04"},
        {"arch": "${{ matrix.arch }}", "version": "3.22", "os": "ubuntu-24.04"},
    ]


CALLER = """
on: release
jobs:
  init:
    runs-on: ubuntu-latest
    outputs:
      alpine_latest: ${{ steps.set-latest.outputs.alpine_latest }}
    steps:
      - id: set-latest
        run: echo "alpine_latest=3.22" >> $GITHUB_ENV
  build_alpine:
    needs: init
    strategy:
      matrix:
        version: ["3.21", "3.22"]
    uses: ./.github/workflows/reusable-builder.yml
    with:
      version: ${{ matrix.version }}
      tag_latest: ${{ needs.init.outputs.alpine_latest }}
"""
CALLEE = """
on:
  workflow_call:
    inputs:
      version: {type: string}
      tag_latest: {type: string}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: home-assistant/builder@2025.03.0
        with:
          args: --base ${{ inputs.version }}
"""
CALLEE_PATH = ".github/workflows/reusable-builder.yml"


def test_a_job_output_read_by_a_reusable_build_call_makes_its_step_a_computing_step():
    fixed = CALLER.replace(">> $GITHUB_ENV", ">> $GITHUB_OUTPUT")
    rows = changes(review_pair({WF: CALLER, CALLEE_PATH: CALLEE}, {WF: fixed, CALLEE_PATH: CALLEE}))
    assert rows == [(WF, "init (set-latest)", "script (computes tags)", 'echo "alpine_latest=3.22" >> $GITHUB_ENV',
                     'echo "alpine_latest=3.22" >> $GITHUB_OUTPUT')]


def test_a_reusable_build_call_is_a_build_per_matrix_value_with_its_inputs():
    calls = [b for b in builds({WF: CALLER, CALLEE_PATH: CALLEE}) if b.via == "reusable workflow"]
    assert [(b.job, b.matrix, b.inputs["version"].value) for b in calls] == [
        ("build_alpine", (("version", "3.21"),), "3.21"), ("build_alpine", (("version", "3.22"),), "3.22")]
    dropped = CALLER.replace('version: ["3.21", "3.22"]', 'version: ["3.22"]')
    rows = changes(review_pair({WF: CALLER, CALLEE_PATH: CALLEE}, {WF: dropped, CALLEE_PATH: CALLEE}))
    assert rows == [(WF, "build_alpine [version=3.21]", "build",
                     "calls .github/workflows/reusable-builder.yml (which builds images)", None)]

