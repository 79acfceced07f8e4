"""How many GitHub calls one pull request review makes (the fake GitHub over HTTP counts them):
the config, head and base files, the review threads and the pull requests on the head are read in
one GraphQL query; changed files and merge base come from one compare call; the base tree is the
head's with the changes undone; the check run is created once, completed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from dockreview.bot.github import GitHubClient, api
from dockreview.bot.github.contents import RemoteTree, fetch, load_tree
from dockreview.bot.review import diffmap
from dockreview.bot.worker import listing
from dockreview.bot.worker.pull_request import PullRequestReview

from tests.apprunner import AppServer, settings_for, wait_for
from tests.fakegithub import FakeGitHub

BASE = {"compose.yaml": "services:\n  web:\n    image: example/web:1.4\n", "README.md": "# shop\n",
        ".dockreview.yml": "max_comments: 20\n"}
HEAD = {"compose.yaml": "services:\n  web:\n    image: example/web:latest\n    privileged: true\n",
        "Dockerfile": "FROM python:latest\n", "deploy.sh": "#!/bin/sh\ndocker compose down -v\n"}


@pytest.fixture(autouse=True)
def _patient_check_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The calls counted here must not depend on the machine's speed: a review slower than
    DOCKREVIEW_CHECK_RUN_DEFER (1 s) shows its run in progress first, one call more (tested apart)."""
    monkeypatch.setenv("DOCKREVIEW_CHECK_RUN_DEFER", "120")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    gh = FakeGitHub()
    gh.start()
    yield gh
    gh.stop()


def review_calls(gh: FakeGitHub, changed_sources: int) -> tuple[str, list[tuple[str, str]]]:
    """(conclusion, the calls of one review) for a PR changing 3 Docker files and `changed_sources` others."""
    client, number = pull_request(gh, changed_sources)
    return review_again(gh, client, number, "j1")


def review_again(gh: FakeGitHub, client: GitHubClient, number: int, job_id: str) -> tuple[str, list[tuple[str, str]]]:
    async def run() -> str:
        await client.json("GET", f"/repos/octo/shop/pulls/{number}")  # the installation token, before counting
        gh.reset_calls()
        return (await PullRequestReview(client, "octo", "shop", number, job_id=job_id).run()).conclusion

    conclusion = asyncio.run(run())
    return conclusion, [(c.method, c.operation or c.path) for c in gh.calls if "access_tokens" not in c.path]


def pull_request(gh: FakeGitHub, changed_sources: int) -> tuple[GitHubClient, int]:
    app = gh.create_app(slug="dockreview", webhook_secret="whsec-test")
    gh.create_repo("octo/shop", files={**BASE, **{f"src/f{i}.py": "x = 1\n" for i in range(changed_sources)}})
    installation = gh.install(app, "octo", ["shop"])
    gh.add_user("alice", permission_on={"octo/shop": "write"})
    gh.push("octo/shop", "feature", files={**HEAD, **{f"src/f{i}.py": "x = 2\n" for i in range(changed_sources)}})
    number = gh.open_pull_request("octo/shop", head="feature", base="main", user="alice")
    return GitHubClient(settings_for(gh, app), installation), number


def test_a_small_pull_request_costs_seven_calls_with_one_graphql_read(github: FakeGitHub) -> None:
    conclusion, calls = review_calls(github, 1)
    assert conclusion == "failure"  # the review happened: privileged, down -v
    assert len(calls) <= 7, [op for _, op in calls]  # 8 with the installation token
    assert sum(op == "graphql" for _, op in calls) == 1, calls  # config, files, threads, pulls in one query
    assert sum(op == "git/get-tree" for _, op in calls) == 1, calls  # the head's; the base's is derived


def test_a_hundred_changed_files_cost_no_more(github: FakeGitHub) -> None:
    _, calls = review_calls(github, 97)
    assert len(calls) <= 7, [op for _, op in calls]
    assert sum(op == "graphql" for _, op in calls) == 1, calls


def test_a_second_review_finds_its_comments_in_the_first_query(github: FakeGitHub) -> None:
    """The review threads come with the blob batch: a re-review posts nothing twice, with no extra call."""
    client, number = pull_request(github, 1)
    review_again(github, client, number, "j1")
    posted = len(github.review_comments("octo/shop", number))
    conclusion, calls = review_again(github, client, number, "j2")
    assert conclusion == "failure"
    assert posted > 0 and len(github.review_comments("octo/shop", number)) == posted
    ops = [op for _, op in calls]
    assert "pulls/list-review-comments" not in ops and ops.count("graphql") == 1, ops
    assert "pulls/create-review" not in ops, ops  # nothing new to say


def test_a_small_pull_request_through_the_service_costs_at_most_eight_calls(github: FakeGitHub) -> None:
    """Delivery to completed check run through the real service, every call counted (token included)."""
    app = github.create_app(slug="dockreview", webhook_secret="whsec-test")
    github.create_repo("octo/shop", files={**BASE, **{f"src/f{i}.py": "x = 1\n" for i in range(7)}})
    github.install(app, "octo", ["shop"])
    sha = github.push("octo/shop", "feature", files={**HEAD, **{f"src/f{i}.py": "x = 2\n" for i in range(7)}})
    number = github.open_pull_request("octo/shop", head="feature", base="main", user="alice")
    with AppServer(settings_for(github, app)) as server:
        github.reset_calls()
        github.deliver("pull_request", github.event_payload("pull_request", "opened", repo="octo/shop",
                                                            number=number), url=server.url, app=app)
        [run] = wait_for(lambda: [r for r in github.check_runs("octo/shop", sha=sha) if r["status"] == "completed"])
    calls = [f"{c.method} {c.operation or c.path}" for c in github.calls]
    assert run["conclusion"] == "failure" and github.review_comments("octo/shop", number)
    assert len(calls) <= 8, calls  # 10 changed files, 3 of them Docker-related
    assert calls.count("POST checks/create") == 1 and "PATCH checks/update" not in calls, calls


def test_the_derived_base_tree_is_the_merge_base_tree(github: FakeGitHub) -> None:
    """Added, removed, renamed and modified files undone on the head's tree give the base's paths."""
    app = github.create_app(slug="dockreview", webhook_secret="whsec-test")
    github.create_repo("octo/shop", files={"a/Dockerfile": "FROM a\n", "old.yaml": "x: 1\n", "keep.md": "k\n",
                                           "gone/compose.yaml": "services: {}\n", "mod.sh": "#!/bin/sh\n"})
    installation = github.install(app, "octo", ["shop"])
    github.push("octo/shop", "feature", files={"a/Dockerfile": "FROM b\n", "new/Dockerfile": "FROM c\n",
                                               "renamed.yaml": "x: 1\n", "mod.sh": "#!/bin/sh\necho\n"},
                delete=["old.yaml", "gone/compose.yaml"])
    number = github.open_pull_request("octo/shop", head="feature", base="main", user="alice")
    client = GitHubClient(settings_for(github, app), installation)

    async def trees() -> tuple[RemoteTree, RemoteTree | None, diffmap.DiffMap]:
        pr = await api.get_pull(client, "octo", "shop", number)
        compared = await api.compare(client, "octo", "shop", pr["base"]["sha"], pr["head"]["sha"])
        diff = diffmap.DiffMap.from_pull_files(compared["files"])
        base_sha = compared["merge_base_commit"]["sha"]
        head = await load_tree(client, "octo", "shop", pr["head"]["sha"])
        real = await load_tree(client, "octo", "shop", base_sha)
        derived = listing.base_from_head(head, diff, base_sha)
        assert derived is not None
        await fetch(client, derived, derived.paths, 1 << 20)
        await fetch(client, real, real.paths, 1 << 20)
        return real, derived, diff

    real, derived, diff = asyncio.run(trees())
    assert derived is not None
    assert any(f.status == "renamed" for f in diff.files.values())
    assert sorted(derived.paths) == sorted(real.paths)
    assert derived.contents == real.contents
    assert derived.sizes == real.sizes
    assert {p: e.sha for p, e in derived.entries.items() if e.kind == "blob"} == {
        p: e.sha for p, e in real.entries.items() if e.kind == "blob"}



@pytest.mark.parametrize("jwt", [False, True], ids=["installation token", "app jwt"])
def test_a_next_page_on_another_host_is_never_followed(github: FakeGitHub, jwt: bool) -> None:
    """A `Link: rel="next"` to another host would carry the token there: refused before any request."""
    import socket

    from dockreview.bot.github import GitHubError

    client, number = pull_request(github, 1)
    if jwt:
        client = GitHubClient(client.settings, None)
    with socket.socket() as trap:  # where the forged link points: nothing may connect
        trap.bind(("127.0.0.1", 0))
        trap.listen(1)
        trap.settimeout(0.2)
        evil = f"http://localhost:{trap.getsockname()[1]}/steal?page=2"
        path = r"/app/hook/deliveries" if jwt else rf"/pulls/{number}/files"
        github.fail("GET", path, status=200, times=1, body=[{"id": 1, "filename": "a", "status": "added"}],
                    headers={"link": f'<{evil}>; rel="next"'})

        async def pages() -> None:
            if jwt:
                async for _ in api.hook_delivery_pages(client):
                    pass
            else:
                await api.list_pull_files(client, "octo", "shop", number)

        with pytest.raises(GitHubError, match="another host"):
            asyncio.run(pages())
        with pytest.raises(TimeoutError):
            trap.accept()
