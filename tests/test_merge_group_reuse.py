"""A merge group reuses the review of a pull request with the same Docker-relevant content (issue 12),
through the real webhook service and worker over HTTP, against the fake GitHub over HTTP; the
results kept in a real redis-server (worker mode) or the in-process queue (embedded mode).

A reuse reads no file and runs no engine: the group's job makes no GraphQL call when the base did
not move (every blob and the config come through GraphQL), one (the config) when it did."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from dockreview.bot.github.contents import Entry, RemoteTree
from dockreview.bot.queue import MemoryQueue, RedisQueue
from dockreview.bot.queue.base import RESULTS_KEPT
from dockreview.bot.review import diffmap
from dockreview.bot.worker.reuse import Results, config_digest, content_digest
from dockreview.rules import Config, Report

from tests.apprunner import AppServer, settings_for, wait_for
from tests.fakegithub import FakeGitHub
from tests.test_app_e2e import BASE_COMPOSE, RISKY_COMPOSE, completed_run, open_pr, send
from tests.test_delivery_robustness import embedded
from tests.test_required_check import _app_from_manifest

REUSED = "that review's result is reused"
DOCKERFILE = "FROM python:3.12-slim\nCOPY app.py /app/\nCMD [\"python\", \"/app/app.py\"]\n"
CONFIG = '[tool.dockreview]\nfail_on = "error"\n'
LAX = '[tool.dockreview]\nfail_on = "never"\n'


@pytest.fixture(params=["redis", "memory"])
def service(request, monkeypatch) -> Iterator[tuple[FakeGitHub, object, AppServer]]:
    """The App (with the merge queue permission) on octo/shop, and the service: webhook and a worker
    on a real redis-server, or the webhook with its embedded worker."""
    monkeypatch.setenv("DOCKREVIEW_RETRY_BASE", "0.05")
    gh = FakeGitHub()
    gh.start()
    app = _app_from_manifest(gh)
    gh.create_repo("octo/shop", files={"compose.yaml": BASE_COMPOSE, "README.md": "# shop\n",
                                       "Dockerfile": DOCKERFILE, "app.py": "print(1)\n", "pyproject.toml": CONFIG})
    gh.install(app, "octo", ["shop"])
    with contextlib.ExitStack() as stack:
        if request.param == "redis":
            from tests.redis_server import RedisServer

            redis = RedisServer().start()
            stack.callback(redis.cleanup)
            server = stack.enter_context(embedded(settings_for(gh, app, redis_url=redis.url), redis.url))
        else:
            server = stack.enter_context(AppServer(settings_for(gh, app)))
        yield gh, app, server
    gh.stop()


def reviewed(gh: FakeGitHub, app, server: AppServer, files: dict[str, str], branch: str) -> tuple[int, dict]:
    """A pull request changing `files`, reviewed (its check run completed)."""
    number, sha = open_pr(gh, files, branch=branch)
    assert send(gh, app, server, "opened", number) == 202
    [run] = completed_run(gh, sha)
    return number, run


def group_run(gh: FakeGitHub, server: AppServer, numbers: list[int]) -> tuple[dict, dict[str, int]]:
    """The merge group of `numbers`: its completed `dockreview` run and the GitHub calls its job made."""
    group = gh.queue_pull_requests("octo/shop", numbers)
    gh.reset_calls()
    assert gh.request_merge_group_checks("octo/shop", group, server.url) == 202
    [run] = completed_run(gh, group["head_sha"])
    calls = {"all": len(gh.calls), "graphql": gh.count(path="/graphql$"), "trees": gh.count(path="/git/trees/")}
    return run, calls


def test_a_group_with_the_pull_requests_content_reuses_its_result(service) -> None:
    gh, app, server = service
    number, pr_run = reviewed(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
    run, calls = group_run(gh, server, [number])
    summary = run["output"]["summary"]
    assert run["conclusion"] == "failure" == pr_run["conclusion"]
    assert REUSED in summary and f"pull request #{number} at `{pr_run['head_sha'][:12]}`" in summary
    assert "DR101" in summary and len(run["annotations"]) == 2  # every finding listed, as a group shows it
    # No file read, no engine: the two trees (to know what the group changes), the check run listed, created.
    assert calls["graphql"] == 0 and calls["trees"] == 2, calls
    assert calls["all"] == 4, gh.calls
    assert gh.reviews("octo/shop", number)[0]["comments"]  # the pull request's own review is untouched


def test_reusing_saves_the_calls_of_reading_the_files(service) -> None:
    """The same group reviewed (its check Re-run: always a fresh review) and reused: what reuse saves."""
    gh, app, server = service
    gh.push("octo/shop", "main", files={f"svc{i}/compose.yaml": BASE_COMPOSE for i in range(60)})
    risky = {f"svc{i}/compose.yaml": RISKY_COMPOSE.replace("tok-1234567890", f"tok-{i:010d}") for i in range(60)}
    number, _ = reviewed(gh, app, server, risky, "many")
    reused, reused_calls = group_run(gh, server, [number])
    assert REUSED in reused["output"]["summary"]
    rerun = gh.event_payload("check_run", "rerequested", repo="octo/shop", check_run_id=reused["id"])
    gh.reset_calls()
    assert gh.deliver("check_run", rerun, url=server.url, app=app)[0] == 202

    def again() -> dict | None:
        [run] = gh.check_runs("octo/shop", sha=reused["head_sha"], name="dockreview")
        return run if run["status"] == "completed" and len(run["requests"]) > len(reused["requests"]) else None

    fresh = wait_for(again, timeout=60)
    fresh_graphql = gh.count(path="/graphql$")
    assert REUSED not in fresh["output"]["summary"]
    assert fresh["conclusion"] == reused["conclusion"] == "failure"
    assert fresh["output"]["title"] == reused["output"]["title"]
    assert len(reused["annotations"]) > 60  # a token per file, the repeated password folded
    assert reused_calls["graphql"] == 0 and fresh_graphql >= 3, (reused_calls, fresh_graphql)


def test_a_group_where_another_pull_request_changed_a_dockerfile_is_reviewed(service) -> None:
    gh, app, server = service
    secret = DOCKERFILE.replace("COPY", "ENV API_TOKEN=tok-1234567890\nCOPY")
    other, _ = open_pr(gh, {"Dockerfile": secret}, branch="other")
    number, pr_run = reviewed(gh, app, server, {"compose.yaml": BASE_COMPOSE.replace("1.4", "1.5")}, "safe")
    assert pr_run["conclusion"] == "success"
    run, calls = group_run(gh, server, [other, number])
    assert REUSED not in run["output"]["summary"] and calls["graphql"] >= 1
    assert run["conclusion"] == "failure" and "DR206" in run["output"]["summary"]  # the other one's secret


def test_a_group_whose_change_names_one_more_file_is_reviewed(service) -> None:
    """Chosen: a miss. The review's scope follows every changed path (a README in a build context
    makes its Dockerfile the change's business), so a change naming another file is reviewed."""
    gh, app, server = service
    docs, _ = open_pr(gh, {"README.md": "# shop\nmore\n"}, branch="docs")
    number, _ = reviewed(gh, app, server, {"compose.yaml": BASE_COMPOSE.replace("1.4", "1.5")}, "safe")
    run, calls = group_run(gh, server, [docs, number])
    assert REUSED not in run["output"]["summary"] and calls["graphql"] >= 1
    assert run["conclusion"] == "success"


def test_a_base_that_changed_a_file_the_review_never_read_still_reuses(service) -> None:
    """The base moved on (README.md edited: its content is never read, the paths are the same): the
    result is reused, after reading the base's config (one GraphQL call) since it is another commit."""
    gh, app, server = service
    number, _ = reviewed(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
    gh.push("octo/shop", "main", files={"README.md": "# shop\nedited on main\n"})
    run, calls = group_run(gh, server, [number])
    assert REUSED in run["output"]["summary"] and run["conclusion"] == "failure"
    assert calls["graphql"] == 1, calls


@pytest.mark.parametrize("on_main", [
    {"Dockerfile": DOCKERFILE.replace("3.12", "3.13")},  # a file the review read (unchanged by the change)
    {"notes.txt": "new\n"},  # a new path: cross-file rules look at which files exist
    {".env": "API_TOKEN=tok-1234567890\n"},  # a new file beside the compose file
], ids=["read-file-changed", "path-added", "env-added"])
def test_a_base_that_changed_what_the_review_depends_on_is_reviewed(service, on_main) -> None:
    gh, app, server = service
    number, _ = reviewed(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
    gh.push("octo/shop", "main", files=on_main)
    run, calls = group_run(gh, server, [number])
    assert REUSED not in run["output"]["summary"] and calls["graphql"] >= 1


def test_a_non_docker_file_the_review_read_changed_on_the_base_is_a_miss(service) -> None:
    """The compose project's `.env` (not a Docker file by name, but read for interpolation) edited on
    the base after the review: the review depended on it, so the group is reviewed."""
    gh, app, server = service
    gh.push("octo/shop", "main", files={".env": "LOG_LEVEL=info\n"})
    number, _ = reviewed(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
    gh.push("octo/shop", "main", files={".env": "LOG_LEVEL=debug\n"})
    run, calls = group_run(gh, server, [number])
    assert REUSED not in run["output"]["summary"] and calls["graphql"] >= 1


def test_a_config_changed_on_the_base_after_the_review_is_a_miss(service) -> None:
    gh, app, server = service
    number, pr_run = reviewed(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
    assert pr_run["conclusion"] == "failure"
    gh.push("octo/shop", "main", files={"pyproject.toml": LAX})  # read only as the config
    run, _ = group_run(gh, server, [number])
    assert REUSED not in run["output"]["summary"]
    assert run["conclusion"] == "success"  # reviewed under the base's new config


def test_a_pull_request_into_a_lax_branch_lends_nothing_to_a_group_into_main(service) -> None:
    """Same files, same change, but its base branch's config never fails: a group into `main` misses."""
    gh, app, server = service
    lax_base = gh.push("octo/shop", "lax", files={"pyproject.toml": LAX}, parent=gh.repo("octo/shop").branches["main"])
    gh.push("octo/shop", "lax-risky", files={"compose.yaml": RISKY_COMPOSE}, parent=lax_base)
    lax = gh.open_pull_request("octo/shop", head="lax-risky", base="lax", user="alice")
    assert send(gh, app, server, "opened", lax) == 202
    completed_run(gh, gh.pull("octo/shop", lax).head_sha)
    number, _ = open_pr(gh, {"compose.yaml": RISKY_COMPOSE}, branch="risky")  # into main, never reviewed
    run, _ = group_run(gh, server, [number])
    assert REUSED not in run["output"]["summary"] and run["conclusion"] == "failure"


def test_a_pull_request_pushed_after_its_review_cannot_queue_the_old_result(service) -> None:
    """Reviewed while harmless, then a secret pushed and queued before any review of it: a miss."""
    gh, app, server = service
    number, pr_run = reviewed(gh, app, server, {"compose.yaml": BASE_COMPOSE.replace("1.4", "1.5")}, "sneaky")
    assert pr_run["conclusion"] == "success"
    gh.push("octo/shop", "sneaky", files={"compose.yaml": RISKY_COMPOSE.replace("1.4", "1.5")})  # no delivery
    run, calls = group_run(gh, server, [number])
    assert REUSED not in run["output"]["summary"] and run["conclusion"] == "failure" and calls["graphql"] >= 1


# --- what the key and the kept value compare, one part changed at a time --------------------------

def _tree(files: dict[str, tuple[str, str]], commit: str = "c" * 40, repo: str = "shop") -> RemoteTree:
    """A tree of `files` (path -> (kind, sha)), every blob 10 bytes."""
    return RemoteTree("octo", repo, commit, {p: Entry(sha, 10, kind) for p, (kind, sha) in files.items()})


BASE_FILES = {"compose.yaml": ("blob", "a1"), "Dockerfile": ("blob", "d1"), "README.md": ("blob", "r1")}
HEAD_FILES = {**BASE_FILES, "compose.yaml": ("blob", "a2")}


def _kept_and_found(head_files: dict, base_files: dict, *, repo: str = "shop", status: str = "modified") -> bool:
    """Keep a review of BASE_FILES -> HEAD_FILES (it read compose.yaml and Dockerfile), then look for
    it with the trees given: whether it is found."""
    async def run() -> bool:
        results = Results(MemoryQueue(), ttl=60)
        head, base = _tree(HEAD_FILES), _tree(BASE_FILES)
        for tree in (head, base):
            tree.contents.update({"compose.yaml": b"x", "Dockerfile": b"y"})
        diff = diffmap.DiffMap({"compose.yaml": diffmap.FileDiff("compose.yaml", "modified")})
        assert await results.keep(report=Report(), config=Config(), config_at="b" * 40, diff=diff, head=head,
                                  base=base, commit="h" * 40, number=7)
        other = diffmap.DiffMap({"compose.yaml": diffmap.FileDiff("compose.yaml", status)})
        found = await results.find(None, _tree(head_files, repo=repo), _tree(base_files, repo=repo),  # type: ignore[arg-type]
                                   other, "b" * 40)
        return found is not None

    return asyncio.run(run())


def test_the_same_content_is_found() -> None:
    assert _kept_and_found(HEAD_FILES, BASE_FILES)
    # A file the review never read may have other content (its path and kind are the same).
    assert _kept_and_found({**HEAD_FILES, "README.md": ("blob", "r9")}, {**BASE_FILES, "README.md": ("blob", "r8")})


@pytest.mark.parametrize(("head_files", "base_files", "kw"), [
    ({**HEAD_FILES, "compose.yaml": ("blob", "a3")}, BASE_FILES, {}),  # a read blob on the head
    (HEAD_FILES, {**BASE_FILES, "Dockerfile": ("blob", "d2")}, {}),  # a read blob on the base
    ({**HEAD_FILES, "Dockerfile": ("symlink", "d1")}, BASE_FILES, {}),  # the same sha, now a symlink
    ({**HEAD_FILES, ".env": ("blob", "e1")}, {**BASE_FILES, ".env": ("blob", "e1")}, {}),  # a path added
    ({k: v for k, v in HEAD_FILES.items() if k != "README.md"}, BASE_FILES, {}),  # a path gone
    (HEAD_FILES, BASE_FILES, {"repo": "other"}),  # another repository
    (HEAD_FILES, BASE_FILES, {"status": "added"}),  # the change differs
], ids=["head-blob", "base-blob", "kind", "path-added", "path-removed", "repository", "change"])
def test_any_part_that_decides_the_result_changed_is_a_miss(head_files, base_files, kw) -> None:
    assert not _kept_and_found(head_files, base_files, **kw)


def test_a_file_over_the_size_cap_is_part_of_the_content() -> None:
    small, large = _tree(HEAD_FILES), _tree(HEAD_FILES)
    large.entries["README.md"].size = Config().max_file_size + 1  # never read: noted by its size
    reads = {"head": ["compose.yaml"], "base": []}
    assert (content_digest(small, _tree(BASE_FILES), reads, Config().max_file_size)
            != content_digest(large, _tree(BASE_FILES), reads, Config().max_file_size))


def test_a_review_that_did_not_cover_everything_is_not_kept() -> None:
    from dockreview.bot.worker.reuse import complete
    from dockreview.rules.report import Note

    head, base = _tree(HEAD_FILES), _tree(BASE_FILES)
    assert complete(Report(), head, base, Config().max_file_size)
    head.asked.add("README.md")  # asked for by the engine, never read (its passes ran out)
    assert not complete(Report(), head, base, Config().max_file_size)
    head.contents["README.md"] = b"# shop\n"
    assert complete(Report(), head, base, Config().max_file_size)
    assert not complete(Report(errors=[Note("x", "not reviewed", unreviewed=True)]), head, base, 100)
    head.truncated = True
    assert not complete(Report(), head, base, Config().max_file_size)


def test_another_effective_config_is_another_digest() -> None:
    assert config_digest(Config()) == config_digest(Config())
    assert config_digest(Config(fail_on="never")) != config_digest(Config())
    assert config_digest(Config(suppressions_from_pull_request=True)) != config_digest(Config())


# --- the kept values: bounded, expiring, unreadable ones a miss ----------------------------------

@contextlib.contextmanager
def small_shop() -> Iterator[tuple[FakeGitHub, object]]:
    """The fake GitHub with the App (merge queue permission) installed on a one-compose-file octo/shop."""
    gh = FakeGitHub()
    gh.start()
    try:
        app = _app_from_manifest(gh)
        gh.create_repo("octo/shop", files={"compose.yaml": BASE_COMPOSE, "README.md": "# shop\n"})
        gh.install(app, "octo", ["shop"])
        yield gh, app
    finally:
        gh.stop()


def test_a_reuse_ttl_of_zero_keeps_nothing(monkeypatch) -> None:
    monkeypatch.setenv("DOCKREVIEW_RETRY_BASE", "0.05")
    with small_shop() as (gh, app):
        with AppServer(settings_for(gh, app, reuse_ttl=0)) as server:
            number, _ = reviewed(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
            run, calls = group_run(gh, server, [number])
            assert server.queue._results == {}
        assert REUSED not in run["output"]["summary"] and calls["graphql"] >= 1


def test_the_memory_store_keeps_the_newest_results_and_lets_them_expire() -> None:
    async def run() -> None:
        queue = MemoryQueue()
        for i in range(RESULTS_KEPT + 5):
            await queue.put_result(f"k{i}", "v", 60)
        assert await queue.get_result("k0") is None and await queue.get_result(f"k{RESULTS_KEPT + 4}") == "v"
        assert len(queue._results) == RESULTS_KEPT
        for i in range(3):  # 30 MiB each: over the byte budget, the oldest go first
            await queue.put_result(f"big{i}", "x" * (30 * 1024 * 1024), 60)
        assert await queue.get_result("big0") is None and await queue.get_result("big2") is not None
        await queue.put_result("short", "v", 0.05)
        await asyncio.sleep(0.1)
        assert await queue.get_result("short") is None

    asyncio.run(run())


def test_redis_keeps_the_newest_results_with_a_ttl(redis_server) -> None:
    async def run() -> None:
        queue = RedisQueue(redis_server.url)
        try:
            for i in range(RESULTS_KEPT + 3):
                await queue.put_result(f"k{i}", "v", 60)
            assert await queue.get_result("k0") is None and await queue.get_result(f"k{RESULTS_KEPT + 2}") == "v"
            assert await queue.redis.zcard("dockreview:results") == RESULTS_KEPT
            assert len(await queue.redis.keys("dockreview:result:*")) == RESULTS_KEPT
            assert 0 < await queue.redis.pttl("dockreview:result:k5") <= 60_000
        finally:
            await queue.close()

    asyncio.run(run())


def test_an_unreadable_kept_value_is_a_miss(redis_server, monkeypatch) -> None:
    """Whatever sits under a key (another format, garbage), the group is reviewed, never failed."""
    monkeypatch.setenv("DOCKREVIEW_RETRY_BASE", "0.05")
    with small_shop() as (gh, app):
        settings = settings_for(gh, app, redis_url=redis_server.url)
        with embedded(settings, redis_server.url) as server:
            number, _ = reviewed(gh, app, server, {"compose.yaml": RISKY_COMPOSE}, "risky")
            import redis as redis_py

            admin = redis_py.Redis.from_url(redis_server.url, decode_responses=True)
            [key] = wait_for(lambda: admin.keys("dockreview:result:*"))
            admin.set(key, "not a kept value")
            admin.close()
            run, calls = group_run(gh, server, [number])
        assert REUSED not in run["output"]["summary"] and run["conclusion"] == "failure"
        assert calls["graphql"] >= 1
