from tests.helpers import findings, lines

RULE = "DR308"
PATH = ".github/workflows/preview.yml"


def test_pull_request_target_building_the_head_fires_on_the_ref_line() -> None:
    files = {
        PATH: """
            name: preview
            on:
              pull_request_target:
                types: [opened, synchronize]
            jobs:
              preview:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      ref: ${{ github.event.pull_request.head.sha }}
                  - run: |
                      echo building
                      docker build -t preview .
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == (PATH, 11, 11)
    assert "`pull_request_target`" in finding.message and "`docker build`" in finding.message
    assert [(r.path, r.line) for r in finding.related] == [(PATH, 3), (PATH, 14)]
    assert str(finding.severity) == "error"


def test_workflow_run_head_checkout_with_make_and_local_actions() -> None:
    files = {
        PATH: """
            on:
              workflow_run:
                workflows: [CI]
                types: [completed]
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      ref: ${{ github.event.workflow_run.head_sha }}
                  - run: make image
              b:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      repository: ${{ github.event.workflow_run.head_repository.full_name }}
                      ref: ${{ github.event.workflow_run.head_branch }}
                  - uses: ./.github/actions/build
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, str(f.severity)) for f in found] == [(11, "error"), (19, "error")]
    assert "(`make image`)" in found[0].message and "local action" in found[1].message


def test_head_checkout_with_nothing_running_it_is_a_warning() -> None:
    files = {
        PATH: """
            on: pull_request_target
            jobs:
              label:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      ref: refs/pull/${{ github.event.number }}/merge
                  - uses: actions/labeler@v5
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.line, str(finding.severity)) == (8, "warning")
    assert "nothing runs it yet" in finding.message


def test_base_checkouts_guards_and_plain_pull_request_do_not_fire() -> None:
    files = {
        PATH: """
            on: pull_request_target
            jobs:
              base:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - run: docker build -t x .
              same-repo:
                if: github.event.pull_request.head.repo.full_name == github.repository
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      ref: ${{ github.event.pull_request.head.sha }}
                  - run: docker build -t x .
            """,
        ".github/workflows/ci.yml": """
            on: pull_request
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      ref: ${{ github.event.pull_request.head.sha }}
                  - run: docker build -t x .
            """,
    }
    assert lines(files, RULE) == []
