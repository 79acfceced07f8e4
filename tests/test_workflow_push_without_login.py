from tests.helpers import findings, lines

RULE = "DR302"
PATH = ".github/workflows/release.yml"


def test_build_push_action_without_login_fires_on_the_push_line() -> None:
    files = {
        PATH: """
            on:
              push:
                tags: ["v*"]
            jobs:
              login:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/login-action@v3
                    with:
                      registry: ghcr.io
                      username: ${{ github.actor }}
                      password: ${{ secrets.GITHUB_TOKEN }}
              release:
                runs-on: ubuntu-latest
                needs: login
                steps:
                  - uses: actions/checkout@v4
                  - uses: docker/build-push-action@v6
                    with:
                      push: ${{ github.event_name != 'pull_request' }}
                      tags: ghcr.io/acme/api:${{ github.ref_name }}
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == (PATH, 20, 11)
    assert "job `release`" in finding.message and "`ghcr.io`" in finding.message
    assert "denied: requested access to the resource is denied" in finding.message
    assert str(finding.severity) == "error"


def test_run_step_pushes() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      docker build -t acme/api:1.0 .
                      docker push acme/api:1.0
              b:
                runs-on: ubuntu-latest
                steps:
                  - run: docker buildx build --push -t acme/web:1.0 .
              c:
                runs-on: [self-hosted, linux]
                steps:
                  - run: docker compose -f deploy.yml push
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(8, 18), (12, 34), (16, 43)]
    assert [str(f.severity) for f in found] == ["error", "error", "warning"]
    assert "`docker push`" in found[0].message and "Docker Hub" in found[0].message
    assert "self-hosted" in found[2].message


def test_logins_before_the_push_and_local_registries_do_not_fire() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              action:
                runs-on: ubuntu-latest
                steps:
                  - uses: aws-actions/amazon-ecr-login@v2
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: 123.dkr.ecr.eu-west-1.amazonaws.com/api:${{ github.sha }}
              shell:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      echo "$TOKEN" | docker login ghcr.io -u bot --password-stdin
                      docker push ghcr.io/acme/api:1.0
              gcloud:
                runs-on: ubuntu-latest
                steps:
                  - run: gcloud auth configure-docker europe-docker.pkg.dev
                  - run: docker push europe-docker.pkg.dev/acme/api:1.0
              script:
                runs-on: ubuntu-latest
                steps:
                  - run: make registry-login
                  - run: docker push acme/api:1.0
              local:
                runs-on: ubuntu-latest
                services:
                  registry:
                    image: registry:2
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: localhost:5000/api:test
                  - run: docker push registry:5000/api:test
              no-push:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: false
                      tags: acme/api:test
                  - run: ssh deploy@host 'docker push acme/api:1.0'
            """
    }
    assert lines(files, RULE) == []


def test_login_after_the_push_does_not_count() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - run: docker push acme/api:1.0
                  - uses: docker/login-action@v3
                    with:
                      password: ${{ secrets.DOCKERHUB_TOKEN }}
            """
    }
    assert lines(files, RULE) == [(PATH, 6)]


def test_bake_action_push_without_login_fires() -> None:
    files = {
        "docker-bake.hcl": 'target "default" {\n  tags = ["ghcr.io/acme/app:1.0"]\n}\n',
        PATH: """
            on: push
            jobs:
              bake:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/bake-action@v6
                    with:
                      push: true
            """,
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line) == (PATH, 8)
    assert "`docker/bake-action`" in finding.message and "`ghcr.io`" in finding.message
