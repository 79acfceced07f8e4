from tests.helpers import findings, lines

RULE = "DR309"
PATH = ".github/workflows/ci.yml"


def test_container_services_and_docker_steps() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                container: node:latest
                services:
                  db:
                    image: postgres
                  cache:
                    image: redis:7.4
                steps:
                  - uses: docker://hadolint/hadolint
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.path, f.line, f.column, str(f.severity)) for f in found] == [
        (PATH, 5, 16, "warning"),
        (PATH, 8, 16, "note"),
        (PATH, 12, 15, "warning"),
    ]
    assert "`node:latest` of the job container in job `test` uses the mutable tag `latest`" in found[0].message
    assert "service `db`" in found[1].message and "has no tag" in found[1].message
    assert "step `docker://hadolint/hadolint`" in found[2].message


def test_matrix_values_are_checked_one_by_one() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    image: ["python:3.12", "python:latest"]
                container:
                  image: ${{ matrix.image }}
                steps:
                  - run: pytest
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.line, finding.column) == (7, 32)
    assert "`python:latest`" in finding.message


def test_images_the_repository_publishes_are_notes() -> None:
    files = {
        ".github/workflows/devenv.yml": """
            on: workflow_dispatch
            jobs:
              devenv:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/login-action@v3
                    with:
                      password: ${{ secrets.TOKEN }}
                  - uses: docker/build-push-action@v6
                    env:
                      IMAGE: acme/devenv
                    with:
                      push: true
                      tags: ${{ env.IMAGE }}:latest
            """,
        PATH: """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                container:
                  image: acme/devenv:latest
                steps:
                  - run: make test
            """,
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, str(finding.severity)) == (PATH, 6, "note")
    assert "this repository publishes it" in finding.message
    assert str(finding.confidence) == "low"  # its own CI image, on purpose: the summary, never inline


def test_pinned_and_computed_images_do_not_fire() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                container:
                  image: node:22.11@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                services:
                  db:
                    image: postgres:16.4
                  app:
                    image: ${{ needs.build.outputs.image }}
                steps:
                  - uses: docker://alpine:3.20
            """
    }
    assert lines(files, RULE) == []


def test_variant_and_suffixed_moving_tags() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                container: node:lts-alpine
                services:
                  db:
                    image: postgres:alpine
                  cache:
                    image: redis:7.4-alpine
            """
    }
    found = findings(files, rule=RULE)
    assert [f.line for f in found] == [5, 8]
    assert "mutable tag `lts-alpine`" in found[0].message
    assert "uses the tag `alpine`, which names a variant but no version" in found[1].message
