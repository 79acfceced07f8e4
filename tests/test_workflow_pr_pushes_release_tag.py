from dockreview.rules.docker.pr_conditions import PullRequestRun, condition_holds, input_true
from dockreview.rules.docker.publishing import release_tag
from dockreview.rules.finding import Confidence, Finding

from tests.helpers import findings

RULE = "DR310"
PATH = ".github/workflows/image.yml"
PR = PullRequestRun("pull_request")
TARGET = PullRequestRun("pull_request_target")


def _one(text: str) -> list[Finding]:
    return findings({PATH: text}, rule=RULE)


def test_build_push_action_pushing_latest_on_pull_request() -> None:
    [finding] = _one("""
        on: [push, pull_request]
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/login-action@v3
                with:
                  registry: ghcr.io
                  password: ${{ secrets.GITHUB_TOKEN }}
              - uses: docker/build-push-action@v6
                with:
                  push: true
                  tags: ghcr.io/acme/api:latest
        """)
    assert (finding.path, finding.line) == (PATH, 13)
    assert finding.confidence is Confidence.HIGH
    assert finding.severity.value == "error"
    assert "on `pull_request` runs this step pushes `ghcr.io/acme/api:latest`" in finding.message
    assert "from a branch of this repository" in finding.message
    assert "github.event_name != 'pull_request'" in (finding.fix or "")


def test_docker_push_in_a_run_step_of_a_pull_request_workflow() -> None:
    [finding] = _one("""
        on:
          pull_request:
            branches: [main]
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  docker build -t org/app:latest .
                  docker push org/app:latest
        """)
    assert finding.line == 10
    assert "`org/app:latest`" in finding.message
    assert finding.confidence is Confidence.HIGH


def test_metadata_raw_latest_without_enable_on_pull_request() -> None:
    [finding] = _one("""
        on:
          push:
            branches: [main]
          pull_request:
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - id: meta
                uses: docker/metadata-action@v5
                with:
                  images: ghcr.io/acme/api
                  tags: |
                    type=ref,event=pr
                    type=raw,value=latest
              - uses: docker/build-push-action@v6
                with:
                  push: true
                  tags: ${{ steps.meta.outputs.tags }}
        """)
    assert finding.line == 15
    assert "`ghcr.io/acme/api:latest`" in finding.message
    assert "pr-" not in finding.message.split(":", 1)[0]
    assert finding.confidence is Confidence.HIGH


def test_metadata_flavor_latest_true_with_a_pull_request_tag() -> None:
    [finding] = _one("""
        on: pull_request
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - id: meta
                uses: docker/metadata-action@v5
                with:
                  images: acme/api
                  flavor: latest=true
                  tags: type=ref,event=pr
              - uses: docker/build-push-action@v6
                with:
                  push: true
                  tags: ${{ steps.meta.outputs.tags }}
        """)
    assert finding.line == 10
    assert "`acme/api:latest`" in finding.message


def test_pull_request_target_is_true_for_a_guard_against_pull_request_only() -> None:
    [finding] = _one("""
        on: pull_request_target
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  push: ${{ github.event_name != 'pull_request' }}
                  tags: acme/api:1.2.3
        """)
    assert finding.line == 9
    assert "on `pull_request_target` runs" in finding.message
    assert "forks included" in finding.message
    assert finding.confidence is Confidence.HIGH
    assert "!startsWith(github.event_name, 'pull_request')" in (finding.fix or "")


def test_push_decided_by_an_unknown_value_is_medium() -> None:
    [finding] = _one("""
        on: pull_request
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  push: ${{ vars.PUSH_IMAGES == 'yes' }}
                  tags: acme/api:stable
        """)
    assert finding.confidence is Confidence.MEDIUM
    assert "decided at run time: `push: ${{ vars.PUSH_IMAGES == 'yes' }}`" in finding.message


def test_push_guarded_by_event_name_does_not_fire() -> None:
    text = """
        on: [push, pull_request]
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  push: ${{ github.event_name != 'pull_request' }}
                  tags: acme/api:latest
        """
    assert _one(text) == []
    assert _one(text.replace("!= 'pull_request'", "== 'push' && 'true' || 'false'")) == []
    assert len(_one(text.replace("!= 'pull_request'", "== 'pull_request'"))) == 1


def test_step_or_job_if_on_push_events_does_not_fire() -> None:
    step = """
        on: [push, pull_request]
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - if: github.event_name == 'push'
                uses: docker/build-push-action@v6
                with:
                  push: true
                  tags: acme/api:latest
        """
    job = """
        on: [push, pull_request]
        jobs:
          image:
            if: ${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}
            runs-on: ubuntu-latest
            steps:
              - run: docker push acme/api:latest
        """
    assert _one(step) == []
    assert _one(job) == []
    # the same files without the guard fire (the test can fail)
    assert len(_one(step.replace("- if: github.event_name == 'push'\n                uses", "- uses"))) == 1
    assert len(_one(job.replace("if: ${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}", ""))) == 1


def test_only_pull_request_tags_do_not_fire() -> None:
    text = """
        on: pull_request
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - id: meta
                uses: docker/metadata-action@v5
                with:
                  images: acme/api
                  tags: |
                    type=ref,event=pr
                    type=sha
              - uses: docker/build-push-action@v6
                with:
                  push: true
                  tags: |
                    ${{ steps.meta.outputs.tags }}
                    acme/api:pr-${{ github.event.number }}
        """
    assert _one(text) == []
    assert len(_one(text.replace("type=sha", "type=raw,value=stable"))) == 1


def test_workflow_without_pull_request_trigger_does_not_fire() -> None:
    text = """
        on:
          push:
            branches: [main]
          workflow_dispatch:
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  push: true
                  tags: acme/api:latest
        """
    assert _one(text) == []
    assert len(_one(text.replace("workflow_dispatch:", "pull_request:"))) == 1


def test_semver_and_branch_metadata_tags_are_not_made_on_pull_requests() -> None:
    text = """
        on:
          push:
            tags: ['v*']
            branches: [main]
          pull_request:
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - id: meta
                uses: docker/metadata-action@v5
                with:
                  images: acme/api
                  tags: |
                    type=semver,pattern={{version}}
                    type=semver,pattern={{major}}.{{minor}}
                    type=ref,event=branch
                    type=raw,value=latest,enable={{is_default_branch}}
              - uses: docker/build-push-action@v6
                with:
                  push: true
                  tags: ${{ steps.meta.outputs.tags }}
        """
    assert _one(text) == []
    # an entry made on every run fires (the test can fail)
    assert len(_one(text.replace(",enable={{is_default_branch}}", ""))) == 1


def test_metadata_enable_on_the_default_branch_is_off_on_pull_requests() -> None:
    text = """
        on: [push, pull_request]
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - id: meta
                uses: docker/metadata-action@v5
                with:
                  images: acme/api
                  tags: |
                    type=ref,event=pr
                    type=raw,value=latest,enable=${{ github.ref == format('refs/heads/{0}', vars.MAIN_BRANCH) }}
              - uses: docker/build-push-action@v6
                with:
                  push: true
                  tags: ${{ steps.meta.outputs.tags }}
        """
    assert _one(text) == []
    # on `pull_request_target` the ref is the base branch: decided at run time
    [finding] = _one(text.replace("[push, pull_request]", "[push, pull_request_target]"))
    assert finding.confidence is Confidence.MEDIUM
    assert "the tag's `enable=" in finding.message


def test_closed_pull_requests_and_shell_guards_do_not_fire() -> None:
    assert _one("""
        on:
          pull_request:
            types: [closed]
        jobs:
          image:
            if: github.event.pull_request.merged == true
            runs-on: ubuntu-latest
            steps:
              - run: docker push acme/api:latest
        """) == []
    assert _one("""
        on: [push, pull_request]
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  docker build -t acme/api:latest .
                  if [ "$GITHUB_EVENT_NAME" = "push" ]; then docker push acme/api:latest; fi
        """) == []


def test_conditions_on_pull_request_runs() -> None:
    assert input_true("${{ github.event_name != 'pull_request' }}", PR) is False
    assert input_true("${{ github.event_name != 'pull_request' }}", TARGET) is True
    assert input_true("${{ github.event_name != 'pull_request' && 'true' || 'false' }}", PR) is False
    assert input_true("${{ startsWith(github.ref, 'refs/tags/') }}", TARGET) is False
    assert input_true("${{ github.ref == 'refs/heads/main' }}", PR) is False
    assert input_true("${{ github.ref == 'refs/heads/main' }}", TARGET) is None
    assert input_true("${{ inputs.push }}", PR) is False
    assert input_true("${{ env.PUSH }}", PR) is None
    assert input_true("${{ github.event.pull_request.head.repo.full_name == github.repository }}", PR) is True
    assert condition_holds("github.event_name == 'push' || github.event_name == 'release'", PR) is False
    assert condition_holds("always() && !cancelled()", PR) is True
    assert condition_holds("contains(github.event.pull_request.labels.*.name, 'publish')", PR) is None
    assert condition_holds("github.event_name == 'push' && (", PR) is None  # unparsable: unknown
    assert condition_holds("(" * 5000 + "true" + ")" * 5000, PR) is None


def test_release_tags() -> None:
    assert [t for t in ("latest", "stable", "lts", "release", "v1", "1.2", "1.2.3", "2.0.0-rc.1", "latest-alpine",
                        "main-stable", "pr-12", "sha-abc123", "main", "pr-latest", "dev-latest", "edge", "1",
                        "20240101") if release_tag(t)] == [
        "latest", "stable", "lts", "release", "v1", "1.2", "1.2.3", "2.0.0-rc.1", "latest-alpine", "main-stable"]


def test_bake_action_push_reports_at_the_push_with_the_bake_tag_related() -> None:
    found = findings({
        PATH: """
            on: pull_request
            jobs:
              image:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/bake-action@v5
                    with:
                      push: true
            """,
        "docker-bake.hcl": """
            target "default" {
              tags = ["acme/api:latest"]
            }
            """,
    }, rule=RULE)
    [finding] = found
    assert (finding.path, finding.line) == (PATH, 8)
    assert [(r.path, r.line) for r in finding.related] == [("docker-bake.hcl", 2)]


def test_docker_push_steps_are_judged_by_their_own_if() -> None:
    [finding] = _one("""
        on: [push, pull_request]
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  load: true
                  tags: acme/web:latest
              - if: github.event_name == 'push'
                run: docker push acme/web:latest
              - run: docker push acme/web:1.0
        """)
    assert finding.line == 12
    assert "`acme/web:1.0`" in finding.message and "`acme/web:latest`" not in finding.message
