from textwrap import dedent

from dockreview.rules import Snapshot
from dockreview.rules.docker.contexts import build_contexts, dockerignore_for


def snapshot(files: dict[str, str]) -> Snapshot:
    return Snapshot.from_mapping({p: dedent(t).lstrip("\n") for p, t in files.items()})


def test_default_context_is_the_dockerfile_directory() -> None:
    s = snapshot({"api/Dockerfile": "FROM alpine:3.20\n"})
    [context] = build_contexts(s, "api/Dockerfile")
    assert (context.directory, context.origin, context.source_path) == ("api", "default", None)
    assert "the Dockerfile's directory" in context.describe()
    assert build_contexts(s, "Dockerfile")[0].directory == "."


def test_compose_string_and_mapping_forms() -> None:
    s = snapshot({
        "deploy/compose.yaml": """
            services:
              web:
                build: ../web
              api:
                build:
                  context: ..
                  dockerfile: api/Dockerfile.prod
                  target: runtime
            """,
        "web/Dockerfile": "FROM node:22\n",
        "api/Dockerfile.prod": "FROM python:3.12\n",
    })
    [web] = build_contexts(s, "web/Dockerfile")
    assert (web.directory, web.origin, web.source_path, web.source_line, web.name) == (
        "web", "compose", "deploy/compose.yaml", 3, "web"
    )
    assert web.describe() == "`web` (compose service `web`, deploy/compose.yaml:3)"
    [api] = build_contexts(s, "api/Dockerfile.prod")
    assert (api.directory, api.target, api.source_line) == (".", "runtime", 5)


def test_workflow_build_push_action_and_docker_build() -> None:
    s = snapshot({
        "services/app/Dockerfile": "FROM alpine:3.20\n",
        ".github/workflows/release.yml": """
            on: push
            jobs:
              image:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - name: Build
                    uses: docker/build-push-action@v6
                    with:
                      context: services/app
                  - name: Root build
                    uses: docker/build-push-action@v6
                    with:
                      file: ./services/app/Dockerfile
                  - name: Script
                    working-directory: services
                    run: |
                      echo building
                      docker buildx build -f app/Dockerfile --target prod -t x:1 .
                  - name: Dynamic
                    uses: docker/build-push-action@v6
                    with:
                      context: ${{ matrix.dir }}
            """,
    })
    contexts = build_contexts(s, "services/app/Dockerfile")
    summary = [(c.directory, c.origin, c.name, c.source_line, c.target) for c in contexts]
    assert summary == [
        ("services/app", "workflow", "Build", 10, None),
        (".", "workflow", "Root build", 14, None),
        ("services", "workflow", "Script", 19, "prod"),
    ]


def test_dockerfile_specific_ignore_file_comes_first() -> None:
    s = snapshot({
        "docker/app.Dockerfile": "FROM alpine:3.20\n",
        "docker/app.Dockerfile.dockerignore": "*\n",
        ".dockerignore": ".git\n",
        "other/Dockerfile": "FROM alpine:3.20\n",
    })
    assert dockerignore_for(s, "docker/app.Dockerfile", ".") == "docker/app.Dockerfile.dockerignore"
    assert dockerignore_for(s, "other/Dockerfile", ".") == ".dockerignore"
    assert dockerignore_for(s, "other/Dockerfile", "other") is None


def test_broken_compose_and_workflow_files_are_skipped() -> None:
    s = snapshot({
        "compose.yaml": "services: [\n",
        ".github/workflows/ci.yml": "jobs: {build: {steps: [{uses: docker/build-push-action@v6, with: 3}]}}\n",
        "Dockerfile": "FROM alpine:3.20\n",
    })
    contexts = build_contexts(s, "Dockerfile")
    assert [(c.directory, c.origin) for c in contexts] == [(".", "workflow")]
