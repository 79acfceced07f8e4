"""Webhook payloads (real octokit/webhooks examples in templates/, overlaid with the fake's state) and
deliveries signed like GitHub's (X-Hub-Signature-256 = HMAC-SHA256 of the raw body)."""

from __future__ import annotations

import copy
import functools
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from .state import CheckSuite, Delivery, IssueComment, legacy_node_id, node_id

if TYPE_CHECKING:
    from .fake import FakeApp, FakeGitHub
    from .state import App

TEMPLATES = Path(__file__).parent / "templates"
MAX_PAYLOAD = 25 * 1024 * 1024
USER_AGENT = "GitHub-Hookshot/8a3f2c1"


@functools.cache
def _template(name: str) -> dict[str, Any]:
    return json.loads((TEMPLATES / f"{name}.json").read_text())


def template(name: str) -> dict[str, Any]:
    return copy.deepcopy(_template(name))


def overlay(tmpl: Any, value: Any) -> Any:
    """Keep the template's keys (the webhook schemas forbid extra ones), take values from `value`."""
    if isinstance(tmpl, dict) and isinstance(value, dict):
        return {k: overlay(v, value[k]) if k in value else v for k, v in tmpl.items()}
    if isinstance(tmpl, list) and isinstance(value, list):
        if tmpl and isinstance(tmpl[0], dict):
            return [overlay(tmpl[0], v) for v in value]
        return value
    return value


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _common(gh: FakeGitHub, tmpl: dict[str, Any], repo, sender) -> dict[str, Any]:
    out: dict[str, Any] = {
        "repository": overlay(tmpl["repository"], gh.render.repo(repo)),
        "sender": overlay(tmpl["sender"], gh.render.user(sender)),
    }
    inst = gh.installation_for_repo(repo)
    if inst is not None:
        out["installation"] = {"id": inst.id, "node_id": legacy_node_id("IntegrationInstallation", inst.id)}
    if repo.owner.type == "Organization":
        org = template("organization")
        login = repo.owner.login
        base = f"{gh.render.api}/orgs/{login}"
        out["organization"] = dict(
            org,
            login=login,
            id=repo.owner.id,
            node_id=repo.owner.node_id,
            url=base,
            repos_url=f"{base}/repos",
            events_url=f"{base}/events",
            hooks_url=f"{base}/hooks",
            issues_url=f"{base}/issues",
            members_url=f"{base}/members{{/member}}",
            public_members_url=f"{base}/public_members{{/member}}",
            avatar_url=f"https://avatars.githubusercontent.com/u/{repo.owner.id}?v=4",
            description="",
        )
    return out


def _suite_json(gh: FakeGitHub, suite: CheckSuite) -> dict[str, Any]:
    repo = suite.repo
    commit = repo.store.commits[suite.head_sha]
    runs = [c for c in gh._check_runs.values() if c.suite is suite]
    done = runs and all(c.status == "completed" for c in runs)
    prs = [
        gh.render.pull_minimal(pr)
        for pr in gh._pulls.values()
        if pr.repo is repo and pr.head_sha == suite.head_sha and pr.state == "open" and not pr.is_fork
    ]
    person = {"name": commit.author, "email": f"{commit.author}@users.noreply.github.com"}
    return {
        "id": suite.id,
        "node_id": node_id("CS", suite.id),
        "head_branch": suite.head_branch,
        "head_sha": suite.head_sha,
        "status": "completed" if done else "queued",
        "conclusion": (runs[-1].conclusion if done else None),
        "url": f"{gh.render.api}/repos/{repo.full_name}/check-suites/{suite.id}",
        "before": commit.parents[0] if commit.parents else "0" * 40,
        "after": suite.head_sha,
        "pull_requests": prs,  # empty for fork heads, as on GitHub
        "app": gh.render.app(suite.app),
        "created_at": suite.created_at,
        "updated_at": gh.now_iso(),
        "latest_check_runs_count": len(runs),
        "check_runs_url": f"{gh.render.api}/repos/{repo.full_name}/check-suites/{suite.id}/check-runs",
        "head_commit": {
            "id": suite.head_sha,
            "tree_id": commit.tree_sha,
            "message": commit.message,
            "timestamp": commit.date,
            "author": person,
            "committer": person,
        },
    }


def _suite_for(gh: FakeGitHub, repo, head_sha: str, app: App) -> CheckSuite:
    for s in gh._check_suites.values():
        if s.repo is repo and s.head_sha == head_sha and s.app is app:
            return s
    branch = next((b for b, s in repo.branches.items() if s == head_sha), None)
    suite = CheckSuite(gh.ids.next("check_suite"), repo, head_sha, branch, app, gh.now_iso())
    gh._check_suites[suite.id] = suite
    return suite


def _issue_json(gh: FakeGitHub, pr) -> dict[str, Any]:
    r = pr.repo
    base = f"{gh.render.api}/repos/{r.full_name}/issues/{pr.number}"
    html = f"https://github.com/{r.full_name}/pull/{pr.number}"
    comments = [c for c in gh._issue_comments.values() if c.repo is r and c.number == pr.number]
    return {
        "url": base,
        "repository_url": f"{gh.render.api}/repos/{r.full_name}",
        "labels_url": f"{base}/labels{{/name}}",
        "comments_url": f"{base}/comments",
        "events_url": f"{base}/events",
        "html_url": html,
        "id": pr.id,
        "node_id": node_id("PR", pr.id),
        "number": pr.number,
        "title": pr.title,
        "user": gh.render.user(pr.user),
        "labels": [],
        "state": pr.state,
        "locked": pr.locked,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": len(comments),
        "created_at": pr.created_at,
        "updated_at": pr.updated_at,
        "closed_at": pr.closed_at,
        "author_association": gh.association(pr.user, r),
        "active_lock_reason": None,
        "body": pr.body,
        "draft": pr.draft,
        "reactions": gh.render.reaction_rollup(base, -1),
    }


def build_payload(
    gh: FakeGitHub, event: str, action: str, repo: str | None = None, number: int | None = None, **kw: Any
) -> dict[str, Any]:
    with gh.lock:
        if event == "installation":
            return _installation_payload(gh, action, **kw)
        if repo is None:
            raise ValueError("repo= is required")
        r = gh.repo(repo)
        if event == "pull_request":
            pr = gh._pr(repo, number)
            # octokit has no `edited` example: its shape is `opened`'s plus `changes` (the schema's).
            tmpl = template(f"pull_request.{'opened' if action == 'edited' else action}")
            sender = gh._user(kw["user"]) if kw.get("user") else pr.user
            out: dict[str, Any] = {"action": action, "number": pr.number}
            if action == "synchronize":
                head = r.store.commits[pr.head_sha]
                out["before"] = kw.get("before") or (head.parents[0] if head.parents else pr.base_sha)
                out["after"] = pr.head_sha
            if action == "edited":
                out["changes"] = kw.get("changes") or {}
            out["pull_request"] = overlay(tmpl["pull_request"], gh.render.pull(pr))
            out.update(_common(gh, tmpl, r, sender))
            return out
        if event == "issue_comment":
            pr = gh._pr(repo, number)
            tmpl = template(f"issue_comment.{action}")
            user = gh._user(kw.get("user", "alice"), type=kw.get("user_type", "User"))
            if kw.get("comment_id"):
                c = gh._issue_comments[kw["comment_id"]]
            else:
                now = gh.now_iso()
                c = IssueComment(
                    gh.ids.next("issue_comment"), r, pr.number, user, kw.get("body", ""), now, now
                )
                gh._issue_comments[c.id] = c
            issue = overlay(tmpl["issue"], _issue_json(gh, pr))
            html = f"https://github.com/{r.full_name}/pull/{pr.number}"
            issue["pull_request"] = {
                "url": f"{gh.render.api}/repos/{r.full_name}/pulls/{pr.number}",
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": None,
            }
            out = {
                "action": action,
                "issue": issue,
                "comment": overlay(tmpl["comment"], gh.render.issue_comment(c)),
            }
            out.update(_common(gh, tmpl, r, c.user))
            return out
        if event in ("check_run", "check_suite"):
            return _checks_payload(gh, event, action, r, number, **kw)
        if event == "merge_group":
            group = kw["merge_group"]  # from FakeGitHub.queue_pull_requests
            tmpl = template(f"merge_group.{action}")
            commit = r.store.commits[group["head_sha"]]
            person = {"name": commit.author, "email": f"{commit.author}@users.noreply.github.com"}
            head_commit = {"id": commit.sha, "tree_id": commit.tree_sha, "message": commit.message,
                           "timestamp": commit.date, "author": person, "committer": person}
            out = {"action": action,
                   "merge_group": overlay(tmpl["merge_group"], dict(group, head_commit=head_commit))}
            out.update(_common(gh, tmpl, r, gh._user(kw.get("user", "alice"))))
            return out
        raise ValueError(f"unsupported event {event}.{action}")


def _app_for(gh: FakeGitHub, r, kw: dict[str, Any]) -> App:
    if kw.get("app") is not None:
        return gh._app(kw["app"])
    inst = gh.installation_for_repo(r)
    if inst is None:
        raise ValueError(f"no app installed on {r.full_name}")
    return inst.app


def _checks_payload(
    gh: FakeGitHub, event: str, action: str, r, number: int | None, **kw: Any
) -> dict[str, Any]:
    app = _app_for(gh, r, kw)
    tmpl = template(f"{event}.{action}")
    sender = gh._user(kw.get("user", "alice"))
    cr = None
    if event == "check_run":
        run_id = kw.get("check_run_id") or kw.get("check_run")
        if run_id is not None:
            cr = gh._check_runs[int(run_id)]
        else:
            head_sha = kw.get("head_sha") or gh._pr(r.full_name, number).head_sha
            runs = [
                c for c in gh._check_runs.values() if c.repo is r and c.head_sha == head_sha and c.app is app
            ]
            if not runs:
                raise ValueError(f"no check run of {app.slug} on {head_sha}")
            cr = max(runs, key=lambda c: c.id)
        suite = cr.suite
        if action == "rerequested" and cr.status != "completed":
            raise ValueError("GitHub offers re-run only for completed check runs")
    else:
        head_sha = kw.get("head_sha") or gh._pr(r.full_name, number).head_sha
        suite = _suite_for(gh, r, head_sha, app)
    out: dict[str, Any] = {"action": action}
    suite_json = _suite_json(gh, suite)
    if event == "check_run":
        assert cr is not None
        run = gh.render.check_run(cr)
        run["check_suite"] = overlay(tmpl["check_run"]["check_suite"], suite_json)
        out["check_run"] = overlay(tmpl["check_run"], run)
        if action == "requested_action":
            out["requested_action"] = {"identifier": kw.get("identifier", "")}
    else:
        out["check_suite"] = overlay(tmpl["check_suite"], suite_json)
    out.update(_common(gh, tmpl, r, sender))
    return out


def _installation_payload(
    gh: FakeGitHub, action: str, installation: int | None = None, **kw: Any
) -> dict[str, Any]:
    if installation is None:
        installation = max(gh.installations)
    inst = gh.installations[installation]
    tmpl = template(f"installation.{action}")
    repos = [r for r in gh.repos.values() if gh.can_access(inst, r)]
    sender = gh._user(kw["user"]) if kw.get("user") else inst.account
    return {
        "action": action,
        "installation": overlay(tmpl["installation"], gh.render.installation(inst)),
        "repositories": [
            {
                "id": r.id,
                "node_id": node_id("R", r.id),
                "name": r.name,
                "full_name": r.full_name,
                "private": r.private,
            }
            for r in repos
        ],
        "sender": overlay(tmpl["sender"], gh.render.user(sender)),
    }


# --- delivery -----------------------------------------------------------------------------------


def deliver(
    gh: FakeGitHub, event: str, payload: dict[str, Any], url: str | None = None, app: FakeApp | None = None
) -> tuple[int, str]:
    """POST the payload like GitHub; returns (HTTP status, X-GitHub-Delivery). 0 = no HTTP answer."""
    with gh.lock:
        if app is not None:
            a = gh._app(app)
        else:
            inst_id = (payload.get("installation") or {}).get("id")
            a = gh.installations[inst_id].app if inst_id in gh.installations else next(iter(gh.apps.values()))
    target = url or a.webhook_url
    if not target:
        raise ValueError("no webhook url: pass url= or create_app(webhook_url=...)")
    return send(gh, a, event, payload, target)


def send(
    gh: FakeGitHub,
    app: App,
    event: str,
    payload: dict[str, Any],
    url: str,
    guid: str | None = None,
    redelivery: bool = False,
    body: bytes | None = None,
) -> tuple[int, str]:
    guid = guid or str(uuid.uuid4())
    body = body if body is not None else json.dumps(payload, separators=(",", ":")).encode()
    if len(body) > MAX_PAYLOAD:
        return 0, guid  # GitHub does not deliver payloads above 25 MB
    headers = {
        "Accept": "*/*",
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-GitHub-Delivery": guid,
        "X-GitHub-Event": event,
        "X-GitHub-Hook-ID": str(app.id * 7),
        "X-GitHub-Hook-Installation-Target-ID": str(app.id),
        "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-Hub-Signature": "sha1=" + hmac.new(app.webhook_secret.encode(), body, hashlib.sha1).hexdigest(),
        "X-Hub-Signature-256": signature(app.webhook_secret, body),
    }
    started = time.monotonic()
    status_code, status, resp_headers, resp_body = 0, "", {}, ""
    try:
        resp = httpx.post(url, content=body, headers=headers, timeout=gh.webhook_timeout)
        status_code = resp.status_code
        status = "OK" if 200 <= status_code < 300 else f"Invalid HTTP Response: {status_code}"
        resp_headers = dict(resp.headers)
        resp_body = resp.text[:4096]
    except httpx.TimeoutException:
        status = "We couldn't deliver this payload: timed out"
    except httpx.HTTPError:
        status = "We couldn't deliver this payload: failed to connect to host"
    duration = round(time.monotonic() - started, 3)
    with gh.lock:
        repo = payload.get("repository") or {}
        d = Delivery(
            id=gh.ids.next("delivery"),
            guid=guid,
            app=app,
            event=event,
            action=payload.get("action"),
            installation_id=(payload.get("installation") or {}).get("id"),
            repository_id=repo.get("id"),
            url=url,
            request_headers=headers,
            payload=payload,
            body=body,
            status_code=status_code,
            status=status,
            response_headers=resp_headers,
            response_body=resp_body,
            delivered_at=gh.now_iso(),
            delivered_ts=gh.now(),
            duration=duration,
            redelivery=redelivery,
        )
        gh._deliveries[d.id] = d
    return status_code, guid
