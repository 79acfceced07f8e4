from tests.helpers import findings, lines

RULE = "DR305"
PATH = ".github/workflows/release.yml"


def test_only_latest_fires_on_the_tag_line() -> None:
    files = {
        PATH: """
            on:
              push:
                branches: [main]
            env:
              IMAGE: ghcr.io/acme/api
            jobs:
              release:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/login-action@v3
                    with:
                      password: ${{ secrets.GITHUB_TOKEN }}
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: |
                        ${{ env.IMAGE }}:latest
                        ${{ env.IMAGE }}:main
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == (PATH, 17, 13)
    assert "`ghcr.io/acme/api` is pushed only as `latest`, `main`" in finding.message
    assert "roll back" in finding.message
    assert [r.line for r in finding.related] == [18]


def test_run_step_pushes_of_untagged_and_latest_images() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      docker login -u bot --password-stdin <<< "$TOKEN"
                      docker build -t acme/web .
                      docker push acme/web
                      docker push acme/web:latest
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.line, finding.column) == (9, 18)
    assert "`acme/web` is pushed only as `latest`" in finding.message


def test_versioned_tags_anywhere_in_the_workflow_do_not_fire() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              latest:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: acme/api:latest
              versioned:
                runs-on: ubuntu-latest
                steps:
                  - run: docker push acme/api:${{ github.sha }}
              meta:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: acme/web:latest,acme/web:1.4.2
              not-pushed:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      tags: acme/tool:latest
                  - run: docker push localhost:5000/acme/tool:latest
            """
    }
    assert lines(files, RULE) == []


def test_metadata_action_output_counts_as_versioned() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              release:
                runs-on: ubuntu-latest
                steps:
                  - id: meta
                    uses: docker/metadata-action@v5
                    with:
                      images: acme/api
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: ${{ steps.meta.outputs.tags }}
                  - run: docker push acme/api:latest
            """
    }
    assert lines(files, RULE) == []


def test_variant_only_tags_are_moving_too() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      docker login -u bot --password-stdin <<< "$TOKEN"
                      docker push acme/web:alpine
                      docker push acme/web:latest-alpine
                      docker push acme/worker:alpine
                      docker push acme/worker:2.4-alpine
            """
    }
    [finding] = findings(files, rule=RULE)
    assert "`acme/web` is pushed only as `alpine`, `latest-alpine`" in finding.message
