"""A required check a pull request cannot turn green by itself (issue 12), through the real webhook
service and worker over HTTP, against the fake GitHub over HTTP."""

from __future__ import annotations

import pytest

from tests.apprunner import AppServer, settings_for
from tests.fakegithub import FakeGitHub
from tests.test_app_e2e import BASE_COMPOSE, RISKY_COMPOSE, completed_run, open_pr, send

TRUSTING_CONFIG = "suppressions:\n  from_pull_request: true\n"


@pytest.fixture
def github(shop_github):
    return shop_github


def review_of(gh: FakeGitHub, app, files: dict[str, str]) -> tuple[dict, int]:
    number, sha = open_pr(gh, files)
    with AppServer(settings_for(gh, app)) as server:
        assert send(gh, app, server, "opened", number) == 202
        [run] = completed_run(gh, sha)
    return run, number


# --- 1. suppressions the pull request adds --------------------------------------------------------

SUPPRESSED_INLINE = RISKY_COMPOSE.replace(
    "API_TOKEN: tok-1234567890", "API_TOKEN: tok-1234567890  # dockreview: ignore[DR101]"
).replace("POSTGRES_PASSWORD: hunter2", "POSTGRES_PASSWORD: hunter2  # dockreview: ignore")
SUPPRESSED_FILE = "# dockreview: ignore-file\n" + RISKY_COMPOSE


@pytest.mark.parametrize("text", [SUPPRESSED_INLINE, SUPPRESSED_FILE], ids=["inline", "ignore-file"])
def test_a_suppression_the_pull_request_adds_does_not_pass_the_check(github, text) -> None:
    gh, app = github
    run, number = review_of(gh, app, {"compose.yaml": text})
    assert run["conclusion"] == "failure"
    summary = run["output"]["summary"]
    assert "suppressed by a comment this PR adds" in summary
    assert "suppressed by a comment this pull request adds" in summary  # on each finding
    assert "suppressed by `dockreview: ignore` comments" not in summary
    comments = gh.review_comments("octo/shop", number)
    assert comments and all("suppressed by a comment this pull request adds" in c["body"] for c in comments)


def test_the_base_branch_config_may_trust_suppressions_from_pull_requests(github) -> None:
    gh, app = github
    gh.push("octo/shop", "main", files={".github/dockreview.yml": TRUSTING_CONFIG})
    run, number = review_of(gh, app, {"compose.yaml": SUPPRESSED_INLINE})
    assert run["conclusion"] == "success"
    assert "2 findings suppressed by `dockreview: ignore` comments" in run["output"]["summary"]
    assert gh.review_comments("octo/shop", number) == []


def test_the_pull_request_cannot_trust_its_own_suppressions(github) -> None:
    gh, app = github
    run, _ = review_of(gh, app, {"compose.yaml": SUPPRESSED_FILE, ".github/dockreview.yml": TRUSTING_CONFIG})
    assert run["conclusion"] == "failure"


def test_suppressions_already_on_the_base_count_as_before(github) -> None:
    gh, app = github
    gh.push("octo/shop", "main", files={"compose.yaml": SUPPRESSED_INLINE})
    run, _ = review_of(gh, app, {"compose.yaml": SUPPRESSED_INLINE + "# a comment\n"})
    assert run["conclusion"] == "success"
    assert "suppressed by a comment this PR adds" not in run["output"]["summary"]


def test_a_base_suppression_does_not_cover_what_the_pull_request_writes_on_its_line(github) -> None:
    gh, app = github
    above = RISKY_COMPOSE.replace("      POSTGRES_PASSWORD: hunter2",
                                  "      # dockreview: ignore a throwaway test database\n"
                                  "      POSTGRES_PASSWORD: hunter2")
    gh.push("octo/shop", "main", files={"compose.yaml": above})
    rewritten = above.replace("POSTGRES_PASSWORD: hunter2", "POSTGRES_PASSWORD: s3cr3t-Prod-2026")
    run, _ = review_of(gh, app, {"compose.yaml": rewritten})
    assert run["conclusion"] == "failure"
    assert "under a `dockreview: ignore` comment of the base branch: still counted" in run["output"]["summary"]


# --- 2. a changed Docker file that could not be reviewed completely -------------------------------

def _deep(depth: int) -> str:
    return "services:\n  web:\n    image: example/web:latest\n    labels:\n      x: " + "[" * depth + "]" * depth + "\n"


UNREVIEWABLE = {
    "too-big": {"compose.yaml": RISKY_COMPOSE + "# padding padding padding padding\n" * 70_000},
    "nul-byte": {"Dockerfile": "FROM node:latest\nRUN echo \x00 hi\n"},
    "too-deep": {"compose.yaml": _deep(70)},
    "too-many-lines": {"Dockerfile": "FROM node:latest\n" + "#\n" * 100_001},
}


@pytest.mark.parametrize("files", UNREVIEWABLE.values(), ids=UNREVIEWABLE.keys())
def test_a_changed_file_that_cannot_be_reviewed_fails_the_check_and_says_how_to_fix_it(github, files) -> None:
    gh, app = github
    run, _ = review_of(gh, app, files)
    [path] = files
    summary = run["output"]["summary"]
    assert run["conclusion"] == "failure", summary
    assert run["output"]["title"].startswith("Not reviewed completely")
    assert "### Not reviewed completely" in summary and f"`{path}`" in summary
    assert "To fix it" in summary and "`/recheck`" in summary


def test_an_ill_shaped_file_list_fails_the_check(github) -> None:
    gh, app = github
    gh.fail("GET", r"/pulls/\d+/files$|/compare/", status=200, times=50, body=[{"name": "compose.yaml"}])
    run, _ = review_of(gh, app, {"README.md": "# shop\nmore\n"})
    assert run["conclusion"] == "failure"
    assert "unexpected shape" in run["output"]["summary"]


def test_a_file_list_that_is_no_list_is_not_taken_for_no_changes(github) -> None:
    gh, app = github
    gh.fail("GET", r"/pulls/\d+/files$|/compare/", status=200, times=50, body={"message": "not a list"})
    run, _ = review_of(gh, app, {"compose.yaml": RISKY_COMPOSE})
    assert run["conclusion"] == "failure"
    assert "DR101" in run["output"]["summary"]  # the changed files were found by comparing the trees


# --- 3. more changed files than GitHub lists --------------------------------------------------------

MANY = {f"docs/page{i:04}.md": f"page {i}\n" for i in range(3000)}


def test_a_dockerfile_after_the_first_3000_changed_files_is_reviewed(github) -> None:
    gh, app = github
    run, _ = review_of(gh, app, {**MANY, "zz/Dockerfile": "FROM node:latest\nRUN echo hi\n"})
    assert gh.count(path=r"/pulls/\d+/files$") == 30  # GitHub (the fake) listed 3,000 of 3,001
    assert run["output"]["title"] == "1 warning in Docker changes"
    assert "DR201 dockerfile-mutable-base-image | [`zz/Dockerfile:1`]" in run["output"]["summary"]
    secret = {**MANY, "zz/compose.yaml": RISKY_COMPOSE}
    number2, sha2 = open_pr(gh, secret, branch="many-secret")
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number2)
        [run2] = completed_run(gh, sha2)
    assert run2["conclusion"] == "failure" and "DR101" in run2["output"]["summary"]


def test_more_than_3000_files_in_a_tree_too_large_to_list_fails_closed(github, monkeypatch) -> None:
    from tests.fakegithub import server as fake_server

    gh, app = github
    monkeypatch.setattr(fake_server, "TREE_MAX_ENTRIES", 2000)
    run, _ = review_of(gh, app, {**MANY, "zz/Dockerfile": "FROM node:latest\n"})
    assert run["conclusion"] == "failure"
    assert "could not all be found" in run["output"]["summary"]


# --- 4. merge queues ------------------------------------------------------------------------------

def _app_from_manifest(gh: FakeGitHub):
    from pathlib import Path

    from ruamel.yaml import YAML

    manifest = YAML(typ="safe").load((Path(__file__).parents[1] / "app.yml").read_text())
    return gh.create_app(slug="dockreview-mq", webhook_secret="whsec-mq",
                         permissions=manifest["default_permissions"], events=manifest["default_events"])


@pytest.fixture
def queued(monkeypatch):
    monkeypatch.setenv("DOCKREVIEW_RETRY_BASE", "0.05")
    gh = FakeGitHub()
    gh.start()
    app = _app_from_manifest(gh)
    gh.create_repo("octo/shop", files={"compose.yaml": BASE_COMPOSE, "README.md": "# shop\n"})
    gh.install(app, "octo", ["shop"])
    yield gh, app
    gh.stop()


def test_a_merge_group_gets_its_check_run_from_a_review_of_the_group(queued) -> None:
    gh, app = queued
    safe, _ = open_pr(gh, {"compose.yaml": BASE_COMPOSE.replace("1.4", "1.5")}, branch="safe")
    risky, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE}, branch="risky")
    with AppServer(settings_for(gh, app)) as server:
        group = gh.queue_pull_requests("octo/shop", [safe])
        assert gh.request_merge_group_checks("octo/shop", group, server.url) == 202
        [run] = completed_run(gh, group["head_sha"])
        assert run["conclusion"] == "success"
        assert run["output"]["summary"].startswith("Merge queue: the change of this merge group")
        bad = gh.queue_pull_requests("octo/shop", [risky])
        assert gh.request_merge_group_checks("octo/shop", bad, server.url) == 202
        [bad_run] = completed_run(gh, bad["head_sha"])
    assert bad_run["conclusion"] == "failure"
    assert "DR101" in bad_run["output"]["summary"]
    assert len(bad_run["annotations"]) == 2
    assert gh.reviews("octo/shop", safe) == [] and gh.reviews("octo/shop", risky) == []  # no inline comments
    assert gh.count(path=r"/pulls/\d+/files$") == 0


def test_a_merge_group_without_docker_changes_succeeds_at_once(queued) -> None:
    gh, app = queued
    docs, _ = open_pr(gh, {"README.md": "# shop\nmore\n"}, branch="docs")
    with AppServer(settings_for(gh, app)) as server:
        group = gh.queue_pull_requests("octo/shop", [docs])
        assert gh.request_merge_group_checks("octo/shop", group, server.url) == 202
        [run] = completed_run(gh, group["head_sha"])
    assert run["conclusion"] == "success" and run["output"]["title"] == "No Docker changes"


def test_an_app_without_the_merge_queue_permission_gets_no_merge_group(github) -> None:
    gh, _ = github  # the fake's default App: no merge_queues permission, no merge_group event
    number, _ = open_pr(gh, {"README.md": "x\n"})
    group = gh.queue_pull_requests("octo/shop", [number])
    assert gh.request_merge_group_checks("octo/shop", group, "http://127.0.0.1:9/") is None


# --- 5. one head commit, two pull requests; retargeting ----------------------------------------------

LAX = {".github/dockreview.yml": "fail_on: never\n"}


def test_two_pull_requests_on_one_head_get_the_strictest_result(github) -> None:
    gh, app = github
    gh.push("octo/shop", "release", files=LAX)
    strict, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    lax = gh.open_pull_request("octo/shop", head="feature", base="release", user="alice")
    with AppServer(settings_for(gh, app)) as server:
        assert send(gh, app, server, "opened", strict) == 202
        completed_run(gh, sha)
        gh.reset_calls()
        assert send(gh, app, server, "opened", lax) == 202  # the laxer base is reviewed last

        def redone():
            runs = gh.check_runs("octo/shop", sha=sha, name="dockreview")
            return runs if gh.count(method="PATCH", path="/check-runs/") >= 2 and all(
                r["status"] == "completed" for r in runs) else None

        from tests.apprunner import wait_for
        runs = wait_for(redone, timeout=60)
    assert [r["conclusion"] for r in runs] == ["failure"]  # one run for the commit, failing
    [run] = runs
    assert run["output"]["title"].startswith(f"#{strict} fails: ")
    summary = run["output"]["summary"]
    assert f"## #{lax} (into `release`): success" in summary
    assert f"## #{strict} (into `main`): failure" in summary
    assert f"(from #{strict})" in summary


def test_a_pull_request_retargeted_to_a_stricter_base_is_reviewed_again(github) -> None:
    gh, app = github
    gh.push("octo/shop", "release", files=LAX)
    sha = gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE})
    number = gh.open_pull_request("octo/shop", head="feature", base="release", user="alice")
    with AppServer(settings_for(gh, app)) as server:
        assert send(gh, app, server, "opened", number) == 202
        [run] = completed_run(gh, sha)
        assert run["conclusion"] == "success"
        changes = gh.retarget_pull_request("octo/shop", number, "main")
        payload = gh.event_payload("pull_request", "edited", repo="octo/shop", number=number, changes=changes)
        assert gh.deliver("pull_request", payload, url=server.url, app=app)[0] == 202

        from tests.apprunner import wait_for
        [run] = wait_for(lambda: [r for r in gh.check_runs("octo/shop", sha=sha, name="dockreview")
                                  if r["conclusion"] == "failure"] or None, timeout=60)
    assert "DR101" in run["output"]["summary"]


def test_an_edit_of_the_title_only_is_not_reviewed_again(github) -> None:
    from dockreview.bot.webhook.events import job_for

    gh, _ = github
    number, _sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    payload = gh.event_payload("pull_request", "edited", repo="octo/shop", number=number,
                               changes={"title": {"from": "old"}})
    assert job_for("pull_request", payload, "d1") is None
    payload["changes"] = {"base": {"ref": {"from": "dev"}, "sha": {"from": "0" * 40}}}
    job = job_for("pull_request", payload, "d2")
    assert job is not None and job.kind == "review"


# --- 6. re-running an old commit's check run ----------------------------------------------------------

def test_rerunning_an_old_commits_check_leaves_the_current_threads_alone(github) -> None:
    gh, app = github
    number, old = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    newer = RISKY_COMPOSE.replace("API_TOKEN: tok-1234567890",
                                  "API_TOKEN: tok-1234567890\n      SESSION_SECRET: zq-9876543210")
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [old_run] = completed_run(gh, old)
        new = gh.push("octo/shop", "feature", files={"compose.yaml": newer})
        send(gh, app, server, "synchronize", number)
        completed_run(gh, new)
        threads = gh.threads("octo/shop", number)
        assert len(threads) == 3 and not any(t["isResolved"] for t in threads)
        reviews = len(gh.reviews("octo/shop", number))
        rerun = gh.event_payload("check_run", "rerequested", repo="octo/shop", check_run_id=old_run["id"])
        assert gh.deliver("check_run", rerun, url=server.url, app=app)[0] == 202
        runs = completed_run(gh, old, count=2)
    assert [r["conclusion"] for r in runs] == ["failure", "failure"]
    assert not any(t["isResolved"] for t in gh.threads("octo/shop", number))
    assert len(gh.reviews("octo/shop", number)) == reviews
    assert all("fixed" not in c["body"].lower() for c in gh.review_comments("octo/shop", number))
    assert "no longer the head" in runs[-1]["output"]["summary"]


# --- 7. the review's time budget ---------------------------------------------------------------------

def test_a_review_over_its_time_budget_is_not_reviewed_completely_and_fails(github, monkeypatch) -> None:
    gh, app = github
    monkeypatch.setenv("DOCKREVIEW_REVIEW_BUDGET", "0")
    run, _ = review_of(gh, app, {"compose.yaml": BASE_COMPOSE.replace("1.4", "1.5")})
    assert run["conclusion"] == "failure"
    assert run["output"]["title"].startswith("Not reviewed completely")
    assert "ran out of its time budget" in run["output"]["summary"]


def test_a_file_over_its_own_time_budget_is_not_reviewed_completely_and_fails(github, monkeypatch) -> None:
    gh, app = github
    monkeypatch.setenv("DOCKREVIEW_FILE_BUDGET", "0")  # every file's budget is used up at its first rule
    run, _ = review_of(gh, app, {"compose.yaml": BASE_COMPOSE.replace("1.4", "1.5")})
    assert run["conclusion"] == "failure"
    assert run["output"]["title"].startswith("Not reviewed completely")
    assert "took longer than its time budget (0 s)" in run["output"]["summary"]


def test_a_script_padded_until_the_shell_parser_gives_up_fails(github) -> None:
    # Before, the parser stopped silently at its bound: the `down -v` after the padding was never
    # seen and the check passed.
    gh, app = github
    padding = "echo $(( ( ( \"`'\n" * 20_000
    run, _ = review_of(gh, app, {"deploy.sh": "#!/bin/sh\n" + padding + "docker compose down -v\n"})
    assert run["conclusion"] == "failure"
    assert run["output"]["title"].startswith("Not reviewed completely")
    assert "syntax errors used up the parser's budget" in run["output"]["summary"]


def test_the_engine_notes_what_a_past_deadline_left_out() -> None:
    import time

    from dockreview.rules import Snapshot, review
    from dockreview.rules.diff import Change

    # compose.yaml builds the new Dockerfile: the change can affect it, so it is reviewed too (rules.scope)
    compose = "services:\n  web:\n    build: .\n"
    head = Snapshot.from_mapping({"compose.yaml": compose, "Dockerfile": "FROM node:20\n"})
    change = Change(lines={"Dockerfile": None})
    report = review(head, change=change, base=Snapshot.from_mapping({"compose.yaml": compose}),
                    deadline=time.monotonic() - 1)
    assert [n.path for n in report.incomplete] == ["Dockerfile"]  # the untouched compose.yaml is only noted
    assert {n.path for n in report.errors} == {"Dockerfile", "compose.yaml"}
    assert review(head, change=change, base=head, deadline=time.monotonic() + 60).incomplete == []


def test_rerunning_a_merge_groups_check_reviews_the_group_again(queued) -> None:
    gh, app = queued
    risky, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE}, branch="risky")
    with AppServer(settings_for(gh, app)) as server:
        group = gh.queue_pull_requests("octo/shop", [risky])
        gh.request_merge_group_checks("octo/shop", group, server.url)
        [first] = completed_run(gh, group["head_sha"])
        rerun = gh.event_payload("check_run", "rerequested", repo="octo/shop", check_run_id=first["id"])
        assert gh.deliver("check_run", rerun, url=server.url, app=app)[0] == 202

        def again():
            [run] = gh.check_runs("octo/shop", sha=group["head_sha"], name="dockreview")
            return run if run["status"] == "completed" and len(run["requests"]) > len(first["requests"]) else None

        from tests.apprunner import wait_for
        run = wait_for(again, timeout=60)
    assert run["conclusion"] == "failure" and run["external_id"].startswith(f"merge-group@{group['base_sha']}:")


def test_a_check_run_deleted_during_the_review_is_created_again(github, monkeypatch) -> None:
    gh, app = github
    monkeypatch.setenv("DOCKREVIEW_CHECK_RUN_DEFER", "0")  # the run is created in progress at once
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})

    def delete_ours() -> None:
        for run in gh.check_runs("octo/shop", sha=sha):
            gh.delete_check_run(run["id"])

    gh.when("POST", "/graphql$", delete_ours)  # the run exists, in progress; the contents are being read
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure" and "DR101" in run["output"]["summary"]
    assert gh.count(method="POST", path="/check-runs$") == 2  # created, deleted, created again


def test_a_large_file_github_fails_to_send_is_read_on_a_later_attempt(github) -> None:
    gh, app = github
    big = RISKY_COMPOSE + "# padding padding padding padding\n" * 16_000  # past GraphQL's text: a REST blob
    gh.fail("GET", r"/git/blobs/", status=502, times=5)  # more than the client's own retries
    run, _ = review_of(gh, app, {"compose.yaml": big})
    assert run["conclusion"] == "failure" and "DR101" in run["output"]["summary"]
    assert "could not be read" not in run["output"]["summary"]
