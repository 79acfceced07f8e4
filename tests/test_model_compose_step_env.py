"""A workflow step runs compose with its `env:` as the OS environment (it wins over `.env`).

Modelled on a real repository's CI: a bake step builds `samba:test`, then `docker compose up` runs the
test stack in `test/` with `SAMBA_IMAGE: ${{ env.BUILD_TAG }}`. That run is the stack's one known
configuration: the image is the build under test, not `latest` from Docker Hub.
"""

from __future__ import annotations

from compose_model_support import projects, snapshot, where
from dockreview.rules import review
from dockreview.rules.classify import FileType
from dockreview.rules.model.source import VarSource

STACK = """
name: samba
services:
  samba:
    image: ${SAMBA_IMAGE:-crazymax/samba}
    container_name: ${SAMBA_CONTAINER:-samba}
    network_mode: host
    volumes:
      - "./data:/data"
    restart: always
"""


def workflow(runs_on: str = "ubuntu-latest", step_env: str = "SAMBA_IMAGE: ${{ env.BUILD_TAG }}") -> str:
    return f"""
name: test
on:
  pull_request:
env:
  BUILD_TAG: samba:test
  CONTAINER_NAME: samba
jobs:
  test:
    runs-on: {runs_on}
    steps:
      - uses: actions/checkout@v4
      - name: Build
        uses: docker/bake-action@v6
        with:
          targets: image-local
        env:
          DEFAULT_TAG: ${{{{ env.BUILD_TAG }}}}
      - name: Start
        run: docker compose up -d
        working-directory: test
        env:
          {step_env}
          SAMBA_CONTAINER: ${{{{ env.CONTAINER_NAME }}}}
      - name: Logs
        if: always()
        run: docker compose logs
        working-directory: test
        env:
          {step_env}
          SAMBA_CONTAINER: ${{{{ env.CONTAINER_NAME }}}}
"""


def files(**overrides: str) -> dict[str, str]:
    return {"test/compose.yml": STACK, ".github/workflows/test.yml": workflow(), **overrides}


def test_the_step_env_resolves_the_stack_and_stands_for_the_directory_project() -> None:
    found = [p for p in projects(files()) if p.key == "test/compose.yml"]
    assert len(found) == 1, [(p.id, p.found_by) for p in found]  # not also a project with SAMBA_IMAGE unset
    stack = found[0]
    assert stack.found_by.kind == "invocation"
    image = stack.services["samba"].image
    assert image is not None and image.text == "samba:test"
    use = next(u for u in image.variables if u.name == "SAMBA_IMAGE")
    step_line = workflow().lstrip("\n").split("\n").index("          SAMBA_IMAGE: ${{ env.BUILD_TAG }}") + 1
    assert use.source is VarSource.WORKFLOW_ENV and where(use.origin) == (".github/workflows/test.yml", step_line)
    assert len(stack.used_by) == 2  # both steps run the same configuration


def test_a_runtime_expression_is_decided_when_the_workflow_runs() -> None:
    found = [p for p in projects(files(**{".github/workflows/test.yml": workflow(
        step_env="SAMBA_IMAGE: ghcr.io/o/samba:${{ github.sha }}")})) if p.key == "test/compose.yml"]
    image = found[0].services["samba"].image
    assert image is not None and image.text == "ghcr.io/o/samba:${{ github.sha }}"
    assert {u.source for u in image.variables if u.name == "SAMBA_IMAGE"} == {VarSource.RUNTIME}


def test_env_the_stack_does_not_read_leaves_the_directory_project_as_it_was() -> None:
    plain = projects({"test/compose.yml": STACK})
    with_ci = projects(files(**{".github/workflows/test.yml": workflow(step_env="UNRELATED: 1").replace(
        "SAMBA_CONTAINER: ${{ env.CONTAINER_NAME }}", "OTHER: 2")}))
    assert [p.id for p in plain] == [p.id for p in with_ci if p.key == "test/compose.yml"]
    stack = next(p for p in with_ci if p.key == "test/compose.yml")
    assert stack.services["samba"].image is not None and stack.services["samba"].image.text == "crazymax/samba"


def test_compose_file_in_the_step_env_chooses_the_files() -> None:
    found = projects({
        "deploy/compose.yaml": "services:\n  web:\n    image: ghcr.io/o/web:1\n",
        "deploy/compose.ci.yaml": "services:\n  web:\n    image: ghcr.io/o/web:${TAG:?}\n",
        ".github/workflows/e2e.yml": """
            on: push
            jobs:
              e2e:
                runs-on: ubuntu-24.04
                steps:
                  - run: docker compose up -d
                    working-directory: deploy
                    env:
                      COMPOSE_FILE: compose.yaml:compose.ci.yaml
                      TAG: ${{ github.sha }}
        """,
    })
    ci = next(p for p in found if p.found_by.kind == "invocation")
    assert ci.files == ("deploy/compose.yaml", "deploy/compose.ci.yaml")
    assert ci.services["web"].image is not None and ci.services["web"].image.text == "ghcr.io/o/web:${{ github.sha }}"


def compose_rules(repo: dict[str, str]) -> list[tuple[str, str, int]]:
    snap = snapshot(repo)
    report = review(snap, paths=snap.files_of(FileType.COMPOSE))
    return sorted((f.rule, f.path, f.line) for f in report.findings if f.rule in {"DR103", "DR105"})


def test_a_ci_only_test_stack_is_not_a_mutable_image_nor_a_host_network_on_a_server() -> None:
    assert compose_rules(files()) == []


def test_the_same_stack_without_the_ci_run_is_reported_one_tier_lower() -> None:
    assert compose_rules({"test/compose.yml": STACK}) == [("DR103", "test/compose.yml", 4),
                                                          ("DR105", "test/compose.yml", 6)]


def test_on_a_self_hosted_runner_host_networking_is_still_reported() -> None:
    repo = files(**{".github/workflows/test.yml": workflow(runs_on="[self-hosted, linux]")})
    assert compose_rules(repo) == [("DR105", "test/compose.yml", 6)]


def test_a_production_file_keeps_its_default_whatever_ci_sets() -> None:
    """A deploy by hand of the root stack gets the default: a CI step's env does not hide it."""
    repo = {"compose.yml": STACK, ".github/workflows/test.yml": workflow().replace("working-directory: test\n", "")}
    assert compose_rules(repo) == [("DR103", "compose.yml", 4), ("DR105", "compose.yml", 6)]
