"""End to end: signed deliveries over real HTTP to the real service, a fake GitHub over real HTTP."""

from __future__ import annotations

import os
from textwrap import dedent

import pytest

from tests.apprunner import AppServer, settings_for, wait_for
from tests.fakegithub import FakeGitHub

os.environ.setdefault("DOCKREVIEW_RETRY_BASE", "0.05")

BASE_COMPOSE = dedent(
    """\
    services:
      web:
        image: example/web:1.4
        environment:
          LOG_LEVEL: info
    """
)
RISKY_COMPOSE = dedent(
    """\
    services:
      web:
        image: example/web:1.4
        environment:
          LOG_LEVEL: info
          API_TOKEN: tok-1234567890
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: hunter2
        volumes:
          - db-data:/var/lib/postgresql/data
    volumes:
      db-data:
    """
)


@pytest.fixture
def github():
    gh = FakeGitHub()
    gh.start()
    app = gh.create_app(slug="dockreview", webhook_secret="whsec-test")
    gh.create_repo("octo/shop", files={"compose.yaml": BASE_COMPOSE, "README.md": "# shop\n"})
    installation = gh.install(app, "octo", ["shop"])
    gh.add_user("alice", permission_on={"octo/shop": "write"})
    gh.add_user("rita", permission_on={"octo/shop": "read"})
    yield gh, app, installation
    gh.stop()


def open_pr(gh: FakeGitHub, files: dict[str, str], branch: str = "feature") -> tuple[int, str]:
    sha = gh.push("octo/shop", branch, files=files)
    number = gh.open_pull_request("octo/shop", head=branch, base="main", user="alice")
    return number, sha


def send(gh: FakeGitHub, app, server: AppServer, action: str, number: int) -> int:
    """A signed `pull_request` delivery of `action` for PR `number`; the service's HTTP status."""
    payload = gh.event_payload("pull_request", action, repo="octo/shop", number=number)
    return gh.deliver("pull_request", payload, url=server.url, app=app)[0]


def completed_run(gh: FakeGitHub, sha: str, count: int = 1, timeout: float = 60) -> list[dict]:
    def done() -> list[dict] | None:
        runs = [r for r in gh.check_runs("octo/shop", sha=sha, name="dockreview") if r["status"] == "completed"]
        return runs if len(runs) >= count else None

    return wait_for(done, timeout=timeout)


def test_risky_pull_request_gets_one_review_and_a_failing_check(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        status = send(gh, app, server, "opened", number)
        assert status == 202
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"
    comments = gh.review_comments("octo/shop", number)
    assert sorted((c["path"], c["line"]) for c in comments) == [("compose.yaml", 6), ("compose.yaml", 10)]
    assert all("dockreview:v1" in c["body"] for c in comments)
    assert all("hunter2" not in c["body"] and "tok-1234567890" not in c["body"] for c in comments)
    assert any("```suggestion" in c["body"] for c in comments)
    assert len(gh.reviews("octo/shop", number)) == 1
    assert "hunter2" not in str(run["output"])
    assert len(run["annotations"]) == 2
    # The summary starts with what the change does to the containers (keys, never values).
    summary = run["output"]["summary"]
    assert summary.startswith("3 container-level changes; 2 findings below.\n\n### Container changes")
    assert "| + | `compose.yaml` | `db` | `service` |  | `postgres:16` |" in summary
    assert "`API_TOKEN`" in summary


def test_harmless_docker_change_says_so_in_one_line(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": BASE_COMPOSE.replace("example/web:1.4", "example/web:1.5")})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "success"
    assert run["output"]["summary"].startswith("1 container-level change; no problems found.")
    assert "`example/web:1.4`" in run["output"]["summary"] and "`example/web:1.5`" in run["output"]["summary"]
    assert gh.reviews("octo/shop", number) == []


def test_pull_request_without_docker_files_succeeds_at_once(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"README.md": "# shop\nmore docs\n"})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "success"
    assert gh.reviews("octo/shop", number) == []


def test_synchronize_does_not_repeat_and_a_fix_resolves_the_thread(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        completed_run(gh, sha)
        # Another push that fixes one secret and leaves the other.
        fixed = RISKY_COMPOSE.replace("POSTGRES_PASSWORD: hunter2", "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}")
        sha2 = gh.push("octo/shop", "feature", files={"compose.yaml": "# the stack\n" + fixed})
        send(gh, app, server, "synchronize", number)
        [run] = completed_run(gh, sha2)
    comments = gh.review_comments("octo/shop", number)
    assert len(comments) == 2  # nothing posted again for the moved API_TOKEN line
    threads = gh.threads("octo/shop", number)
    resolved = [t for t in threads if t["isResolved"]]
    assert len(resolved) == 1 and "POSTGRES_PASSWORD" in str(resolved[0])
    assert run["conclusion"] == "failure"


def test_duplicate_delivery_is_processed_once(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    payload = gh.event_payload("pull_request", "opened", repo="octo/shop", number=number)
    with AppServer(settings_for(gh, app)) as server:
        first, delivery = gh.deliver("pull_request", payload, url=server.url, app=app)
        assert first == 202
        completed_run(gh, sha)
        import httpx
        from dockreview.bot.webhook.signature import sign

        body = __import__("json").dumps(payload).encode()
        again = httpx.post(server.url, content=body, headers={
            "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(app.webhook_secret, body), "Content-Type": "application/json"})
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert len(gh.check_runs("octo/shop", sha=sha, name="dockreview")) == 1
    assert len(gh.reviews("octo/shop", number)) == 1


def test_recheck_by_writer_and_by_reader(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        completed_run(gh, sha)
        reader = gh.event_payload("issue_comment", "created", repo="octo/shop", number=number, body="/recheck",
                                  user="rita")
        assert gh.deliver("issue_comment", reader, url=server.url, app=app)[0] == 200  # no job for an outsider
        writer = gh.event_payload("issue_comment", "created", repo="octo/shop", number=number, body="/recheck",
                                  user="alice")
        assert gh.deliver("issue_comment", writer, url=server.url, app=app)[0] == 202
        runs = completed_run(gh, sha, count=2)
    assert len(runs) == 2  # the writer's recheck made a new run; the reader's did nothing
    assert [r["content"] for r in gh.reactions(writer["comment"]["id"])] == ["rocket"]
    assert gh.reactions(reader["comment"]["id"]) == []
    assert len(gh.review_comments("octo/shop", number)) == 2  # nothing posted twice


def test_check_run_rerun_button(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [first] = completed_run(gh, sha)
        rerun = gh.event_payload("check_run", "rerequested", repo="octo/shop", check_run_id=first["id"])
        assert gh.deliver("check_run", rerun, url=server.url, app=app)[0] == 202
        runs = completed_run(gh, sha, count=2)
        suite = gh.event_payload("check_suite", "rerequested", repo="octo/shop", head_sha=sha)
        assert gh.deliver("check_suite", suite, url=server.url, app=app)[0] == 202
        runs = completed_run(gh, sha, count=3)
    assert {r["conclusion"] for r in runs} == {"failure"}
    assert len(gh.reviews("octo/shop", number)) == 1


def test_bad_signature_over_http(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    payload = gh.event_payload("pull_request", "opened", repo="octo/shop", number=number)
    import json

    import httpx
    from dockreview.bot.webhook.signature import sign

    with AppServer(settings_for(gh, app)) as server:
        body = json.dumps(payload).encode()
        for signature in (sign("wrong secret", body), "sha1=" + "0" * 40, "", sign(app.webhook_secret, body)[:-2]):
            response = httpx.post(server.url, content=body, headers={
                "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "x", "X-Hub-Signature-256": signature})
            assert response.status_code == 401
    assert gh.check_runs("octo/shop", sha=sha) == []


def test_github_faults_are_retried_and_nothing_is_posted_twice(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    gh.fail("GET", r"/pulls/\d+/files|/compare/", status=502, times=2)
    gh.fail("POST", r"/graphql", status=503, times=1)
    gh.secondary_rate_limit(times=1, retry_after=1, method="POST", path_regex=r"/pulls/\d+/reviews")
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"
    assert len(gh.reviews("octo/shop", number)) == 1
    assert len(gh.review_comments("octo/shop", number)) == 2


def test_token_expiry_mid_review_is_refreshed(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        completed_run(gh, sha)
        gh.expire_tokens()
        sha2 = gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE + "\n"})
        send(gh, app, server, "synchronize", number)
        [run] = completed_run(gh, sha2)
    assert run["conclusion"] == "failure"
    assert gh.count(status=401) >= 1


def test_persistent_github_errors_end_in_a_failed_check_run_saying_recheck(github) -> None:
    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    gh.fail("GET", r"/git/trees/", status=500, times=50)
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"  # neutral would pass branch protection
    assert "/recheck" in run["output"]["summary"]
    assert gh.reviews("octo/shop", number) == []


def test_config_comes_from_the_base_branch_not_the_pull_request(github) -> None:
    gh, app, _ = github
    # The pull request tries to switch its own review off: ignored.
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE,
                               ".github/dockreview.yml": "rules:\n  hardcoded-secret: off\n"})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
        assert run["conclusion"] == "failure"
        assert len(gh.review_comments("octo/shop", number)) == 2
        # The base branch's config counts, invalid keys included (reported, defaults kept).
        gh.push("octo/shop", "main", files={".github/dockreview.yml": "rules:\n  DR101: warning\n  DR102: off\n"})
        sha2 = gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE + "\n"})
        send(gh, app, server, "synchronize", number)
        [run2] = completed_run(gh, sha2)
    assert run2["conclusion"] == "success"  # DR101 is only a warning on the base branch now


def test_a_pyproject_table_on_the_base_branch_is_the_config_as_for_the_cli(github) -> None:
    gh, app, _ = github
    table = '[tool.dockreview.rules]\nDR101 = "warning"\nDR102 = "off"\n'
    gh.push("octo/shop", "main", files={"pyproject.toml": '[project]\nname = "shop"\n\n' + table})
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
        assert run["conclusion"] == "success", run["output"]["summary"]  # DR101 a warning, DR102 off
        # A pyproject.toml without the table is no config: the defaults hold (DR101 an error again).
        gh.push("octo/shop", "main", files={"pyproject.toml": '[project]\nname = "shop"\n'})
        sha2 = gh.push("octo/shop", "feature", files={"compose.yaml": RISKY_COMPOSE + "\n"})
        send(gh, app, server, "synchronize", number)
        [run2] = completed_run(gh, sha2)
    assert run2["conclusion"] == "failure"


def test_an_invalid_config_on_the_base_branch_is_shown_in_the_check_summary(github) -> None:
    gh, app, _ = github
    gh.push("octo/shop", "main", files={".github/dockreview.yml": "fail_on: warning\nrules:\n  DR101: sometimes\n"})
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    summary = run["output"]["summary"]
    assert "### Configuration problems" in summary, summary
    # (backticks inside a note are escaped, so a config value cannot open markdown)
    assert "`.github/dockreview.yml`: line 3: invalid config at &#96;rules.DR101&#96;" in summary, summary
    assert "The defaults are used instead." in summary
    assert run["conclusion"] == "failure"  # the defaults: DR101 and DR102 are errors


def test_fork_pull_request_is_reviewed_with_the_app_token(github) -> None:
    gh, app, _ = github
    sha = gh.push("octo/shop", "contrib", files={"compose.yaml": RISKY_COMPOSE})
    number = gh.open_pull_request("octo/shop", head="contrib", base="main", user="mallory", fork=True)
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"
    assert len(gh.review_comments("octo/shop", number)) == 2


def test_logs_are_json_and_never_carry_tokens_keys_or_secrets(github, capfd) -> None:
    import json
    import logging

    from dockreview.bot.logs import setup

    gh, app, installation = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    setup("DEBUG")
    try:
        with AppServer(settings_for(gh, app)) as server:
            send(gh, app, server, "opened", number)
            completed_run(gh, sha)
    finally:
        logging.getLogger().handlers.clear()
    err = capfd.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(entry.get("message") == "webhook queued" and entry.get("delivery_id") for entry in lines)
    done = [entry for entry in lines if entry.get("message") == "job done"]
    assert done and done[0]["repo"] == "octo/shop" and done[0]["pr"] == number and done[0]["head_sha"] == sha
    assert "seconds" in done[0] and done[0]["github_calls"] > 0
    token = gh.installation_token(installation)
    for secret in ("hunter2", "tok-1234567890", "BEGIN RSA PRIVATE KEY", app.webhook_secret, token, "ghs_"):
        assert secret not in err, secret


def test_every_annotation_is_written_before_the_run_completes_and_they_are_capped(github, monkeypatch) -> None:
    monkeypatch.setenv("DOCKREVIEW_MAX_ANNOTATIONS", "120")
    gh, app, _ = github
    services = "".join(
        f"  s{i}:\n    image: example/s{i}:1.0\n    environment:\n      API_TOKEN: tok-{i:04d}abcdef\n"
        for i in range(130)
    )
    number, sha = open_pr(gh, {"compose.yaml": "services:\n" + services})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        [run] = completed_run(gh, sha)
    assert run["conclusion"] == "failure"
    assert len(run["annotations"]) == 120
    updates = [r for r in run["requests"] if (r.get("output") or {}).get("annotations")]
    assert len(updates) == 3 and [len(r["output"]["annotations"]) for r in updates] == [50, 50, 20]
    assert all("conclusion" not in r and r.get("status") != "completed" for r in updates[:-1])
    assert updates[-1]["conclusion"] == "failure"
    assert "10 more findings are not annotated" in run["output"]["summary"]


def test_a_foreign_dockreview_check_run_is_not_adopted(github) -> None:
    import httpx

    gh, app, _ = github
    other = gh.create_app(slug="impostor", webhook_secret="whsec-other")
    other_installation = gh.install(other, "octo", ["shop"])
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    token = gh.installation_token(other_installation)
    created = httpx.post(f"{gh.base_url}/repos/octo/shop/check-runs", headers={"Authorization": f"token {token}"},
                         json={"name": "dockreview", "head_sha": sha, "status": "completed",
                               "conclusion": "success", "external_id": f"{number}:forged"})
    assert created.status_code == 201, created.text
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        runs = completed_run(gh, sha, count=2)
    ours = [r for r in runs if r["app"]["id"] == app.id]
    theirs = [r for r in runs if r["app"]["id"] == other.id]
    assert [r["conclusion"] for r in ours] == ["failure"]
    assert [r["conclusion"] for r in theirs] == ["success"] and len(theirs[0]["requests"]) == 1


def test_another_apps_comment_with_our_marker_is_not_taken_for_ours(github) -> None:
    import httpx

    gh, app, _ = github
    number, sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE})
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", number)
        completed_run(gh, sha)
    ours = gh.review_comments("octo/shop", number)
    assert ours
    # The same change in a second pull request, where another App first posts copies of our comments
    # (markers included) on the same lines.
    second, second_sha = open_pr(gh, {"compose.yaml": RISKY_COMPOSE}, branch="again")
    other = gh.create_app(slug="impostor", webhook_secret="whsec-other")
    token = gh.installation_token(gh.install(other, "octo", ["shop"]))
    for comment in ours:
        posted = httpx.post(f"{gh.base_url}/repos/octo/shop/pulls/{second}/comments",
                            headers={"Authorization": f"token {token}"},
                            json={"body": comment["body"], "commit_id": second_sha, "path": comment["path"],
                                  "line": comment["line"], "side": "RIGHT"})
        assert posted.status_code == 201, posted.text
    with AppServer(settings_for(gh, app)) as server:
        send(gh, app, server, "opened", second)
        completed_run(gh, second_sha)
    comments = gh.review_comments("octo/shop", second)
    by_app = [c for c in comments if c["user"]["login"] == f"{app.slug}[bot]"]
    forged = [c for c in comments if c["user"]["login"] == "impostor[bot]"]
    assert len(by_app) == len(ours) and len(forged) == len(ours)  # each finding commented by us too
    assert [c["body"] for c in forged] == [c["body"] for c in ours]  # theirs left as they were


def test_the_annotation_cap_is_the_operators_and_refuses_nonsense(monkeypatch) -> None:
    from dockreview.bot.worker.check_run import MAX_ANNOTATIONS, max_annotations

    for raw, cap in (("", MAX_ANNOTATIONS), ("200", 200), ("3", 50), ("nan", MAX_ANNOTATIONS), ("-5", MAX_ANNOTATIONS)):
        monkeypatch.setenv("DOCKREVIEW_MAX_ANNOTATIONS", raw)
        assert max_annotations() == cap, raw
