from tests.helpers import findings, lines

RULE = "DR303"
PATH = ".github/workflows/release.yml"
DOCKERFILE = "FROM node:22-alpine\nRUN npm ci\n"


def test_foreign_platform_without_qemu_fires_on_the_platforms_line() -> None:
    files = {
        "Dockerfile": DOCKERFILE,
        PATH: """
            on: push
            jobs:
              release:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: linux/amd64,linux/arm64
                      push: true
                      tags: acme/api:1.0
            """,
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == (PATH, 9, 22)
    assert "`linux/arm64`" in finding.message and "exec format error" in finding.message
    assert "buildx" not in finding.message.split(":")[-1]


def test_missing_buildx_and_qemu_and_run_step_builds() -> None:
    files = {
        "Dockerfile": DOCKERFILE,
        PATH: """
            on: push
            jobs:
              both-missing:
                runs-on: ubuntu-22.04
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: |
                        linux/amd64
                        linux/arm64
              only-buildx-missing:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-qemu-action@v3
                  - run: docker buildx build --platform linux/amd64,linux/arm64 -t acme/api:1.0 .
              arm-runner:
                runs-on: ubuntu-24.04-arm
                steps:
                  - uses: docker/setup-buildx-action@v3
                  - run: docker buildx build --platform=linux/amd64 -t acme/api:1.0 .
            """,
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(8, 22), (15, 34), (20, 34)]
    assert "Multi-platform build is not supported" not in found[0].message
    assert "docker/setup-buildx-action" in found[0].message
    assert "Multi-platform build is not supported for the docker driver" in found[1].message
    assert "`linux/amd64`" in found[2].message and "arm64 runner" in found[2].message


def test_set_up_builders_native_runners_and_cross_compiling_dockerfiles_do_not_fire() -> None:
    files = {
        "Dockerfile": DOCKERFILE,
        "cross/Dockerfile": (
            "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nRUN go build -o /app .\n"
            "FROM gcr.io/distroless/static\nCOPY --from=build /app /app\n"
        ),
        PATH: """
            on: push
            jobs:
              emulated:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-qemu-action@v3
                  - uses: docker/setup-buildx-action@v3
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: linux/amd64,linux/arm64
              cross:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                  - uses: docker/build-push-action@v6
                    with:
                      context: cross
                      platforms: linux/amd64,linux/arm64
              native:
                strategy:
                  matrix:
                    include:
                      - {runner: ubuntu-latest, platform: linux/amd64}
                      - {runner: ubuntu-24.04-arm, platform: linux/arm64}
                runs-on: ${{ matrix.runner }}
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: ${{ matrix.platform }}
              cloud:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      driver: cloud
                      endpoint: acme/builder
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: linux/amd64,linux/arm64
              i386:
                runs-on: ubuntu-latest
                steps:
                  - run: docker build --platform linux/386 -t acme/api:1.0-i386 .
              self-hosted:
                runs-on: [self-hosted]
                steps:
                  - uses: docker/setup-buildx-action@v3
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: linux/amd64,linux/arm64
            """,
    }
    assert lines(files, RULE) == []
