"""The workflow model: triggers, jobs, steps, expressions kept, and shell sources with exact file lines."""

from textwrap import dedent

import pytest
from dockreview.rules.parse.errors import ParseError
from dockreview.rules.parse.workflow import parse, parse_uses
from hypothesis import given
from hypothesis import strategies as st

PATH = ".github/workflows/ci.yml"


def load(text: str):
    return parse(dedent(text).lstrip("\n"), PATH)


def test_triggers_as_string_list_mapping_and_yaml_1_1_true() -> None:
    assert load("on: push\njobs: {}\n").triggers == {"push": 1}
    assert load("on: [push, pull_request]\njobs: {}\n").triggers == {"push": 1, "pull_request": 1}
    mapping = load(
        """
        name: x
        on:
          push:
            branches: [main]
          pull_request_target:
        jobs: {}
        """
    )
    assert mapping.triggers == {"push": 3, "pull_request_target": 5}
    assert mapping.on_line == 2
    # A YAML 1.1 document: `on` loads as the boolean True.
    assert load("%YAML 1.1\n---\non:\n  release:\njobs: {}\n").triggers == {"release": 4}


def test_jobs_steps_uses_and_inputs_with_positions() -> None:
    workflow = load(
        """
        on: push
        permissions:
          contents: read
        jobs:
          build:
            name: Build
            runs-on: [self-hosted, linux]
            needs: test
            if: github.ref == 'refs/heads/main'
            environment: production
            container:
              image: node:22
              credentials:
                username: bot
                password: ${{ secrets.REGISTRY_PASSWORD }}
            services:
              db: postgres:16
            steps:
              - name: Log in
                id: login
                uses: docker/login-action@v3
                with:
                  Password: ${{ secrets.X }}
                  registry: ghcr.io
              - run: echo hi
                shell: bash
        """
    )
    assert workflow.permissions_line == 2
    job = workflow.jobs["build"]
    assert (job.line, job.name, job.needs, job.if_, job.environment) == (
        5, "Build", ["test"], "github.ref == 'refs/heads/main'", "production")
    assert job.runner_labels == ["self-hosted", "linux"] and job.self_hosted
    assert job.container is not None and job.container.image == "node:22" and job.container.image_line == 12
    assert job.container.credentials and job.container.credentials.password
    assert job.container.credentials.password.value == "${{ secrets.REGISTRY_PASSWORD }}"
    assert job.services["db"].image == "postgres:16" and job.services["db"].image_line == 17
    login, echo = job.steps
    assert (login.index, login.line, login.name, login.id) == (0, 19, "Log in", "login")
    assert login.uses is not None and (login.uses.action, login.uses.ref, login.uses.line) == (
        "docker/login-action", "v3", 21)
    assert login.uses_action("Docker/Login-Action")
    # Inputs are case-insensitive, and expressions are kept exactly as written.
    assert login.input_value("password") == "${{ secrets.X }}"
    assert login.input_line("registry") == 24
    assert (echo.run, echo.shell, echo.label) == ("echo hi", "bash", "step 2")


def test_uses_forms() -> None:
    assert parse_uses("actions/checkout@v4", 1, 1).ref == "v4"
    nested = parse_uses("github/codeql-action/upload-sarif@v3", 1, 1)
    assert (nested.repository, nested.is_remote) == ("github/codeql-action", True)
    assert parse_uses("./.github/actions/x", 1, 1).is_local
    docker = parse_uses("docker://alpine:3.20", 1, 1)
    assert docker.is_docker and docker.ref is None
    assert parse_uses("actions/checkout", 1, 1).ref is None


def test_expressions_survive_merge_keys_and_quotes() -> None:
    workflow = load(
        """
        on: push
        x-common: &common
          registry: ${{ vars.REGISTRY }}
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/login-action@v3
                with:
                  <<: *common
                  username: '${{ github.actor }}'
                  password: "${{ secrets.TOKEN }}"
        """
    )
    step = workflow.jobs["a"].steps[0]
    assert step.input_value("registry") == "${{ vars.REGISTRY }}"
    assert step.input_value("username") == "${{ github.actor }}"
    assert step.input_value("password") == "${{ secrets.TOKEN }}"


def _file_lines(workflow, source) -> list[tuple[str, str]]:
    """(text line, the file line it maps to), non-blank text lines only."""
    out = []
    for number, text in enumerate(source.text.split("\n"), start=1):
        if text.strip():
            out.append((text.strip(), workflow.line_text(source.file_line(number)).strip()))
    return out


def test_shell_sources_map_every_line_to_the_file() -> None:
    workflow = load(
        """
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - name: literal
                run: |
                  echo ${{ github.sha }}
                  docker compose pull
              - name: folded
                run: >
                  docker build
                  -t app .

                  docker push app
                    --quiet
              - run: docker compose up -d
              - run: "docker ps"
              - run: docker image
                  prune -f
              - name: python
                shell: python
                run: print("docker")
        """
    )
    sources = workflow.shell_sources()
    assert [(s.origin, s.name, s.first_line) for s in sources] == [
        ("workflow run step", "literal", 8),
        ("workflow run step", "folded", 12),
        ("workflow run step", "step 3", 17),
        ("workflow run step", "step 4", 18),
        ("workflow run step", "step 5", 19),
    ]
    literal, folded, plain, quoted, multi = sources
    assert literal.text == "echo ${{ github.sha }}\ndocker compose pull\n"
    assert [c.line for c in literal.commands()] == [8, 9]
    # `>` joins lines: the text has fewer lines than the file, each mapped to where it starts.
    assert folded.text == "docker build -t app .\ndocker push app\n  --quiet\n"
    assert [folded.file_line(n) for n in (1, 2, 3)] == [12, 15, 16]
    assert _file_lines(workflow, folded)[1] == ("docker push app", "docker push app")
    assert [c.line for c in folded.commands()][:2] == [12, 15]
    assert plain.text == "docker compose up -d" and plain.commands()[0].line == 17
    assert quoted.text == "docker ps"
    assert multi.text == "docker image prune -f" and multi.commands()[0].line == 19


def test_ssh_action_scripts_are_remote_shell_sources() -> None:
    workflow = load(
        """
        on: push
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - name: Deploy
                uses: appleboy/ssh-action@v1.2.0
                with:
                  host: ${{ secrets.HOST }}
                  script: |
                    cd /srv/app
                    docker compose pull
                    docker compose up -d
              - uses: garygrossgarten/github-action-ssh@release
                with:
                  command: docker system prune -af
        """
    )
    script, command = workflow.shell_sources()
    assert (script.origin, script.name, script.first_line) == ("ssh script", "Deploy", 11)
    assert [c.line for c in script.commands()] == [11, 12, 13]
    assert (command.origin, command.text, command.first_line) == ("ssh script", "docker system prune -af", 16)


def test_every_line_of_block_scalars_in_a_long_file() -> None:
    steps = "\n".join(f"      - run: |\n          echo {i}\n          docker ps # {i}" for i in range(30))
    text = f"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{steps}\n"
    workflow = parse(text, PATH)
    for source in workflow.shell_sources():
        for original, in_file in _file_lines(workflow, source):
            assert original == in_file


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("- a\n- b\n", "a seq"),
        ("just text\n", "a str"),
        ("on: push\njobs: [a, b]\n", "`jobs:` must be a mapping"),
        ("on: push\njobs:\n  a: [\n", "invalid YAML"),
    ],
)
def test_invalid_workflows_raise_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(text, PATH)
    assert message in raised.value.message


def test_odd_but_valid_shapes_do_not_crash() -> None:
    workflow = load(
        """
        on:
        jobs:
          a: not a job
          b:
            runs-on: {group: big, labels: [linux]}
            steps: not steps
          c:
            uses: org/repo/.github/workflows/x.yml@main
          d:
            steps:
              - just a string
              - run: [not, text]
              - uses:
        """
    )
    assert workflow.triggers == {}
    assert set(workflow.jobs) == {"b", "c", "d"}
    assert workflow.jobs["b"].self_hosted and workflow.jobs["b"].steps == []
    assert workflow.jobs["c"].uses is not None and workflow.jobs["c"].uses.ref == "main"
    assert [s.run for s in workflow.jobs["d"].steps] == [None, None]
    assert workflow.shell_sources() == []


TOKENS = ["on: ", "jobs:", "\n", "  ", "    ", "- ", "run: ", "uses: ", "with:", "steps:", "|", ">", "${{ x }}",
          "docker push a", "'", '"', "#", "&a ", "*a", "<<: ", "{", "}", "[", "]", ",", ":", "é", "\t", "\ue000",
          "appleboy/ssh-action@v1", "script: ", "%YAML 1.1\n---\n"]


@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_any_text_parses_or_raises_parse_error(text: str) -> None:
    try:
        workflow = parse(text, PATH)
    except ParseError:
        return
    for source in workflow.shell_sources():
        for number in range(1, source.text.count("\n") + 2):
            assert source.file_line(number) >= 1
        source.commands()


STEP_PIECES = [
    "uses: docker/build-push-action@v6", "uses: docker/login-action@master", "uses: actions/checkout",
    "uses: docker://alpine", "uses: appleboy/ssh-action@v1", "run: docker push a:latest",
    "run: docker buildx build --platform linux/arm64,linux/amd64 --push --build-arg TOKEN=x .",
    "run: >\n          docker build\n          --build-arg A_KEY", "run: |\n          docker compose push",
]
WITH_PIECES = ["push: true", "push: ${{ x }}", "platforms: linux/arm64", "platforms: ''", "tags: a:latest",
               "tags: |\n            a\n            b:${{ github.sha }}", "build-args: TOKEN=${{ secrets.T }}",
               "password: literal-pass", "ref: ${{ github.head_ref }}", "script: docker ps", "outputs: [1]",
               "tags: [a, b]", "platforms: {a: b}"]
JOB_PIECES = ["runs-on: ubuntu-latest", "runs-on: [self-hosted]", "runs-on: ${{ matrix.os }}",
              "container: node", "services: {db: {image: postgres, credentials: {password: x}}}",
              "if: github.event.pull_request.head.repo.full_name == github.repository",
              "strategy: {matrix: {arch: [a]}}"]


@st.composite
def workflows(draw: st.DrawFn) -> str:
    trigger = draw(st.sampled_from(["push", "pull_request_target", "[workflow_run, push]", "{release: }", ""]))
    out = [f"on: {trigger}", "jobs:"]
    for job in range(draw(st.integers(0, 3))):
        out.append(f"  j{job}:")
        out += [f"    {p}" for p in draw(st.lists(st.sampled_from(JOB_PIECES), max_size=3, unique=True))]
        out.append("    steps:")
        for piece in draw(st.lists(st.sampled_from(STEP_PIECES), max_size=5)):
            out.append(f"      - {piece}")
            inputs = draw(st.lists(st.sampled_from(WITH_PIECES), max_size=4, unique_by=lambda p: p.split(":")[0]))
            if inputs:
                out.append("        with:")
                out += [f"          {p}" for p in inputs]
    return "\n".join(out) + "\n"


@given(workflows())
def test_rules_never_crash_on_workflow_shaped_input(text: str) -> None:
    from dockreview.rules import Snapshot, review

    report = review(Snapshot.from_mapping({".github/workflows/x.yml": text, "Dockerfile": "FROM a\nRUN b\n"}))
    assert [n for n in report.errors if "internal error" in n.message] == []
    assert all(f.line >= 1 and f.column >= 1 for f in report.findings)
