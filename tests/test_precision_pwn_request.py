"""workflow-pwn-request: only what a pull request can start."""

from tests.helpers import lines

DEPLOY = """
    name: Deploy
    on:
      workflow_run:
        workflows: [Build]
        types: [completed]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{ github.event.workflow_run.head_sha }}
          - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .
    """


def test_workflow_run_after_a_workflow_no_pull_request_starts() -> None:
    files = {
        ".github/workflows/deploy.yml": DEPLOY,
        ".github/workflows/build.yml": """
            name: Build
            on:
              workflow_call:
              push:
                branches: [main]
            jobs:
              test:
                runs-on: ubuntu-latest
                steps:
                  - run: make test
            """,
    }
    assert lines(files, "DR308") == []


def test_workflow_run_after_a_pull_request_workflow_is_reported() -> None:
    files = {
        ".github/workflows/deploy.yml": DEPLOY,
        ".github/workflows/build.yml": """
            name: Build
            on: [pull_request, push]
            jobs:
              test:
                runs-on: ubuntu-latest
                steps:
                  - run: make test
            """,
    }
    assert lines(files, "DR308") == [(".github/workflows/deploy.yml", 12)]


def test_jobs_guarded_by_a_push_event_are_not_pull_request_code() -> None:
    files = {
        ".github/workflows/ci.yml": """
            on:
              push:
                branches: [main]
              pull_request_target:
            jobs:
              publish:
                if: github.event_name == 'push'
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      ref: ${{ github.event.pull_request.head.sha || github.sha }}
                  - run: docker build -t acme/app .
              after-push:
                runs-on: ubuntu-latest
                if: ${{ github.event.workflow_run.event == 'push' || github.event_name == 'pull_request_target' }}
                steps:
                  - uses: actions/checkout@v4
                    with:
                      ref: ${{ github.event.pull_request.head.sha }}
                  - run: docker build -t acme/app .
            """
    }
    assert lines(files, "DR308") == [(".github/workflows/ci.yml", 20)]
