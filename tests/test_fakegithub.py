"""The fake GitHub itself: shapes validate against GitHub's OpenAPI and webhook schemas, and GitHub's
rules (diff anchoring, annotation limits, auth, pagination caps, signing) are enforced."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jsonschema import Draft7Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.conftest import require_shared, shared_dir
from tests.fakegithub import FakeGitHub, signature

GITHUB_REF = (shared_dir() or Path("/nonexistent")) / "github"

DOCKERFILE = "FROM python:3.11\n" + "".join(f"RUN echo step{i}\n" for i in range(1, 21))
COMPOSE = "services:\n  web:\n    image: nginx:1.25\n    ports:\n      - '80:80'\n"


# --- fixtures -----------------------------------------------------------------------------------


class Receiver:
    """A real HTTP server standing in for the App's webhook endpoint."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 202
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def env():
    gh = FakeGitHub()
    base = gh.start()
    receiver = Receiver("s3cret")
    app = gh.create_app(slug="dockreview", webhook_secret="s3cret", webhook_url=receiver.url)
    inst = gh.install(app, "octo")  # all repositories of octo
    client = httpx.Client(base_url=base, timeout=10)
    yield {"gh": gh, "app": app, "inst": inst, "client": client, "receiver": receiver}
    client.close()
    receiver.server.shutdown()
    gh.stop()


def app_jwt(app, exp_in: int = 540, key: str | None = None, iat_ago: int = 60) -> str:
    now = int(time.time())
    claims = {"iat": now - iat_ago, "exp": now + exp_in, "iss": str(app.id)}
    return jwt.encode(claims, key or app.private_key_pem, algorithm="RS256")


def token(env) -> dict[str, str]:
    r = env["client"].post(
        f"/app/installations/{env['inst']}/access_tokens",
        headers={"Authorization": f"Bearer {app_jwt(env['app'])}", "Accept": "application/vnd.github+json"},
    )
    assert r.status_code == 201, r.text
    return {"Authorization": f"token {r.json()['token']}"}


def make_pr(env, name: str, base_files: dict[str, str], head_files: dict[str, str], delete=None, fork=False):
    gh = env["gh"]
    gh.create_repo(f"octo/{name}", files=base_files)
    sha = gh.push(f"octo/{name}", "feature", files=head_files, delete=delete)
    number = gh.open_pull_request(f"octo/{name}", head="feature", base="main", user="alice", fork=fork)
    return f"octo/{name}", number, sha


# --- OpenAPI validation -------------------------------------------------------------------------


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` -> JSON Schema."""
    if isinstance(node, list):
        return [_nullable(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="module")
def openapi():
    require_shared("github")
    docs = [json.loads((GITHUB_REF / f).read_text()) for f in ("openapi-subset.json", "openapi-extra.json")]
    components: dict[str, Any] = {}
    ops: dict[str, dict[str, Any]] = {}
    for doc in docs:
        components.update(doc["components"]["schemas"])
        for path_item in doc["paths"].values():
            for op in path_item.values():
                if isinstance(op, dict) and "operationId" in op:
                    ops[op["operationId"]] = op
    components = _nullable(components)

    def validate(operation: str, status: int, body: Any) -> None:
        response = ops[operation]["responses"][str(status)]
        schema = response["content"]["application/json"]["schema"]
        root = {"components": {"schemas": components}, **_nullable(schema)}
        errors = sorted(Draft202012Validator(root).iter_errors(body), key=lambda e: list(e.path))
        assert not errors, f"{operation}: " + "; ".join(
            f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]
        )

    return validate


def test_every_rest_response_validates_against_openapi(env, openapi):
    gh, c = env["gh"], env["client"]
    repo, n, sha = make_pr(
        env,
        "shapes",
        {"Dockerfile": DOCKERFILE, "compose.yaml": COMPOSE, "old.txt": "x\n"},
        {"Dockerfile": DOCKERFILE.replace("3.11", "3.12"), "new.txt": "hello\n"},
        delete=["old.txt"],
    )
    bob = gh.add_user("bob", permission_on={repo: "write"})
    assert bob.login == "bob"
    jwt_h = {"Authorization": f"Bearer {app_jwt(env['app'])}"}
    r = c.post(f"/app/installations/{env['inst']}/access_tokens", headers=jwt_h)
    openapi("apps/create-installation-access-token", 201, r.json())
    h = {"Authorization": f"token {r.json()['token']}"}
    seen: set[str] = {"apps/create-installation-access-token"}

    def check(operation: str, response: httpx.Response, status: int) -> Any:
        assert response.status_code == status, response.text
        openapi(operation, status, response.json())
        seen.add(operation)
        return response.json()

    check("apps/get-repo-installation", c.get(f"/repos/{repo}/installation", headers=jwt_h), 200)
    check("pulls/get", c.get(f"/repos/{repo}/pulls/{n}", headers=h), 200)
    files = check("pulls/list-files", c.get(f"/repos/{repo}/pulls/{n}/files", headers=h), 200)
    assert {f["status"] for f in files} == {"modified", "added", "removed"}
    review = check(
        "pulls/create-review",
        c.post(
            f"/repos/{repo}/pulls/{n}/reviews",
            headers=h,
            json={
                "event": "COMMENT",
                "body": "summary",
                "comments": [
                    {"path": "Dockerfile", "line": 1, "body": "pin it"},
                    {"path": "new.txt", "body": "file level", "subject_type": "file"},
                ],
            },
        ),
        200,
    )
    check("pulls/list-reviews", c.get(f"/repos/{repo}/pulls/{n}/reviews", headers=h), 200)
    comments = check("pulls/list-review-comments", c.get(f"/repos/{repo}/pulls/{n}/comments", headers=h), 200)
    cid = comments[0]["id"]
    assert cid > 2**31 - 200  # real ids no longer fit in 32 bits
    single = check(
        "pulls/create-review-comment",
        c.post(
            f"/repos/{repo}/pulls/{n}/comments",
            headers=h,
            json={"body": "another", "commit_id": sha, "path": "Dockerfile", "line": 3, "side": "RIGHT"},
        ),
        201,
    )
    check(
        "pulls/create-review-comment",
        c.post(f"/repos/{repo}/pulls/{n}/comments", headers=h, json={"body": "reply", "in_reply_to": cid}),
        201,
    )
    check(
        "pulls/create-reply-for-review-comment",
        c.post(f"/repos/{repo}/pulls/{n}/comments/{single['id']}/replies", headers=h, json={"body": "r2"}),
        201,
    )
    check(
        "pulls/update-review-comment",
        c.patch(f"/repos/{repo}/pulls/comments/{cid}", headers=h, json={"body": "edited"}),
        200,
    )
    assert c.delete(f"/repos/{repo}/pulls/comments/{single['id']}", headers=h).status_code == 204
    seen.add("pulls/delete-review-comment")
    check(
        "pulls/dismiss-review",
        c.put(
            f"/repos/{repo}/pulls/{n}/reviews/{review['id']}/dismissals",
            headers=h,
            json={"message": "stale", "event": "DISMISS"},
        ),
        200,
    )
    run = check(
        "checks/create",
        c.post(
            f"/repos/{repo}/check-runs",
            headers=h,
            json={
                "name": "dockreview",
                "head_sha": sha,
                "status": "in_progress",
                "external_id": "x",
                "output": {
                    "title": "t",
                    "summary": "s",
                    "annotations": [
                        {
                            "path": "Dockerfile",
                            "start_line": 1,
                            "end_line": 1,
                            "start_column": 1,
                            "end_column": 4,
                            "annotation_level": "warning",
                            "message": "m",
                            "title": "T",
                        }
                    ],
                },
            },
        ),
        201,
    )
    assert run["pull_requests"][0]["number"] == n
    check(
        "checks/update",
        c.patch(
            f"/repos/{repo}/check-runs/{run['id']}",
            headers=h,
            json={"conclusion": "neutral", "output": {"title": "t", "summary": "done"}},
        ),
        200,
    )
    check(
        "checks/list-for-ref",
        c.get(f"/repos/{repo}/commits/{sha}/check-runs?check_name=dockreview", headers=h),
        200,
    )
    content = check(
        "repos/get-content", c.get(f"/repos/{repo}/contents/Dockerfile?ref={sha}", headers=h), 200
    )
    import base64

    assert base64.b64decode(content["content"]).decode() == DOCKERFILE.replace("3.11", "3.12")
    check("repos/get-content", c.get(f"/repos/{repo}/contents/?ref=main", headers=h), 200)
    tree = check("git/get-tree", c.get(f"/repos/{repo}/git/trees/{sha}?recursive=1", headers=h), 200)
    blob_sha = next(e["sha"] for e in tree["tree"] if e["path"] == "Dockerfile")
    check("git/get-blob", c.get(f"/repos/{repo}/git/blobs/{blob_sha}", headers=h), 200)
    cmp = check("repos/compare-commits", c.get(f"/repos/{repo}/compare/main...feature", headers=h), 200)
    assert cmp["status"] == "ahead" and cmp["ahead_by"] == 1
    ic = check(
        "issues/create-comment",
        c.post(f"/repos/{repo}/issues/{n}/comments", headers=h, json={"body": "summary"}),
        201,
    )
    check("issues/list-comments", c.get(f"/repos/{repo}/issues/{n}/comments", headers=h), 200)
    check(
        "issues/update-comment",
        c.patch(f"/repos/{repo}/issues/comments/{ic['id']}", headers=h, json={"body": "v2"}),
        200,
    )
    check(
        "reactions/create-for-issue-comment",
        c.post(f"/repos/{repo}/issues/comments/{ic['id']}/reactions", headers=h, json={"content": "eyes"}),
        201,
    )
    check(
        "reactions/create-for-issue-comment",
        c.post(f"/repos/{repo}/issues/comments/{ic['id']}/reactions", headers=h, json={"content": "eyes"}),
        200,
    )
    perm = check(
        "repos/get-collaborator-permission-level",
        c.get(f"/repos/{repo}/collaborators/bob/permission", headers=h),
        200,
    )
    assert (perm["permission"], perm["role_name"]) == ("write", "write")
    status, _guid = gh.deliver(
        "pull_request", gh.event_payload("pull_request", "opened", repo=repo, number=n)
    )
    assert status == 202
    deliveries = check("apps/list-webhook-deliveries", c.get("/app/hook/deliveries", headers=jwt_h), 200)
    check(
        "apps/get-webhook-delivery", c.get(f"/app/hook/deliveries/{deliveries[0]['id']}", headers=jwt_h), 200
    )
    assert c.post(f"/app/hook/deliveries/{deliveries[0]['id']}/attempts", headers=jwt_h).status_code == 202
    seen.add("apps/redeliver-webhook-delivery")
    assert len(seen) == 27  # every operation in openapi-subset.json + openapi-extra.json


# --- webhook payloads ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def webhook_schema():
    root = GITHUB_REF / "webhook-schemas"
    require_shared("github/webhook-schemas")
    resources = [
        (
            p.relative_to(root).as_posix(),
            Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT7),
        )
        for p in root.rglob("*.json")
    ]
    registry = Registry().with_resources(resources)

    def validate(event: str, action: str, payload: dict[str, Any]) -> None:
        schema = json.loads((root / event / f"{action}.schema.json").read_text())
        errors = list(Draft7Validator(schema, registry=registry).iter_errors(payload))
        assert not errors, f"{event}.{action}: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message[:160]}" for e in errors[:5]
        )

    return validate


def test_event_payloads_validate_against_webhook_schemas(env, webhook_schema):
    gh = env["gh"]
    repo, n, sha = make_pr(
        env, "events", {"Dockerfile": DOCKERFILE}, {"Dockerfile": DOCKERFILE + "USER app\n"}
    )
    for action in ("opened", "synchronize", "reopened", "ready_for_review"):
        p = gh.event_payload("pull_request", action, repo=repo, number=n)
        webhook_schema("pull_request", action, p)
        assert p["pull_request"]["head"]["sha"] == sha and p["installation"]["id"] == env["inst"]
    p = gh.event_payload("issue_comment", "created", repo=repo, number=n, body="/recheck", user="bob")
    webhook_schema("issue_comment", "created", p)
    assert p["comment"]["body"] == "/recheck" and p["issue"]["pull_request"]["url"].endswith(f"/pulls/{n}")
    assert p["comment"]["author_association"] in ("COLLABORATOR", "NONE")
    h = token(env)
    run = (
        env["client"]
        .post(
            f"/repos/{repo}/check-runs",
            headers=h,
            json={"name": "dockreview", "head_sha": sha, "conclusion": "success"},
        )
        .json()
    )
    p = gh.event_payload("check_run", "rerequested", repo=repo, check_run_id=run["id"])
    webhook_schema("check_run", "rerequested", p)
    assert p["check_run"]["check_suite"]["pull_requests"][0]["number"] == n
    p = gh.event_payload("check_suite", "rerequested", repo=repo, head_sha=sha)
    webhook_schema("check_suite", "rerequested", p)
    assert p["check_suite"]["head_sha"] == sha
    webhook_schema(
        "installation", "created", gh.event_payload("installation", "created", installation=env["inst"])
    )
    # fork PRs: check_suite payloads carry an empty pull_requests array
    gh.create_repo("octo/forked", files={"Dockerfile": DOCKERFILE})
    fsha = gh.push("octo/forked", "patch-1", files={"Dockerfile": DOCKERFILE + "USER app\n"})
    fn = gh.open_pull_request("octo/forked", head="patch-1", user="mallory", fork=True)
    p = gh.event_payload("check_suite", "requested", repo="octo/forked", head_sha=fsha)
    webhook_schema("check_suite", "requested", p)
    assert p["check_suite"]["pull_requests"] == []
    pr = gh.event_payload("pull_request", "opened", repo="octo/forked", number=fn)["pull_request"]
    assert pr["head"]["repo"]["full_name"] == "mallory/forked" and pr["head"]["repo"]["fork"] is True


# --- auth ---------------------------------------------------------------------------------------


def test_auth_rejections(env):
    gh, c, app = env["gh"], env["client"], env["app"]
    repo, n, _ = make_pr(env, "auth", {"a.txt": "1\n"}, {"a.txt": "2\n"})
    url = f"/repos/{repo}/pulls/{n}"
    assert c.get(url).status_code == 401
    assert c.get(url, headers={"Authorization": "token ghs_unknown"}).json()["message"] == "Bad credentials"
    other = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    tokens_url = f"/app/installations/{env['inst']}/access_tokens"
    assert (
        c.post(tokens_url, headers={"Authorization": f"Bearer {app_jwt(app, key=other)}"}).status_code == 401
    )
    r = c.post(tokens_url, headers={"Authorization": f"Bearer {app_jwt(app, exp_in=660)}"})
    assert r.status_code == 401 and "too far in the future" in r.json()["message"]
    assert (
        c.post(
            tokens_url, headers={"Authorization": f"Bearer {app_jwt(app, exp_in=-5, iat_ago=300)}"}
        ).status_code
        == 401
    )
    assert c.post(tokens_url).status_code == 401
    h = token(env)
    assert c.post(tokens_url, headers=h).status_code == 401  # installation token is not a JWT
    assert c.get("/app/hook/deliveries", headers=h).status_code == 401
    assert c.get(url, headers=h).status_code == 200
    gh.expire_tokens()
    r = c.get(url, headers=h)
    assert r.status_code == 401 and r.json()["message"] == "Bad credentials"
    gh.set_token_ttl(30)
    h = token(env)
    gh.advance_time(31)
    try:
        assert c.get(url, headers=h).status_code == 401
    finally:
        gh.set_token_ttl(3600)
    h = token(env)
    # installation covers octo/*, not other accounts
    gh.create_repo("elsewhere/thing", files={"a": "b"})
    assert c.get("/repos/elsewhere/thing/contents/a", headers=h).status_code == 404
    # rate limit headers on every response
    r = c.get(url, headers=h)
    assert r.headers["x-ratelimit-limit"] == "5000" and r.headers["x-ratelimit-resource"] == "core"
    assert int(r.headers["x-ratelimit-remaining"]) < 5000 and "x-ratelimit-reset" in r.headers
    nf = c.get("/no/such/route", headers=h)
    assert nf.status_code == 404 and nf.json()["message"] == "Not Found"


# --- review comments ----------------------------------------------------------------------------


def test_off_diff_comment_rejects_whole_review(env):
    gh, c = env["gh"], env["client"]
    new = DOCKERFILE.replace("step10", "step10 changed")
    repo, n, _ = make_pr(env, "offdiff", {"Dockerfile": DOCKERFILE}, {"Dockerfile": new})
    h = token(env)
    good = {"path": "Dockerfile", "line": 11, "body": "ok"}  # the changed line
    bad = {"path": "Dockerfile", "line": 1, "body": "outside every hunk"}
    r = c.post(
        f"/repos/{repo}/pulls/{n}/reviews",
        headers=h,
        json={"event": "COMMENT", "body": "x", "comments": [good, bad]},
    )
    assert r.status_code == 422
    assert r.json()["message"] == "Unprocessable Entity"
    assert r.json()["errors"] == ["Pull request review thread line must be part of the diff"]
    assert gh.reviews(repo, n) == [] and gh.review_comments(repo, n) == []  # all-or-nothing
    # context lines (RIGHT) and deleted lines (LEFT) inside the hunk are fine
    ok = [
        good,
        {"path": "Dockerfile", "line": 8, "body": "context"},
        {"path": "Dockerfile", "line": 11, "side": "LEFT", "body": "old line"},
    ]
    r = c.post(
        f"/repos/{repo}/pulls/{n}/reviews", headers=h, json={"event": "COMMENT", "body": "x", "comments": ok}
    )
    assert r.status_code == 200, r.text
    assert len(gh.review_comments(repo, n)) == 3
    r = c.post(
        f"/repos/{repo}/pulls/{n}/comments",
        headers=h,
        json={"body": "b", "commit_id": gh.pull(repo, n).head_sha, "path": "Dockerfile", "line": 20},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "pull_request_review_thread.line must be part of the diff"
    r = c.post(
        f"/repos/{repo}/pulls/{n}/reviews",
        headers=h,
        json={"event": "COMMENT", "body": "x", "comments": [{"path": "nope.txt", "line": 1, "body": "b"}]},
    )
    assert r.status_code == 422 and r.json()["errors"] == ["Path could not be resolved"]
    # position (deprecated) is still accepted; one pending review per user
    r = c.post(
        f"/repos/{repo}/pulls/{n}/reviews",
        headers=h,
        json={"comments": [{"path": "Dockerfile", "position": 4, "body": "by position"}]},
    )
    assert r.status_code == 200 and r.json()["state"] == "PENDING"
    r = c.post(f"/repos/{repo}/pulls/{n}/reviews", headers=h, json={"body": "again"})
    assert r.status_code == 422 and "one pending review" in r.json()["errors"][0]
    assert len(gh.review_comments(repo, n)) == 3  # pending comments are not visible
    big = c.post(f"/repos/{repo}/issues/{n}/comments", headers=h, json={"body": "x" * 65537})
    assert big.status_code == 422


def test_multiline_comment_rules(env):
    c = env["client"]
    lines = [f"line {i}" for i in range(1, 41)]
    new = list(lines)
    new[4] = "changed 5"
    new[30] = "changed 31"
    repo, n, _ = make_pr(
        env, "multiline", {"f.txt": "\n".join(lines) + "\n"}, {"f.txt": "\n".join(new) + "\n"}
    )
    h = token(env)

    def review(comment: dict[str, Any]) -> httpx.Response:
        return c.post(
            f"/repos/{repo}/pulls/{n}/reviews",
            headers=h,
            json={"event": "COMMENT", "body": "x", "comments": [dict(comment, path="f.txt", body="b")]},
        )

    assert review({"start_line": 3, "line": 6}).status_code == 200
    assert review({"start_line": 6, "line": 6}).status_code == 422  # must precede
    assert review({"start_line": 7, "line": 5}).status_code == 422
    r = review({"start_line": 5, "line": 31})  # two different hunks
    assert r.status_code == 422 and "same hunk" in r.json()["errors"][0]
    assert review({"start_line": 5, "start_side": "LEFT", "line": 7}).status_code == 200
    assert review({"start_line": 15, "line": 31}).status_code == 422  # start outside the diff


# --- checks -------------------------------------------------------------------------------------


def _annotations(k: int, start: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "path": "Dockerfile",
            "start_line": i,
            "end_line": i,
            "annotation_level": "warning",
            "message": f"m{i}",
        }
        for i in range(start, start + k)
    ]


def test_check_run_annotation_limits(env):
    gh, c = env["gh"], env["client"]
    repo, _n, sha = make_pr(
        env, "checks", {"Dockerfile": DOCKERFILE}, {"Dockerfile": DOCKERFILE + "USER a\n"}
    )
    h = token(env)
    url = f"/repos/{repo}/check-runs"
    out = {"title": "dockreview", "summary": "s"}
    r = c.post(
        url,
        headers=h,
        json={"name": "dockreview", "head_sha": sha, "output": {**out, "annotations": _annotations(51)}},
    )
    assert r.status_code == 422
    assert gh.check_runs(repo, sha) == []
    r = c.post(
        url,
        headers=h,
        json={
            "name": "dockreview",
            "head_sha": sha,
            "status": "in_progress",
            "output": {**out, "annotations": _annotations(50)},
        },
    )
    assert r.status_code == 201
    run_id = r.json()["id"]
    r = c.patch(f"{url}/{run_id}", headers=h, json={"output": {**out, "annotations": _annotations(30, 51)}})
    assert r.status_code == 200 and r.json()["output"]["annotations_count"] == 80
    r = c.patch(f"{url}/{run_id}", headers=h, json={"status": "completed"})
    assert r.status_code == 422  # completed needs a conclusion
    r = c.patch(f"{url}/{run_id}", headers=h, json={"conclusion": "failure", "output": {"summary": "done"}})
    assert r.status_code == 200 and r.json()["status"] == "completed"
    [run] = gh.check_runs(repo, sha)
    assert (
        len(run["annotations"]) == 80
        and run["conclusion"] == "failure"
        and run["output"]["summary"] == "done"
    )
    bad_cases = [
        {"output": {**out, "summary": "s" * 65536}},
        {"output": {**out, "text": "t" * 65536}},
        {"output": {**out, "annotations": [dict(_annotations(1)[0], title="T" * 256)]}},
        {"output": {**out, "annotations": [dict(_annotations(1)[0], annotation_level="error")]}},
        {
            "output": {
                **out,
                "annotations": [dict(_annotations(1)[0], end_line=2, start_column=1, end_column=3)],
            }
        },
        {"output": {"summary": "no title"}},
        {"head_sha": "0" * 40},
        {"conclusion": "action_required"},
        {"actions": [{"label": "L" * 21, "identifier": "i", "description": "d"}]},
    ]
    for extra in bad_cases:
        r = c.post(url, headers=h, json={"name": "dockreview", "head_sha": sha, **extra})
        assert r.status_code == 422, extra
    assert (
        c.post(
            url, headers=h, json={"name": "d", "head_sha": sha, "output": {**out, "summary": "s" * 65535}}
        ).status_code
        == 201
    )


# --- pagination and caps ------------------------------------------------------------------------


def test_list_files_pagination_and_compare_cap(env):
    gh, c = env["gh"], env["client"]
    files = {f"svc{i:03}/Dockerfile": f"FROM alpine:{i}\n" for i in range(350)}
    repo, n, _ = make_pr(env, "many", {"README.md": "hi\n"}, files)
    h = token(env)
    url = f"/repos/{repo}/pulls/{n}/files"
    first = c.get(url, headers=h)
    assert len(first.json()) == 30 and 'rel="next"' in first.headers["link"]
    got: list[str] = []
    next_url: str | None = f"{url}?per_page=100"
    pages = 0
    while next_url:
        r = c.get(next_url, headers=h)
        pages += 1
        got += [f["filename"] for f in r.json()]
        link = r.headers.get("link", "")
        if pages == 1:
            assert 'rel="last"' in link and "page=4" in link
        next_url = next((p.split(";")[0].strip("<> ") for p in link.split(",") if 'rel="next"' in p), None)
    assert pages == 4 and len(got) == 350 == len(set(got))
    assert len(c.get(f"{url}?per_page=500", headers=h).json()) == 100
    cmp = c.get(f"/repos/{repo}/compare/main...feature", headers=h).json()
    assert len(cmp["files"]) == 300
    assert (
        c.get(f"/repos/{repo}/pulls/{n}", headers={**h, "Accept": "application/vnd.github.diff"}).status_code
        == 406
    )
    assert gh.count(operation="pulls/list-files") >= 5


# --- GraphQL ------------------------------------------------------------------------------------


def test_graphql_batch_read_and_thread_resolution(env):
    gh, c = env["gh"], env["client"]
    repo, n, sha = make_pr(
        env,
        "gql",
        {"Dockerfile": DOCKERFILE, "a.yaml": "a: 1\n"},
        {"Dockerfile": DOCKERFILE.replace("step3", "step3b"), "b.yaml": "b: 2\n"},
    )
    h = token(env)
    query = f"""query($o: String!, $r: String!) {{ rateLimit {{ cost remaining resetAt }}
      repository(owner: $o, name: $r) {{
        f0: object(expression: "{sha}:Dockerfile") {{
          ... on Blob {{ oid byteSize isBinary isTruncated text }} }}
        f1: object(expression: "{sha}:a.yaml") {{ ... on Blob {{ text }} }}
        f2: object(expression: "{sha}:b.yaml") {{ ... on Blob {{ text byteSize }} }}
        missing: object(expression: "{sha}:nope") {{ ... on Blob {{ text }} }} }} }}"""
    owner, name = repo.split("/")
    r = c.post("/graphql", headers=h, json={"query": query, "variables": {"o": owner, "r": name}})
    data = r.json()["data"]
    assert r.status_code == 200 and "errors" not in r.json()
    assert (
        data["repository"]["f0"]["text"].startswith("FROM python")
        and data["repository"]["f1"]["text"] == "a: 1\n"
    )
    assert data["repository"]["f2"]["byteSize"] == 5 and data["repository"]["missing"] is None
    assert data["rateLimit"]["cost"] == 1 and r.headers["x-ratelimit-resource"] == "graphql"
    c.post(
        f"/repos/{repo}/pulls/{n}/reviews",
        headers=h,
        json={
            "event": "COMMENT",
            "body": "x",
            "comments": [
                {"path": "Dockerfile", "line": 4, "body": "first"},
                {"path": "b.yaml", "line": 1, "body": "second"},
            ],
        },
    )
    threads_q = """{ repository(owner: "%s", name: "%s") { pullRequest(number: %d) {
      reviewThreads(first: 1%s) { pageInfo { hasNextPage endCursor }
        nodes { id isResolved isOutdated path line comments(first: 10) {
          nodes { id fullDatabaseId body author { login } } } } } } } }"""
    page1 = c.post("/graphql", headers=h, json={"query": threads_q % (owner, name, n, "")}).json()["data"]
    conn = page1["repository"]["pullRequest"]["reviewThreads"]
    assert conn["pageInfo"]["hasNextPage"] is True and conn["nodes"][0]["path"] == "Dockerfile"
    comment = conn["nodes"][0]["comments"]["nodes"][0]
    assert comment["author"]["login"] == "dockreview" and int(comment["fullDatabaseId"]) > 0
    after = ', after: "{}"'.format(conn["pageInfo"]["endCursor"])
    page2 = c.post("/graphql", headers=h, json={"query": threads_q % (owner, name, n, after)}).json()["data"]
    assert page2["repository"]["pullRequest"]["reviewThreads"]["nodes"][0]["path"] == "b.yaml"
    thread_id = conn["nodes"][0]["id"]
    m = (
        f'mutation {{ resolveReviewThread(input: {{threadId: "{thread_id}"}}) '
        "{ thread { id isResolved } } }"
    )
    r = c.post("/graphql", headers=h, json={"query": m}).json()
    assert r["data"]["resolveReviewThread"]["thread"] == {"id": thread_id, "isResolved": True}
    assert [t["isResolved"] for t in gh.threads(repo, n)] == [True, False]
    m = (
        f'mutation {{ unresolveReviewThread(input: {{threadId: "{thread_id}"}}) '
        "{ thread { isResolved } } }"
    )
    assert c.post("/graphql", headers=h, json={"query": m}).json()["data"]["unresolveReviewThread"][
        "thread"
    ] == {"isResolved": False}
    # a push that changes the commented line makes the thread outdated
    gh.push(repo, "feature", files={"Dockerfile": DOCKERFILE.replace("step3", "step3c")})
    assert gh.threads(repo, n)[0]["isOutdated"] is True
    # GitHub's pagination rules and error shape
    bad = c.post(
        "/graphql",
        headers=h,
        json={"query": threads_q.replace("first: 1%s", "first: 101%s") % (owner, name, n, "")},
    ).json()
    assert bad["errors"][0]["type"] == "EXCESSIVE_PAGINATION" and bad["errors"][0]["path"]
    nf = c.post("/graphql", headers=h, json={"query": '{ repository(owner: "x", name: "y") { id } }'}).json()
    assert nf["errors"][0]["type"] == "NOT_FOUND" and nf["data"] == {"repository": None}
    assert c.post("/graphql", json={"query": "{ rateLimit { cost } }"}).status_code == 401


# --- webhooks -----------------------------------------------------------------------------------


def test_delivery_signing_and_redelivery(env):
    assert signature("It's a Secret to Everybody", b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )
    gh, c, receiver = env["gh"], env["client"], env["receiver"]
    repo, n, _ = make_pr(env, "hooks", {"a": "1\n"}, {"a": "2\n"})
    before = len(receiver.requests)
    status, guid = gh.deliver("pull_request", gh.event_payload("pull_request", "opened", repo=repo, number=n))
    assert status == 202
    headers, body = receiver.requests[before]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["x-hub-signature-256"] == expected and headers["x-github-delivery"] == guid
    assert headers["x-github-event"] == "pull_request" and headers["user-agent"].startswith(
        "GitHub-Hookshot/"
    )
    assert headers["content-type"] == "application/json" and json.loads(body)["number"] == n
    receiver.status = 500
    try:
        failed_status, failed_guid = gh.deliver(
            "pull_request", gh.event_payload("pull_request", "synchronize", repo=repo, number=n)
        )
    finally:
        receiver.status = 202
    assert failed_status == 500
    jwt_h = {"Authorization": f"Bearer {app_jwt(env['app'])}"}
    listed = c.get("/app/hook/deliveries?per_page=1", headers=jwt_h)
    assert (
        listed.status_code == 200
        and 'rel="next"' in listed.headers["link"]
        and "cursor=" in listed.headers["link"]
    )
    item = listed.json()[0]
    assert item["guid"] == failed_guid and item["status_code"] == 500 and item["redelivery"] is False
    count = len(receiver.requests)
    assert c.post(f"/app/hook/deliveries/{item['id']}/attempts", headers=jwt_h).status_code == 202
    assert len(receiver.requests) == count + 1
    re_headers, re_body = receiver.requests[-1]
    assert re_headers["x-github-delivery"] == failed_guid and re_body == receiver.requests[count - 1][1]
    latest = c.get("/app/hook/deliveries", headers=jwt_h).json()[0]
    assert latest["redelivery"] is True and latest["guid"] == failed_guid and latest["status_code"] == 202
    full = c.get(f"/app/hook/deliveries/{latest['id']}", headers=jwt_h).json()
    assert full["request"]["headers"]["X-GitHub-Delivery"] == failed_guid
    assert c.post(f"/app/hook/deliveries/{item['id']}/attempts", headers=token(env)).status_code == 401


# --- fault injection ----------------------------------------------------------------------------


def test_fault_injection_and_secondary_rate_limit(env):
    gh, c = env["gh"], env["client"]
    repo, n, _ = make_pr(env, "faults", {"a": "1\n"}, {"a": "2\n"})
    h = token(env)
    url = f"/repos/{repo}/pulls/{n}/files"
    fault = gh.fail("GET", r"/pulls/\d+/files$", status=502, times=2)
    statuses = [c.get(url, headers=h).status_code for _ in range(3)]
    assert statuses == [502, 502, 200] and fault.hits == 2
    assert gh.count(operation="pulls/list-files", status=502) >= 2
    gh.secondary_rate_limit(times=1, retry_after=1, method="POST")
    r = c.post(f"/repos/{repo}/issues/{n}/comments", headers=h, json={"body": "hi"})
    assert r.status_code == 403 and r.headers["retry-after"] == "1"
    assert r.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert c.post(f"/repos/{repo}/issues/{n}/comments", headers=h, json={"body": "hi"}).status_code == 201
    assert len(gh.issue_comments(repo, n)) == 1
    # the documented content-creation limit (80/min) is enforced by default
    old = gh.content_limit_per_minute
    gh.content_limit_per_minute = 3
    try:
        codes = [
            c.post(f"/repos/{repo}/issues/{n}/comments", headers=h, json={"body": "x"}).status_code
            for _ in range(4)
        ]
    finally:
        gh.content_limit_per_minute = old
        gh._content_events.clear()
    assert codes[-1] == 403
    # primary rate limit
    gh.set_rate_limit(3)
    try:
        gh._rate.clear()
        codes = [c.get(url, headers=h).status_code for _ in range(4)]
        r = c.get(url, headers=h)
        assert codes == [200, 200, 200, 403] and r.headers["x-ratelimit-remaining"] == "0"
        assert "rate limit exceeded" in r.json()["message"]
    finally:
        gh.set_rate_limit(5000)
        gh._rate.clear()


def test_payload_is_independent_copy(env):
    gh = env["gh"]
    repo, n, _ = make_pr(env, "copies", {"a": "1\n"}, {"a": "2\n"})
    p1 = gh.event_payload("pull_request", "opened", repo=repo, number=n)
    p2 = copy.deepcopy(p1)
    p1["pull_request"]["title"] = "mutated"
    assert (
        gh.event_payload("pull_request", "opened", repo=repo, number=n)["pull_request"]["title"]
        == p2["pull_request"]["title"]
    )


def test_graphql_has_its_own_rate_limit_answered_as_github_does(env):
    """GraphQL points are a limit apart from REST's; used up, GitHub answers 200 with a `RATE_LIMIT`
    error and `x-ratelimit-remaining: 0` (REST keeps working)."""
    gh, c = env["gh"], env["client"]
    repo, n, _ = make_pr(env, "gqlrate", {"a": "1\n"}, {"a": "2\n"})
    h = token(env)
    query = {"query": "{ rateLimit { cost remaining } }"}
    used = int(c.post("/graphql", headers=h, json=query).headers["x-ratelimit-used"])
    gh.set_rate_limit(5000, graphql=used + 1)
    try:
        last = c.post("/graphql", headers=h, json=query)
        assert last.json()["data"]["rateLimit"]["remaining"] == 0 and last.headers["x-ratelimit-remaining"] == "0"
        refused = c.post("/graphql", headers=h, json=query)
        assert refused.status_code == 200 and refused.headers["x-ratelimit-resource"] == "graphql"
        assert refused.headers["x-ratelimit-remaining"] == "0" and "data" not in refused.json()
        [error] = refused.json()["errors"]
        assert error["type"] == "RATE_LIMIT" and error["message"].startswith("API rate limit already exceeded")
        assert gh.graphql_refused == 1
        assert c.get(f"/repos/{repo}/pulls/{n}", headers=h).status_code == 200  # REST's own limit
    finally:
        gh.set_rate_limit(5000, graphql=5000)
