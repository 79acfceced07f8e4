"""REST JSON shapes (per openapi-subset.json / openapi-extra.json) built from the fake's state."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from .diff import FileDiff
from .state import (
    App,
    CheckRun,
    Commit,
    Delivery,
    Installation,
    IssueComment,
    PullRequest,
    Reaction,
    Repo,
    Review,
    ReviewComment,
    User,
    legacy_node_id,
    node_id,
)

if TYPE_CHECKING:
    from .fake import FakeGitHub

WEB = "https://github.com"
REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"]


class Renderer:
    def __init__(self, gh: FakeGitHub) -> None:
        self.gh = gh

    @property
    def api(self) -> str:
        return self.gh.base_url or "https://api.github.com"

    # --- users, apps, installations -------------------------------------------------------------

    def user(self, u: User | None) -> dict[str, Any] | None:
        if u is None:
            return None
        url_login = u.login.replace("[", "%5B").replace("]", "%5D")
        base = f"{self.api}/users/{url_login}"
        html = f"{WEB}/apps/{u.login.removesuffix('[bot]')}" if u.type == "Bot" else f"{WEB}/{u.login}"
        return {
            "login": u.login,
            "id": u.id,
            "node_id": u.node_id,
            "avatar_url": f"https://avatars.githubusercontent.com/u/{u.id}?v=4",
            "gravatar_id": "",
            "url": base,
            "html_url": html,
            "followers_url": f"{base}/followers",
            "following_url": f"{base}/following{{/other_user}}",
            "gists_url": f"{base}/gists{{/gist_id}}",
            "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{base}/subscriptions",
            "organizations_url": f"{base}/orgs",
            "repos_url": f"{base}/repos",
            "events_url": f"{base}/events{{/privacy}}",
            "received_events_url": f"{base}/received_events",
            "type": u.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    def app(self, a: App) -> dict[str, Any]:
        return {
            "id": a.id,
            "slug": a.slug,
            "node_id": legacy_node_id("Integration", a.id),
            "client_id": a.client_id,
            "owner": self.user(a.owner),
            "name": a.name,
            "description": "",
            "external_url": f"https://{a.slug}.example.com",
            "html_url": f"{WEB}/apps/{a.slug}",
            "created_at": a.created_at,
            "updated_at": a.created_at,
            "permissions": dict(a.permissions),
            "events": list(a.events),
        }

    def installation(self, inst: Installation) -> dict[str, Any]:
        return {
            "id": inst.id,
            "account": self.user(inst.account),
            "repository_selection": "all" if inst.repos is None else "selected",
            "access_tokens_url": f"{self.api}/app/installations/{inst.id}/access_tokens",
            "repositories_url": f"{self.api}/installation/repositories",
            "html_url": f"{WEB}/settings/installations/{inst.id}",
            "app_id": inst.app.id,
            "client_id": inst.app.client_id,
            "app_slug": inst.app.slug,
            "target_id": inst.account.id,
            "target_type": inst.account.type,
            "permissions": dict(inst.permissions),
            "events": list(inst.app.events),
            "created_at": inst.created_at,
            "updated_at": inst.created_at,
            "single_file_name": None,
            "has_multiple_single_files": False,
            "single_file_paths": [],
            "suspended_by": None,
            "suspended_at": None,
        }

    # --- repositories and git -------------------------------------------------------------------

    def repo(self, r: Repo) -> dict[str, Any]:
        base = f"{self.api}/repos/{r.full_name}"
        html = f"{WEB}/{r.full_name}"
        return {
            "id": r.id,
            "node_id": node_id("R", r.id),
            "name": r.name,
            "full_name": r.full_name,
            "private": r.private,
            "owner": self.user(r.owner),
            "html_url": html,
            "description": None,
            "fork": r.fork,
            "url": base,
            "forks_url": f"{base}/forks",
            "keys_url": f"{base}/keys{{/key_id}}",
            "collaborators_url": f"{base}/collaborators{{/collaborator}}",
            "teams_url": f"{base}/teams",
            "hooks_url": f"{base}/hooks",
            "issue_events_url": f"{base}/issues/events{{/number}}",
            "events_url": f"{base}/events",
            "assignees_url": f"{base}/assignees{{/user}}",
            "branches_url": f"{base}/branches{{/branch}}",
            "tags_url": f"{base}/tags",
            "blobs_url": f"{base}/git/blobs{{/sha}}",
            "git_tags_url": f"{base}/git/tags{{/sha}}",
            "git_refs_url": f"{base}/git/refs{{/sha}}",
            "trees_url": f"{base}/git/trees{{/sha}}",
            "statuses_url": f"{base}/statuses/{{sha}}",
            "languages_url": f"{base}/languages",
            "stargazers_url": f"{base}/stargazers",
            "contributors_url": f"{base}/contributors",
            "subscribers_url": f"{base}/subscribers",
            "subscription_url": f"{base}/subscription",
            "commits_url": f"{base}/commits{{/sha}}",
            "git_commits_url": f"{base}/git/commits{{/sha}}",
            "comments_url": f"{base}/comments{{/number}}",
            "issue_comment_url": f"{base}/issues/comments{{/number}}",
            "contents_url": f"{base}/contents/{{+path}}",
            "compare_url": f"{base}/compare/{{base}}...{{head}}",
            "merges_url": f"{base}/merges",
            "archive_url": f"{base}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{base}/downloads",
            "issues_url": f"{base}/issues{{/number}}",
            "pulls_url": f"{base}/pulls{{/number}}",
            "milestones_url": f"{base}/milestones{{/number}}",
            "notifications_url": f"{base}/notifications{{?since,all,participating}}",
            "labels_url": f"{base}/labels{{/name}}",
            "releases_url": f"{base}/releases{{/id}}",
            "deployments_url": f"{base}/deployments",
            "created_at": r.created_at,
            "updated_at": r.pushed_at,
            "pushed_at": r.pushed_at,
            "git_url": f"git://github.com/{r.full_name}.git",
            "ssh_url": f"git@github.com:{r.full_name}.git",
            "clone_url": f"{html}.git",
            "mirror_url": None,
            "svn_url": html,
            "homepage": None,
            "language": None,
            "forks_count": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "size": 1,
            "default_branch": r.default_branch,
            "open_issues_count": 0,
            "is_template": False,
            "topics": [],
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "private" if r.private else "public",
            "license": None,
            "forks": 0,
            "open_issues": 0,
            "watchers": 0,
            "allow_forking": True,
            "web_commit_signoff_required": False,
        }

    def commit(self, r: Repo, c: Commit, files: list[FileDiff] | None = None) -> dict[str, Any]:
        base = f"{self.api}/repos/{r.full_name}"
        person = {"name": c.author, "email": f"{c.author}@users.noreply.github.com", "date": c.date}
        author = self.gh.users.get(c.author)
        out: dict[str, Any] = {
            "url": f"{base}/commits/{c.sha}",
            "sha": c.sha,
            "node_id": legacy_node_id("Commit", int(c.sha[:8], 16)),
            "html_url": f"{WEB}/{r.full_name}/commit/{c.sha}",
            "comments_url": f"{base}/commits/{c.sha}/comments",
            "commit": {
                "url": f"{base}/git/commits/{c.sha}",
                "author": person,
                "committer": person,
                "message": c.message,
                "comment_count": 0,
                "tree": {"sha": c.tree_sha, "url": f"{base}/git/trees/{c.tree_sha}"},
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "payload": None,
                    "signature": None,
                    "verified_at": None,
                },
            },
            "author": self.user(author) if author else {},
            "committer": self.user(author) if author else {},
            "parents": [
                {"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{WEB}/{r.full_name}/commit/{p}"}
                for p in c.parents
            ],
        }
        if files is not None:
            out["files"] = [self.diff_entry(r, c.sha, f) for f in files]
            adds = sum(f.additions for f in files)
            dels = sum(f.deletions for f in files)
            out["stats"] = {"additions": adds, "deletions": dels, "total": adds + dels}
        return out

    def diff_entry(self, r: Repo, ref_sha: str, f: FileDiff) -> dict[str, Any]:
        quoted = f.filename
        out: dict[str, Any] = {
            "sha": f.sha,
            "filename": f.filename,
            "status": f.status,
            "additions": f.additions,
            "deletions": f.deletions,
            "changes": f.changes,
            "blob_url": f"{WEB}/{r.full_name}/blob/{ref_sha}/{quoted}",
            "raw_url": f"{WEB}/{r.full_name}/raw/{ref_sha}/{quoted}",
            "contents_url": f"{self.api}/repos/{r.full_name}/contents/{quoted}?ref={ref_sha}",
        }
        if not f.binary and f.patch:
            out["patch"] = f.patch
        if f.previous_filename:
            out["previous_filename"] = f.previous_filename
        return out

    def content_file(self, r: Repo, path: str, data: bytes, ref: str, too_large: bool) -> dict[str, Any]:
        from .state import git_blob_sha

        sha = git_blob_sha(data)
        url = f"{self.api}/repos/{r.full_name}/contents/{path}?ref={ref}"
        git_url = f"{self.api}/repos/{r.full_name}/git/blobs/{sha}"
        html_url = f"{WEB}/{r.full_name}/blob/{ref}/{path}"
        if too_large:
            content, encoding = "", "none"
        else:
            b64 = base64.b64encode(data).decode()
            # GitHub wraps the base64 body at 60 characters
            content = "".join(b64[i : i + 60] + "\n" for i in range(0, len(b64), 60))
            encoding = "base64"
        return {
            "type": "file",
            "encoding": encoding,
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": content,
            "sha": sha,
            "url": url,
            "git_url": git_url,
            "html_url": html_url,
            "download_url": f"https://raw.githubusercontent.com/{r.full_name}/{ref}/{path}",
            "_links": {"self": url, "git": git_url, "html": html_url},
        }

    def content_dir_entry(self, r: Repo, entry: dict[str, Any], ref: str) -> dict[str, Any]:
        path = entry["path"]
        kind = "dir" if entry["type"] == "tree" else "file"
        url = f"{self.api}/repos/{r.full_name}/contents/{path}?ref={ref}"
        git_url = f"{self.api}/repos/{r.full_name}/git/{'trees' if kind == 'dir' else 'blobs'}/{entry['sha']}"
        html_url = f"{WEB}/{r.full_name}/{'tree' if kind == 'dir' else 'blob'}/{ref}/{path}"
        return {
            "type": kind,
            "size": entry.get("size", 0),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": entry["sha"],
            "url": url,
            "git_url": git_url,
            "html_url": html_url,
            "download_url": None
            if kind == "dir"
            else f"https://raw.githubusercontent.com/{r.full_name}/{ref}/{path}",
            "_links": {"self": url, "git": git_url, "html": html_url},
        }

    # --- pull requests --------------------------------------------------------------------------

    def _branch(self, r: Repo, ref: str, sha: str, user: User) -> dict[str, Any]:
        return {
            "label": f"{r.owner.login}:{ref}",
            "ref": ref,
            "repo": self.repo(r),
            "sha": sha,
            "user": self.user(user),
        }

    def pull(self, pr: PullRequest) -> dict[str, Any]:
        r = pr.repo
        base = f"{self.api}/repos/{r.full_name}"
        html = f"{WEB}/{r.full_name}/pull/{pr.number}"
        files = self.gh.pr_files(pr)
        comments = [c for c in self.gh._issue_comments.values() if c.repo is r and c.number == pr.number]
        review_comments = self.gh._visible_review_comments(pr)
        commits = self.gh.pr_commits(pr)
        link = {
            "self": {"href": f"{base}/pulls/{pr.number}"},
            "html": {"href": html},
            "issue": {"href": f"{base}/issues/{pr.number}"},
            "comments": {"href": f"{base}/issues/{pr.number}/comments"},
            "review_comments": {"href": f"{base}/pulls/{pr.number}/comments"},
            "review_comment": {"href": f"{base}/pulls/comments{{/number}}"},
            "commits": {"href": f"{base}/pulls/{pr.number}/commits"},
            "statuses": {"href": f"{base}/statuses/{pr.head_sha}"},
        }
        return {
            "url": f"{base}/pulls/{pr.number}",
            "id": pr.id,
            "node_id": node_id("PR", pr.id),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{base}/issues/{pr.number}",
            "commits_url": f"{base}/pulls/{pr.number}/commits",
            "review_comments_url": f"{base}/pulls/{pr.number}/comments",
            "review_comment_url": f"{base}/pulls/comments{{/number}}",
            "comments_url": f"{base}/issues/{pr.number}/comments",
            "statuses_url": f"{base}/statuses/{pr.head_sha}",
            "number": pr.number,
            "state": pr.state,
            "locked": pr.locked,
            "title": pr.title,
            "user": self.user(pr.user),
            "body": pr.body,
            "labels": [],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": pr.created_at,
            "updated_at": pr.updated_at,
            "closed_at": pr.closed_at,
            "merged_at": None,
            "merge_commit_sha": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": self._branch(
                pr.head_repo, pr.head_ref, pr.head_sha, pr.head_repo.owner if pr.is_fork else pr.user
            ),
            "base": self._branch(r, pr.base_ref, pr.base_sha, r.owner),
            "_links": link,
            "author_association": self.gh.association(pr.user, r),
            "auto_merge": None,
            "draft": pr.draft,
            "merged": pr.merged,
            "mergeable": None if pr.state == "closed" else True,
            "rebaseable": True,
            "mergeable_state": "unknown" if pr.draft else "clean",
            "merged_by": None,
            "comments": len(comments),
            "review_comments": len(review_comments),
            "maintainer_can_modify": pr.is_fork,
            "commits": len(commits),
            "additions": sum(f.additions for f in files),
            "deletions": sum(f.deletions for f in files),
            "changed_files": len(files),
        }

    def pull_minimal(self, pr: PullRequest) -> dict[str, Any]:
        def side(r: Repo, ref: str, sha: str) -> dict[str, Any]:
            return {
                "ref": ref,
                "sha": sha,
                "repo": {"id": r.id, "url": f"{self.api}/repos/{r.full_name}", "name": r.name},
            }

        return {
            "id": pr.id,
            "number": pr.number,
            "url": f"{self.api}/repos/{pr.repo.full_name}/pulls/{pr.number}",
            "head": side(pr.head_repo, pr.head_ref, pr.head_sha),
            "base": side(pr.repo, pr.base_ref, pr.base_sha),
        }

    def review(self, rv: Review) -> dict[str, Any]:
        pr = rv.pr
        html = f"{WEB}/{pr.repo.full_name}/pull/{pr.number}#pullrequestreview-{rv.id}"
        pr_url = f"{self.api}/repos/{pr.repo.full_name}/pulls/{pr.number}"
        out = {
            "id": rv.id,
            "node_id": node_id("PRR", rv.id),
            "user": self.user(rv.user),
            "body": rv.body,
            "state": rv.state,
            "html_url": html,
            "pull_request_url": pr_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
            "commit_id": rv.commit_id,
            "author_association": self.gh.association(rv.user, pr.repo),
        }
        if rv.submitted_at:
            out["submitted_at"] = rv.submitted_at
        return out

    def reaction_rollup(self, url: str, comment_id: int) -> dict[str, Any]:
        reactions = [r for r in self.gh._reactions.values() if r.comment_id == comment_id]
        out: dict[str, Any] = {"url": f"{url}/reactions", "total_count": len(reactions)}
        for content in REACTIONS:
            out[content] = sum(1 for r in reactions if r.content == content)
        return out

    def review_comment(self, c: ReviewComment) -> dict[str, Any]:
        pr = c.pr
        base = f"{self.api}/repos/{pr.repo.full_name}"
        url = f"{base}/pulls/comments/{c.id}"
        html = f"{WEB}/{pr.repo.full_name}/pull/{pr.number}#discussion_r{c.id}"
        pr_url = f"{base}/pulls/{pr.number}"
        current = self.gh.comment_position(c)  # None when outdated
        out: dict[str, Any] = {
            "url": url,
            "pull_request_review_id": c.review_id,
            "id": c.id,
            "node_id": node_id("PRRC", c.id),
            "diff_hunk": c.diff_hunk,
            "path": c.path,
            "commit_id": pr.head_sha if current is not None else c.commit_id,
            "original_commit_id": c.original_commit_id,
            "user": self.user(c.user),
            "body": c.body,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "html_url": html,
            "pull_request_url": pr_url,
            "author_association": self.gh.association(c.user, pr.repo),
            "_links": {"self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pr_url}},
            "subject_type": c.subject_type,
            "reactions": self.reaction_rollup(url, c.id),
        }
        if c.subject_type == "line":
            # outdated comments have null position/line on real GitHub (the OpenAPI types say int)
            out["position"] = current
            out["original_position"] = c.original_position
            out["line"] = c.line if current is not None else None
            out["original_line"] = c.line
            out["side"] = c.side
            out["start_line"] = c.start_line if current is not None else None
            out["original_start_line"] = c.start_line
            out["start_side"] = c.start_side
        else:
            out["side"] = "RIGHT"  # file-level comments carry no line fields
        if c.in_reply_to_id:
            out["in_reply_to_id"] = c.in_reply_to_id
        return out

    # --- issues ---------------------------------------------------------------------------------

    def issue_comment(self, c: IssueComment) -> dict[str, Any]:
        base = f"{self.api}/repos/{c.repo.full_name}"
        url = f"{base}/issues/comments/{c.id}"
        return {
            "id": c.id,
            "node_id": node_id("IC", c.id),
            "url": url,
            "html_url": f"{WEB}/{c.repo.full_name}/pull/{c.number}#issuecomment-{c.id}",
            "body": c.body,
            "user": self.user(c.user),
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "issue_url": f"{base}/issues/{c.number}",
            "author_association": self.gh.association(c.user, c.repo),
            "performed_via_github_app": self.app(c.app) if c.app else None,
            "reactions": self.reaction_rollup(url, c.id),
        }

    def reaction(self, r: Reaction) -> dict[str, Any]:
        return {
            "id": r.id,
            "node_id": node_id("REA", r.id),
            "user": self.user(r.user),
            "content": r.content,
            "created_at": r.created_at,
        }

    # --- checks ---------------------------------------------------------------------------------

    def check_run(self, cr: CheckRun) -> dict[str, Any]:
        base = f"{self.api}/repos/{cr.repo.full_name}"
        prs = [
            self.pull_minimal(pr)
            for pr in self.gh._pulls.values()
            if pr.repo is cr.repo and pr.head_sha == cr.head_sha and pr.state == "open" and not pr.is_fork
        ]
        return {
            "id": cr.id,
            "head_sha": cr.head_sha,
            "node_id": node_id("CR", cr.id),
            "external_id": cr.external_id,
            "url": f"{base}/check-runs/{cr.id}",
            "html_url": f"{WEB}/{cr.repo.full_name}/runs/{cr.id}",
            "details_url": cr.details_url,
            "status": cr.status,
            "conclusion": cr.conclusion,
            "started_at": cr.started_at,
            "completed_at": cr.completed_at,
            "output": {
                "title": cr.output.get("title"),
                "summary": cr.output.get("summary"),
                "text": cr.output.get("text"),
                "annotations_count": len(cr.annotations),
                "annotations_url": f"{base}/check-runs/{cr.id}/annotations",
            },
            "name": cr.name,
            "check_suite": {"id": cr.suite.id},
            "app": self.app(cr.app),
            "pull_requests": prs,
        }

    # --- webhooks deliveries --------------------------------------------------------------------

    def delivery_item(self, d: Delivery) -> dict[str, Any]:
        return {
            "id": d.id,
            "guid": d.guid,
            "delivered_at": d.delivered_at,
            "redelivery": d.redelivery,
            "duration": d.duration,
            "status": d.status,
            "status_code": d.status_code,
            "event": d.event,
            "action": d.action,
            "installation_id": d.installation_id,
            "repository_id": d.repository_id,
            "throttled_at": None,
        }

    def delivery(self, d: Delivery) -> dict[str, Any]:
        out = self.delivery_item(d)
        out["url"] = d.url
        out["request"] = {"headers": dict(d.request_headers), "payload": d.payload}
        out["response"] = {"headers": dict(d.response_headers), "payload": d.response_body}
        return out
