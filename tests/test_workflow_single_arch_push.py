from tests.helpers import findings, lines

RULE = "DR304"
PATH = ".github/workflows/release.yml"


def test_push_without_platforms_warns_on_the_push_line() -> None:
    files = {
        PATH: """
            on:
              release:
                types: [published]
            jobs:
              release:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: ghcr.io/acme/api:${{ github.ref_name }}
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == (PATH, 10, 11)
    assert str(finding.severity) == "warning"
    assert "`ghcr.io/acme/api`" in finding.message and "linux/amd64 only" in finding.message
    assert "no matching manifest for linux/arm64/v8" in finding.message


def test_arm_runner_builds_arm_only() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              release:
                runs-on: ubuntu-24.04-arm
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: ${{ github.ref == 'refs/heads/main' }}
                      tags: acme/api:${{ github.sha }}
            """
    }
    [finding] = findings(files, rule=RULE)
    assert "linux/arm64 only" in finding.message and "linux/amd64" in finding.message.split(":")[-1]


def test_explicit_platforms_no_push_digests_and_arch_matrices_do_not_fire() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              deliberate:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: linux/amd64
                      push: true
                      tags: acme/api:1.0
              test-only:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: false
                      load: true
                      tags: acme/api:test
              by-digest:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      outputs: type=image,name=acme/api,push-by-digest=true,name-canonical=true,push=true
              per-arch:
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    arch: [amd64, arm64]
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: acme/api:${{ matrix.arch }}
              runner-matrix:
                runs-on: ${{ matrix.os }}
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: acme/api:1.0
            """
    }
    assert lines(files, RULE) == []


def test_run_step_buildx_push_without_platform_warns_on_the_push_flag() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              release:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      docker buildx build --push -t ghcr.io/acme/cli:${{ github.sha }} .
                  - run: docker buildx build --push --platform linux/amd64 -t ghcr.io/acme/tool:1 tool
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == (PATH, 7, 31)
    assert "`ghcr.io/acme/cli`" in finding.message
