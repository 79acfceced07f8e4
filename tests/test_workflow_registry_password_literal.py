from tests.helpers import findings, lines

RULE = "DR301"
PATH = ".github/workflows/release.yml"


def test_login_action_literal_password_fires_with_suggestion() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              release:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/login-action@v3
                    with:
                      registry: ghcr.io
                      username: deploybot
                      password: ghp_s3cr3tT0ken0123
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == (PATH, 10, 21)
    assert "`ghcr.io`" in finding.message and "docker/login-action" in finding.message
    assert "ghp_s3cr3tT0ken0123" not in finding.message + finding.evidence
    assert finding.suggestion == "          password: ${{ secrets.REGISTRY_PASSWORD }}"


def test_container_and_service_credentials() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                container:
                  image: registry.example.com/ci/node:22
                  credentials:
                    username: ci
                    password: "hunter2-ci"
                services:
                  db:
                    image: registry.example.com/ci/postgres:16
                    credentials:
                      username: ci
                      password: ${{ secrets.CI_REGISTRY_PASSWORD }}
                  cache:
                    image: registry.example.com/ci/redis:7
                    credentials: {username: ci, password: hunter3}
                steps:
                  - run: make test
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.evidence) for f in found] == [
        (9, "test:container:credentials.password"),
        (18, "test:cache:credentials.password"),
    ]
    assert found[0].suggestion == "        password: ${{ secrets.REGISTRY_PASSWORD }}"  # the quoted literal replaced
    assert found[1].suggestion is None  # a flow mapping: no safe line rewrite
    assert all("hunter" not in f.message for f in found)


def test_expressions_and_empty_values_do_not_fire() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              release:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/login-action@v3
                    with:
                      password: ${{ secrets.DOCKERHUB_TOKEN }}
                  - uses: docker/login-action@v3
                    with:
                      registry: ${{ steps.ecr.outputs.registry }}
                      password: ${{ steps.ecr.outputs.docker_password_123 }}
                  - uses: docker/login-action@v3
                    with:
                      password: prefix-${{ env.TOKEN }}
                  - uses: docker/login-action@v3
                    with:
                      password: ""
                  - uses: some/other-action@v1
                    with:
                      password: not-a-registry
            """
    }
    assert lines(files, RULE) == []
