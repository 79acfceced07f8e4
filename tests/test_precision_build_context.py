"""`COPY . .` and `.dockerignore`: the context comes from the builds model, whatever builds the image."""

import pytest

from tests.helpers import lines

DOCKERFILE = """
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    CMD ["python", "-m", "app"]
    """
IGNORE = ".git\n**/.env*\n"

BUILDERS = {
    "bake": {
        "docker-bake.hcl": """
            target "app" {
              context = "."
              dockerfile = "docker/Dockerfile"
              tags = ["ghcr.io/acme/app:1.0.0"]
            }
            """,
        "Makefile": "image:\n\tdocker buildx bake app\n",
    },
    "makefile": {"Makefile": "image:\n\tdocker build -t acme/app:1.0.0 -f docker/Dockerfile .\n"},
    "script": {"scripts/build.sh": "#!/bin/sh\nset -e\ndocker buildx build -f docker/Dockerfile -t acme/app:1.0.0 .\n"},
    "workflow": {
        ".github/workflows/release.yml": """
            on: {push: {tags: ["v*"]}}
            jobs:
              image:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - uses: docker/build-push-action@v6
                    with:
                      context: .
                      file: docker/Dockerfile
                      tags: ghcr.io/acme/app:${{ github.ref_name }}
            """
    },
    "compose": {
        "docker/compose.yaml": """
            services:
              app:
                build:
                  context: ..
                  dockerfile: docker/Dockerfile
                image: ghcr.io/acme/app:1.0.0
            """
    },
}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_root_dockerignore_applies_to_a_dockerfile_in_a_subdirectory(builder: str) -> None:
    files = {"docker/Dockerfile": DOCKERFILE, ".dockerignore": IGNORE, **BUILDERS[builder]}
    assert lines(files, "DR203") == []


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_without_the_root_dockerignore_it_is_reported(builder: str) -> None:
    files = {"docker/Dockerfile": DOCKERFILE, "docker/.dockerignore": IGNORE, **BUILDERS[builder]}
    assert lines(files, "DR203") == [("docker/Dockerfile", 3)]
