"""HTTP routes (exact GitHub paths). Every request goes through `endpoint()`: fault injection, auth,
repository access, app permissions, rate limits, content-creation limits, then the handler, then the
call record."""

from __future__ import annotations

import inspect
import json
import math
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import errors, ops
from .auth import Auth, authenticate
from .faults import secondary_limit_response
from .state import Repo

if TYPE_CHECKING:
    from .fake import FakeGitHub

MAX_FILES = 3000
COMPARE_MAX_FILES = 300
COMPARE_MAX_COMMITS = 250
TREE_MAX_ENTRIES = 100_000
CONTENT_FULL_LIMIT = 1024 * 1024
CONTENT_OPS = {
    "pulls/create-review",
    "pulls/create-review-comment",
    "pulls/create-reply-for-review-comment",
    "issues/create-comment",
}
# operationId -> (permission, level) the installation needs
NEEDS = {
    "pulls/get": ("pull_requests", "read"),
    "pulls/list-files": ("pull_requests", "read"),
    "pulls/create-review": ("pull_requests", "write"),
    "pulls/list-reviews": ("pull_requests", "read"),
    "pulls/list-review-comments": ("pull_requests", "read"),
    "pulls/create-review-comment": ("pull_requests", "write"),
    "pulls/create-reply-for-review-comment": ("pull_requests", "write"),
    "pulls/update-review-comment": ("pull_requests", "write"),
    "pulls/delete-review-comment": ("pull_requests", "write"),
    "pulls/dismiss-review": ("pull_requests", "write"),
    "checks/create": ("checks", "write"),
    "checks/update": ("checks", "write"),
    "checks/list-for-ref": ("checks", "read"),
    "repos/get-content": ("contents", "read"),
    "git/get-tree": ("contents", "read"),
    "git/get-blob": ("contents", "read"),
    "repos/compare-commits": ("contents", "read"),
    "issues/create-comment": ("issues|pull_requests", "write"),
    "issues/list-comments": ("issues|pull_requests", "read"),
    "issues/update-comment": ("issues|pull_requests", "write"),
    "reactions/create-for-issue-comment": ("issues|pull_requests", "write"),
    "repos/get-collaborator-permission-level": ("metadata", "read"),
}


@dataclass
class Ctx:
    gh: FakeGitHub
    request: Request
    params: dict[str, str]
    auth: Auth
    repo: Repo | None
    body: Any
    headers: dict[str, str]

    def query(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    content = b"" if body is None else json.dumps(body).encode()
    media = None if body is None else "application/json; charset=utf-8"
    return Response(content, status_code=status, headers=headers, media_type=media)


def _allowed(inst_perms: dict[str, str], need: tuple[str, str]) -> bool:
    names, level = need
    rank = {"read": 1, "write": 2, "admin": 3}
    return any(rank.get(inst_perms.get(n, ""), 0) >= rank[level] for n in names.split("|"))


def _rate_headers(gh: FakeGitHub, auth: Auth, resource: str, cost: int) -> tuple[dict[str, str], bool]:
    limit = gh.graphql_rate_limit if resource == "graphql" else gh.rate_limit
    if auth.kind == "none":
        limit = 60
    key = (auth.actor, resource)
    now = gh.now()
    window = gh._rate.get(key)
    if window is None or now >= window[0] + 3600:
        window = [now, 0]
        gh._rate[key] = window
    exceeded = window[1] + cost > limit
    if not exceeded:
        window[1] += cost
    headers = {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(max(0, limit - int(window[1]))),
        "x-ratelimit-reset": str(int(window[0] + 3600)),
        "x-ratelimit-used": str(int(window[1])),
        "x-ratelimit-resource": resource,
    }
    return headers, exceeded


def _content_limited(gh: FakeGitHub, auth: Auth) -> bool:
    key = auth.installation.id if auth.installation else -1
    now = gh.now()
    events = [t for t in gh._content_events.get(key, []) if t > now - 3600]
    gh._content_events[key] = events
    if (
        sum(1 for t in events if t > now - 60) >= gh.content_limit_per_minute
        or len(events) >= gh.content_limit_per_hour
    ):
        return True
    events.append(now)
    return False


def endpoint(
    gh: FakeGitHub,
    operation: str | None,
    handler: Callable[[Ctx], Any],
    auth_kind: str,
    resource: str = "core",
) -> Callable[[Request], Any]:
    async def run(request: Request) -> Response:
        method, path = request.method, request.url.path
        raw = await request.body()
        status = 500
        try:
            response = await _dispatch(request, raw)
            status = response.status_code
            return response
        finally:
            with gh.lock:
                from .fake import Call

                gh.calls.append(Call(method, path, status, operation, request.url.query))

    async def _dispatch(request: Request, raw: bytes) -> Response:
        method, path = request.method, request.url.path
        for hook in list(gh.before_request):  # tests change state at a chosen request (FakeGitHub.when)
            hook(method, path)
        fault = gh.faults.take(method, path)
        if fault is not None:
            return _json(fault.status, fault.body, fault.headers)
        try:
            auth = authenticate(gh, request.headers.get("authorization"), auth_kind)
        except errors.ApiError as exc:
            return _json(exc.status, exc.body, exc.headers)
        if operation is None:
            exc = errors.not_found()
            return _json(exc.status, exc.body)
        cost = 1
        with gh.lock:
            rate_headers, exceeded = _rate_headers(gh, auth, resource, cost)
        if exceeded and resource == "graphql" and gh.graphql_rate_limited_type is not None:
            # GitHub's GraphQL API: "the response status will still be 200", with an error and
            # x-ratelimit-remaining 0 (docs: rate limits and query limits for the GraphQL API).
            who = f"installation ID {auth.installation.id}" if auth.installation else "this app"
            error = {"type": gh.graphql_rate_limited_type, "code": "graphql_rate_limit",
                     "message": f"API rate limit already exceeded for {who}."}
            with gh.lock:
                gh.graphql_refused += 1
            return _json(200, {"errors": [error]}, rate_headers)
        if exceeded:
            who = f"installation ID {auth.installation.id}" if auth.installation else "this app"
            body = {
                "message": f"API rate limit exceeded for {who}.",
                "documentation_url": errors.DOCS,
                "status": "403",
            }
            return _json(403, body, rate_headers)
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return _json(
                400,
                {"message": "Problems parsing JSON", "documentation_url": errors.DOCS, "status": "400"},
                rate_headers,
            )
        params = dict(request.path_params)
        try:
            with gh.lock:
                repo = None
                if "owner" in params and "repo" in params:
                    repo = gh.repos.get(f"{params['owner']}/{params['repo']}".lower())
                    if repo is None or (auth.installation and not gh.can_access(auth.installation, repo)):
                        raise errors.not_found()
                if (
                    auth.installation
                    and operation in NEEDS
                    and not _allowed(auth.installation.permissions, NEEDS[operation])
                ):
                    raise errors.forbidden()
                if auth.installation and operation in CONTENT_OPS and _content_limited(gh, auth):
                    st, b, h = secondary_limit_response(60)
                    return _json(st, b, {**rate_headers, **h})
                ctx = Ctx(gh, request, params, auth, repo, body, {})
            if inspect.iscoroutinefunction(handler):
                result = await handler(ctx)
            else:
                with gh.lock:  # state is read and written by one request at a time
                    result = handler(ctx)
        except errors.ApiError as exc:
            return _json(exc.status, exc.body, {**rate_headers, **exc.headers})
        if isinstance(result, Response):
            result.headers.update(rate_headers)
            return result
        status, payload = result
        return _json(status, payload, {**rate_headers, **ctx.headers})

    return run


# --- helpers ------------------------------------------------------------------------------------


def _int_param(ctx: Ctx, name: str) -> int:
    try:
        return int(ctx.params[name])
    except ValueError:
        raise errors.not_found() from None


def _pr(ctx: Ctx):
    pr = ctx.gh.pull(ctx.repo.full_name, _int_param(ctx, "pull_number"))
    if pr is None:
        raise errors.not_found()
    return pr


def paginate(ctx: Ctx, items: list[Any], cap: int | None = None) -> list[Any]:
    """per_page (default 30, max 100) and page; sets the Link header like GitHub."""
    if cap is not None:
        items = items[:cap]
    try:
        per_page = int(ctx.query("per_page") or 30)
        page = int(ctx.query("page") or 1)
    except ValueError:
        per_page, page = 30, 1
    per_page = min(max(per_page, 1), 100)
    page = max(page, 1)
    last = max(1, math.ceil(len(items) / per_page))
    base = str(ctx.request.url.replace(query=""))
    query = dict(ctx.request.query_params)

    def url(n: int) -> str:
        return base + "?" + urllib.parse.urlencode({**query, "per_page": per_page, "page": n})

    links = []
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links = [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"', *links]
    if links:
        ctx.headers["link"] = ", ".join(links)
    return items[(page - 1) * per_page : page * per_page]


def _bot(ctx: Ctx):
    return ctx.auth.app.bot


# --- apps ---------------------------------------------------------------------------------------


def create_token(ctx: Ctx):
    gh = ctx.gh
    inst = gh.installations.get(_int_param(ctx, "installation_id"))
    if inst is None or inst.app is not ctx.auth.app:
        raise errors.not_found()
    body = ctx.body if isinstance(ctx.body, dict) else {}
    perms = dict(inst.permissions)
    if body.get("permissions"):
        for k, v in body["permissions"].items():
            if not _allowed(inst.permissions, (k, v)):
                raise errors.validation_failed(
                    "Installation",
                    "permissions",
                    "invalid",
                    "The permissions requested are not granted to this installation.",
                )
        perms = dict(body["permissions"])
    tok = gh.issue_token(inst)
    if perms != inst.permissions:
        # a down-scoped token: remember its permissions on a copy of the installation view
        import copy

        scoped = copy.copy(inst)
        scoped.permissions = perms
        tok.installation = scoped
    repos = [r for r in gh.repos.values() if gh.can_access(inst, r)]
    names = body.get("repositories")
    if names:
        repos = [r for r in repos if r.name in names]
    out = {
        "token": tok.token,
        "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(tok.expires_at)),
        "permissions": perms,
        "repository_selection": "all" if inst.repos is None else "selected",
    }
    if inst.repos is not None:
        out["repositories"] = [gh.render.repo(r) for r in repos]
    return 201, out


def repo_installation(ctx: Ctx):
    inst = ctx.gh.installation_for_repo(ctx.repo, ctx.auth.app)
    if inst is None:
        raise errors.not_found()
    return 200, ctx.gh.render.installation(inst)


def list_deliveries(ctx: Ctx):
    gh = ctx.gh
    items = [d for d in gh._deliveries.values() if d.app is ctx.auth.app]
    items.sort(key=lambda d: d.id, reverse=True)
    status_filter = ctx.query("status")
    if status_filter == "success":
        items = [d for d in items if 200 <= d.status_code < 300]
    elif status_filter == "failure":
        items = [d for d in items if not 200 <= d.status_code < 300]
    per_page = min(max(int(ctx.query("per_page") or 30), 1), 100)
    cursor = ctx.query("cursor")
    if cursor:
        m = re.fullmatch(r"v1_(\d+)", cursor)
        if not m:
            raise errors.ApiError(400, {"message": "Invalid cursor", "documentation_url": errors.DOCS})
        items = [d for d in items if d.id < int(m.group(1))]
    page, rest = items[:per_page], items[per_page:]
    if rest:
        base = str(ctx.request.url.replace(query=""))
        nxt = urllib.parse.urlencode({"per_page": per_page, "cursor": f"v1_{page[-1].id}"})
        ctx.headers["link"] = f'<{base}?{nxt}>; rel="next"'
    return 200, [gh.render.delivery_item(d) for d in page]


def _delivery(ctx: Ctx):
    d = ctx.gh._deliveries.get(_int_param(ctx, "delivery_id"))
    if d is None or d.app is not ctx.auth.app:
        raise errors.not_found()
    return d


def get_delivery(ctx: Ctx):
    return 200, ctx.gh.render.delivery(_delivery(ctx))


async def redeliver(ctx: Ctx):
    from .webhooks import send

    with ctx.gh.lock:
        d = _delivery(ctx)
        if ctx.gh.now() - d.delivered_ts > 3 * 24 * 3600:
            raise errors.invalid_request("Cannot redeliver deliveries older than 3 days")
    await anyio.to_thread.run_sync(
        lambda: send(ctx.gh, d.app, d.event, d.payload, d.url, guid=d.guid, redelivery=True, body=d.body)
    )
    return 202, {}


def create_from_manifest(ctx: Ctx):
    """POST /app-manifests/{code}/conversions: no authentication; 201 with the App and its credentials."""
    gh = ctx.gh
    with gh.lock:
        found = gh.app_from_manifest(ctx.params["code"])
        if found is None:
            raise errors.not_found("https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest")
        app, manifest = found
        out = gh.render.app(app)
        out["description"] = manifest.get("description") or ""
        out["external_url"] = manifest.get("url")
        out["client_secret"] = secrets.token_hex(20)
        out["webhook_secret"] = app.webhook_secret
        out["pem"] = app.private_key_pem
        return 201, out


# --- pulls --------------------------------------------------------------------------------------


def get_pull(ctx: Ctx):
    accept = ctx.request.headers.get("accept", "")
    pr = _pr(ctx)
    if "diff" in accept or "patch" in accept:
        files = ctx.gh.pr_files(pr)
        if len(files) > 300:
            raise errors.ApiError(
                406,
                {
                    "message": "Sorry, the diff exceeded the maximum number of files (300). Consider using "
                    "'List pull requests files' API or locally cloning the repository instead.",
                    "errors": [{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
                    "documentation_url": errors.DOCS,
                    "status": "406",
                },
            )
        text = "".join(
            f"diff --git a/{f.previous_filename or f.filename} b/{f.filename}\n"
            f"--- {'/dev/null' if f.status == 'added' else 'a/' + (f.previous_filename or f.filename)}\n"
            f"+++ {'/dev/null' if f.status == 'removed' else 'b/' + f.filename}\n{f.patch}\n"
            for f in files
        )
        return Response(text, media_type="text/plain; charset=utf-8")
    return 200, ctx.gh.render.pull(pr)


def list_files(ctx: Ctx):
    pr = _pr(ctx)
    files = ctx.gh.pr_files(pr)
    page = paginate(ctx, files, cap=MAX_FILES)
    return 200, [ctx.gh.render.diff_entry(pr.repo, pr.head_sha, f) for f in page]


def list_pulls_of_commit(ctx: Ctx):
    """The pull requests that contain the commit (open ones, and merged ones), newest first; like
    GitHub, only the merged pull request that brought it in once it is on the default branch."""
    gh, repo = ctx.gh, ctx.repo
    sha = gh.resolve_ref(repo, ctx.params["commit_sha"])
    if sha is None:
        raise errors.ApiError(422, {"message": "No commit found for SHA: " + ctx.params["commit_sha"],
                                    "documentation_url": errors.DOCS, "status": "422"})
    with gh.lock:
        found = sorted(gh.pulls_of_commit(repo, sha), key=lambda pr: -pr.number)
        return 200, [gh.render.pull(pr) for pr in paginate(ctx, found)]


def create_review(ctx: Ctx):
    pr = _pr(ctx)
    if not isinstance(ctx.body, dict):
        raise errors.invalid_request("Invalid request.")
    with ctx.gh.lock:
        rv = ops.create_review(ctx.gh, pr, _bot(ctx), ctx.body)
        return 200, ctx.gh.render.review(rv)


def list_reviews(ctx: Ctx):
    pr = _pr(ctx)
    with ctx.gh.lock:
        items = sorted(
            (
                r
                for r in ctx.gh._reviews.values()
                if r.pr is pr and (r.state != "PENDING" or r.user is _bot(ctx))
            ),
            key=lambda r: r.id,
        )
        return 200, [ctx.gh.render.review(r) for r in paginate(ctx, items)]


def dismiss_review(ctx: Ctx):
    pr = _pr(ctx)
    with ctx.gh.lock:
        rv = ctx.gh._reviews.get(_int_param(ctx, "review_id"))
        if rv is None or rv.pr is not pr:
            raise errors.not_found()
        if not isinstance(ctx.body.get("message"), str) or not ctx.body["message"]:
            raise errors.unprocessable_simple("Message can't be blank")
        if rv.state == "PENDING":
            raise errors.unprocessable_simple("Can not dismiss a pending pull request review")
        rv.state = "DISMISSED"
        return 200, ctx.gh.render.review(rv)


def list_review_comments(ctx: Ctx):
    pr = _pr(ctx)
    with ctx.gh.lock:
        items = ctx.gh._visible_review_comments(pr)
        return 200, [ctx.gh.render.review_comment(c) for c in paginate(ctx, items)]


def create_review_comment(ctx: Ctx):
    pr = _pr(ctx)
    with ctx.gh.lock:
        c = ops.create_review_comment(ctx.gh, pr, _bot(ctx), ctx.body)
        return 201, ctx.gh.render.review_comment(c)


def create_reply(ctx: Ctx):
    pr = _pr(ctx)
    with ctx.gh.lock:
        c = ops.reply_for_review_comment(ctx.gh, pr, _bot(ctx), _int_param(ctx, "comment_id"), ctx.body)
        return 201, ctx.gh.render.review_comment(c)


def _review_comment(ctx: Ctx):
    c = ctx.gh._review_comments.get(_int_param(ctx, "comment_id"))
    if c is None or c.pr.repo is not ctx.repo:
        raise errors.not_found()
    return c


def update_review_comment(ctx: Ctx):
    with ctx.gh.lock:
        c = _review_comment(ctx)
        if c.user is not _bot(ctx):
            raise errors.forbidden()
        body = ctx.body.get("body")
        if not isinstance(body, str) or not body:
            raise errors.validation_failed("PullRequestReviewComment", "body", "missing_field")
        if len(body) > ops.MAX_BODY:
            raise errors.validation_failed(
                "PullRequestReviewComment",
                "body",
                "custom",
                f"body is too long (maximum is {ops.MAX_BODY} characters)",
            )
        c.body, c.updated_at = body, ctx.gh.now_iso()
        return 200, ctx.gh.render.review_comment(c)


def delete_review_comment(ctx: Ctx):
    with ctx.gh.lock:
        c = _review_comment(ctx)
        if c.user is not _bot(ctx):
            raise errors.forbidden()
        ops.delete_review_comment(ctx.gh, c)
        return 204, None


# --- checks -------------------------------------------------------------------------------------


def create_check_run(ctx: Ctx):
    with ctx.gh.lock:
        cr = ops.create_check_run(ctx.gh, ctx.repo, ctx.auth.app, ctx.body)
        return 201, ctx.gh.render.check_run(cr)


def update_check_run(ctx: Ctx):
    with ctx.gh.lock:
        cr = ctx.gh._check_runs.get(_int_param(ctx, "check_run_id"))
        if cr is None or cr.repo is not ctx.repo:
            raise errors.not_found()
        if cr.app is not ctx.auth.app:
            raise errors.forbidden(
                f"Invalid app_id `{ctx.auth.app.id}` - check run can only be modified by its creator."
            )
        ops.update_check_run(ctx.gh, cr, ctx.body)
        return 200, ctx.gh.render.check_run(cr)


def list_check_runs(ctx: Ctx):
    gh = ctx.gh
    with gh.lock:
        sha = gh.resolve_ref(ctx.repo, ctx.params["ref"])
        if sha is None:
            raise errors.validation_failed(
                "Commit", "ref", "invalid", f"No commit found for SHA: {ctx.params['ref']}"
            )
        runs = sorted(
            (c for c in gh._check_runs.values() if c.repo is ctx.repo and c.head_sha == sha),
            key=lambda c: c.id,
            reverse=True,
        )
        if ctx.query("check_name"):
            runs = [c for c in runs if c.name == ctx.query("check_name")]
        if ctx.query("status"):
            runs = [c for c in runs if c.status == ctx.query("status")]
        if ctx.query("app_id"):
            runs = [c for c in runs if str(c.app.id) == ctx.query("app_id")]
        if (ctx.query("filter") or "latest") == "latest":
            seen: set[tuple[int, str]] = set()
            latest = []
            for c in runs:
                if (c.app.id, c.name) not in seen:
                    seen.add((c.app.id, c.name))
                    latest.append(c)
            runs = latest
        total = len(runs)
        return 200, {
            "total_count": total,
            "check_runs": [gh.render.check_run(c) for c in paginate(ctx, runs)],
        }


# --- contents and git ---------------------------------------------------------------------------


def _ref_sha(ctx: Ctx, ref: str | None) -> str:
    sha = ctx.gh.resolve_ref(ctx.repo, ref or ctx.repo.default_branch)
    if sha is None:
        raise errors.not_found()
    return sha


def get_content(ctx: Ctx):
    gh = ctx.gh
    ref = ctx.query("ref")
    sha = _ref_sha(ctx, ref)
    ref_name = ref or ctx.repo.default_branch
    tree = ctx.repo.store.commits[sha].tree
    path = urllib.parse.unquote(ctx.params.get("path", "")).strip("/")
    accept = ctx.request.headers.get("accept", "")
    if path in tree:
        data = tree[path]
        if "raw" in accept:
            if len(data) > 100 * 1024 * 1024:
                raise errors.forbidden("This API returns blobs up to 100 MB in size.")
            return Response(data, media_type="application/vnd.github.raw")
        return 200, gh.render.content_file(ctx.repo, path, data, ref_name, len(data) > CONTENT_FULL_LIMIT)
    prefix = path + "/" if path else ""
    if not any(p.startswith(prefix) for p in tree):
        raise errors.not_found("https://docs.github.com/rest/repos/contents#get-repository-content")
    commit = ctx.repo.store.commits[sha]
    tree_sha = commit.tree_sha
    for part in [p for p in path.split("/") if p]:
        tree_sha = next(e["sha"] for e in ctx.repo.store.trees[tree_sha] if e["path"] == part)
    entries = [dict(e, path=prefix + e["path"]) for e in ctx.repo.store.trees[tree_sha]][:1000]
    return 200, [gh.render.content_dir_entry(ctx.repo, e, ref_name) for e in entries]


def get_tree(ctx: Ctx):
    store = ctx.repo.store
    ref = ctx.params["tree_sha"]
    if ref in store.trees:
        tree_sha = ref
    else:
        sha = ctx.gh.resolve_ref(ctx.repo, ref)
        if sha is None:
            raise errors.not_found()
        tree_sha = store.commits[sha].tree_sha
    recursive = ctx.query("recursive") not in (None, "", "0", "false")
    entries = store.walk_tree(tree_sha, recursive)
    base = f"{ctx.gh.render.api}/repos/{ctx.repo.full_name}/git"
    truncated = len(entries) > TREE_MAX_ENTRIES
    tree = [
        dict(e, url=f"{base}/{'trees' if e['type'] == 'tree' else 'blobs'}/{e['sha']}")
        for e in entries[:TREE_MAX_ENTRIES]
    ]
    return 200, {"sha": tree_sha, "url": f"{base}/trees/{tree_sha}", "tree": tree, "truncated": truncated}


def get_blob(ctx: Ctx):
    import base64

    sha = ctx.params["file_sha"]
    data = ctx.repo.store.blobs.get(sha)
    if data is None or not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise errors.not_found()
    b64 = base64.b64encode(data).decode()
    return 200, {
        "sha": sha,
        "node_id": f"B_kwDO{sha[:12]}",
        "size": len(data),
        "url": f"{ctx.gh.render.api}/repos/{ctx.repo.full_name}/git/blobs/{sha}",
        "content": "".join(b64[i : i + 60] + "\n" for i in range(0, len(b64), 60)),
        "encoding": "base64",
    }


def compare(ctx: Ctx):
    gh = ctx.gh
    basehead = urllib.parse.unquote(ctx.params["basehead"])
    if "..." in basehead:
        base_ref, head_ref = basehead.split("...", 1)
    elif ".." in basehead:
        base_ref, head_ref = basehead.split("..", 1)
    else:
        raise errors.not_found()
    base_ref = base_ref.split(":", 1)[-1]
    head_ref = head_ref.split(":", 1)[-1]
    store = ctx.repo.store
    base_sha, head_sha = gh.resolve_ref(ctx.repo, base_ref), gh.resolve_ref(ctx.repo, head_ref)
    if base_sha is None or head_sha is None:
        raise errors.not_found()
    mb = store.merge_base(base_sha, head_sha)
    if mb is None:
        raise errors.not_found()
    mb_anc = set(store.ancestors(mb))
    ahead = [s for s in store.ancestors(head_sha) if s not in mb_anc][::-1]
    behind = [s for s in store.ancestors(base_sha) if s not in mb_anc]
    status = (
        "identical"
        if not ahead and not behind
        else "ahead"
        if not behind
        else "behind"
        if not ahead
        else "diverged"
    )
    files = gh.diff(store, mb, head_sha)
    base_url = f"{gh.render.api}/repos/{ctx.repo.full_name}/compare/{basehead}"
    html = f"https://github.com/{ctx.repo.full_name}/compare/{basehead}"
    return 200, {
        "url": base_url,
        "html_url": html,
        "permalink_url": f"https://github.com/{ctx.repo.full_name}/compare/{base_sha[:7]}...{head_sha[:7]}",
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "base_commit": gh.render.commit(ctx.repo, store.commits[base_sha]),
        "merge_base_commit": gh.render.commit(ctx.repo, store.commits[mb]),
        "status": status,
        "ahead_by": len(ahead),
        "behind_by": len(behind),
        "total_commits": len(ahead),
        "commits": [gh.render.commit(ctx.repo, store.commits[s]) for s in ahead[:COMPARE_MAX_COMMITS]],
        "files": [gh.render.diff_entry(ctx.repo, head_sha, f) for f in files[:COMPARE_MAX_FILES]],
    }


# --- issues and reactions -----------------------------------------------------------------------


def _issue_number(ctx: Ctx) -> int:
    number = _int_param(ctx, "issue_number")
    if ctx.gh.pull(ctx.repo.full_name, number) is None:
        raise errors.not_found()
    return number


def create_issue_comment(ctx: Ctx):
    with ctx.gh.lock:
        c = ops.create_issue_comment(ctx.gh, ctx.repo, _issue_number(ctx), _bot(ctx), ctx.auth.app, ctx.body)
        return 201, ctx.gh.render.issue_comment(c)


def list_issue_comments(ctx: Ctx):
    with ctx.gh.lock:
        number = _issue_number(ctx)
        since = ctx.query("since")
        items = sorted(
            (c for c in ctx.gh._issue_comments.values() if c.repo is ctx.repo and c.number == number),
            key=lambda c: c.id,
        )
        if since:
            items = [c for c in items if c.updated_at >= since]
        return 200, [ctx.gh.render.issue_comment(c) for c in paginate(ctx, items)]


def _issue_comment(ctx: Ctx):
    c = ctx.gh._issue_comments.get(_int_param(ctx, "comment_id"))
    if c is None or c.repo is not ctx.repo:
        raise errors.not_found()
    return c


def update_issue_comment(ctx: Ctx):
    with ctx.gh.lock:
        c = _issue_comment(ctx)
        if c.user is not _bot(ctx):
            raise errors.forbidden()
        ops.update_issue_comment(ctx.gh, c, ctx.body)
        return 200, ctx.gh.render.issue_comment(c)


def create_reaction(ctx: Ctx):
    with ctx.gh.lock:
        c = _issue_comment(ctx)
        r, created = ops.create_reaction(ctx.gh, c.id, _bot(ctx), ctx.body)
        return (201 if created else 200), ctx.gh.render.reaction(r)


def collaborator_permission(ctx: Ctx):
    gh = ctx.gh
    user = gh.users.get(ctx.params["username"])
    if user is None or user.type == "Organization":
        raise errors.not_found()
    role = gh.permission(user, ctx.repo)
    permission = {"maintain": "write", "triage": "read"}.get(role, role)
    out = gh.render.user(user)
    out["role_name"] = role
    out["permissions"] = {
        "admin": role == "admin",
        "maintain": role in ("admin", "maintain"),
        "push": role in ("admin", "maintain", "write"),
        "triage": role in ("admin", "maintain", "write", "triage"),
        "pull": role != "none",
    }
    return 200, {"permission": permission, "role_name": role, "user": out}


# --- graphql ------------------------------------------------------------------------------------


def graphql_endpoint(ctx: Ctx):
    from .graphql import execute

    return execute(ctx)


# --- app ----------------------------------------------------------------------------------------

R = "/repos/{owner}/{repo}"
ROUTES: list[tuple[str, str, str, Callable[[Ctx], Any], str]] = [
    (
        "POST",
        "/app/installations/{installation_id}/access_tokens",
        "apps/create-installation-access-token",
        create_token,
        "app",
    ),
    ("GET", R + "/installation", "apps/get-repo-installation", repo_installation, "app"),
    ("GET", "/app/hook/deliveries", "apps/list-webhook-deliveries", list_deliveries, "app"),
    ("GET", "/app/hook/deliveries/{delivery_id}", "apps/get-webhook-delivery", get_delivery, "app"),
    (
        "POST",
        "/app/hook/deliveries/{delivery_id}/attempts",
        "apps/redeliver-webhook-delivery",
        redeliver,
        "app",
    ),
    ("POST", "/app-manifests/{code}/conversions", "apps/create-from-manifest", create_from_manifest, "none"),
    ("GET", R + "/pulls/{pull_number}", "pulls/get", get_pull, "installation"),
    ("GET", R + "/pulls/{pull_number}/files", "pulls/list-files", list_files, "installation"),
    ("POST", R + "/pulls/{pull_number}/reviews", "pulls/create-review", create_review, "installation"),
    ("GET", R + "/pulls/{pull_number}/reviews", "pulls/list-reviews", list_reviews, "installation"),
    (
        "PUT",
        R + "/pulls/{pull_number}/reviews/{review_id}/dismissals",
        "pulls/dismiss-review",
        dismiss_review,
        "installation",
    ),
    (
        "GET",
        R + "/pulls/{pull_number}/comments",
        "pulls/list-review-comments",
        list_review_comments,
        "installation",
    ),
    (
        "POST",
        R + "/pulls/{pull_number}/comments",
        "pulls/create-review-comment",
        create_review_comment,
        "installation",
    ),
    (
        "POST",
        R + "/pulls/{pull_number}/comments/{comment_id}/replies",
        "pulls/create-reply-for-review-comment",
        create_reply,
        "installation",
    ),
    (
        "PATCH",
        R + "/pulls/comments/{comment_id}",
        "pulls/update-review-comment",
        update_review_comment,
        "installation",
    ),
    (
        "DELETE",
        R + "/pulls/comments/{comment_id}",
        "pulls/delete-review-comment",
        delete_review_comment,
        "installation",
    ),
    ("POST", R + "/check-runs", "checks/create", create_check_run, "installation"),
    ("PATCH", R + "/check-runs/{check_run_id}", "checks/update", update_check_run, "installation"),
    ("GET", R + "/commits/{ref:path}/check-runs", "checks/list-for-ref", list_check_runs, "installation"),
    (
        "GET",
        R + "/commits/{commit_sha}/pulls",
        "repos/list-pull-requests-associated-with-commit",
        list_pulls_of_commit,
        "installation",
    ),
    ("GET", R + "/contents", "repos/get-content", get_content, "installation"),
    ("GET", R + "/contents/{path:path}", "repos/get-content", get_content, "installation"),
    ("GET", R + "/git/trees/{tree_sha:path}", "git/get-tree", get_tree, "installation"),
    ("GET", R + "/git/blobs/{file_sha}", "git/get-blob", get_blob, "installation"),
    ("GET", R + "/compare/{basehead:path}", "repos/compare-commits", compare, "installation"),
    (
        "POST",
        R + "/issues/{issue_number}/comments",
        "issues/create-comment",
        create_issue_comment,
        "installation",
    ),
    (
        "GET",
        R + "/issues/{issue_number}/comments",
        "issues/list-comments",
        list_issue_comments,
        "installation",
    ),
    (
        "PATCH",
        R + "/issues/comments/{comment_id}",
        "issues/update-comment",
        update_issue_comment,
        "installation",
    ),
    (
        "POST",
        R + "/issues/comments/{comment_id}/reactions",
        "reactions/create-for-issue-comment",
        create_reaction,
        "installation",
    ),
    (
        "GET",
        R + "/collaborators/{username}/permission",
        "repos/get-collaborator-permission-level",
        collaborator_permission,
        "installation",
    ),
    ("POST", "/graphql", "graphql", graphql_endpoint, "installation"),
]
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def build_asgi(gh: FakeGitHub) -> Starlette:
    routes = []
    by_path: dict[str, dict[str, tuple[str, Callable[[Ctx], Any], str]]] = {}
    for method, path, op, handler, auth_kind in ROUTES:
        by_path.setdefault(path, {})[method] = (op, handler, auth_kind)
    for path, methods in by_path.items():
        handlers = {
            m: endpoint(gh, op, h, a, "graphql" if op == "graphql" else "core")
            for m, (op, h, a) in methods.items()
        }
        fallback = endpoint(gh, None, lambda ctx: None, "none")

        def make(handlers=handlers, fallback=fallback):
            async def route(request: Request) -> Response:
                return await handlers.get(request.method, fallback)(request)

            return route

        routes.append(Route(path, make(), methods=ALL_METHODS))
    not_found = endpoint(gh, None, lambda ctx: None, "none")
    routes.append(Route("/{rest:path}", not_found, methods=ALL_METHODS))
    return Starlette(routes=routes)
