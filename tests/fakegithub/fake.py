"""FakeGitHub: the state, the scenario-building API the tests use, and the server lifecycle."""

from __future__ import annotations

import re
import secrets
import socket
import threading
import time
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .diff import FileDiff, diff_trees
from .faults import Faults
from .render import Renderer
from .state import (
    App,
    CheckRun,
    CheckSuite,
    Delivery,
    Ids,
    Installation,
    IssueComment,
    ObjectStore,
    PullRequest,
    Reaction,
    Repo,
    Review,
    ReviewComment,
    Thread,
    Token,
    User,
    git_blob_sha,
    to_bytes,
)

PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")
DEFAULT_APP_PERMISSIONS = {
    "checks": "write",
    "contents": "read",
    "issues": "write",
    "metadata": "read",
    "pull_requests": "write",
}
DEFAULT_APP_EVENTS = ["check_run", "check_suite", "issue_comment", "pull_request"]


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class Call(tuple):
    """(method, path, status) plus `.operation` (operationId or None) and `.query`."""

    operation: str | None
    query: str

    def __new__(cls, method: str, path: str, status: int, operation: str | None = None, query: str = ""):
        obj = super().__new__(cls, (method, path, status))
        obj.operation = operation
        obj.query = query
        return obj

    @property
    def method(self) -> str:
        return self[0]

    @property
    def path(self) -> str:
        return self[1]

    @property
    def status(self) -> int:
        return self[2]


class FakeApp:
    """What create_app() returns: the fields a test hands to the bot under test."""

    def __init__(self, app: App) -> None:
        self._app = app

    @property
    def id(self) -> int:
        return self._app.id

    @property
    def slug(self) -> str:
        return self._app.slug

    @property
    def client_id(self) -> str:
        return self._app.client_id

    @property
    def private_key_pem(self) -> str:
        return self._app.private_key_pem

    @property
    def webhook_secret(self) -> str:
        return self._app.webhook_secret

    @property
    def webhook_url(self) -> str | None:
        return self._app.webhook_url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self._app.webhook_url = url

    @property
    def bot_login(self) -> str:
        return self._app.bot.login


class FakeGitHub:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.ids = Ids()
        self.users: dict[str, User] = {}
        self.apps: dict[int, App] = {}
        self.installations: dict[int, Installation] = {}
        self.repos: dict[str, Repo] = {}  # lower-case full name -> Repo
        self.tokens: dict[str, Token] = {}
        self._pulls: dict[int, PullRequest] = {}
        self._reviews: dict[int, Review] = {}
        self._review_comments: dict[int, ReviewComment] = {}
        self._threads: dict[int, Thread] = {}
        self._check_suites: dict[int, CheckSuite] = {}
        self._check_runs: dict[int, CheckRun] = {}
        self._issue_comments: dict[int, IssueComment] = {}
        self._reactions: dict[int, Reaction] = {}
        self._deliveries: dict[int, Delivery] = {}
        self._manifest_codes: dict[str, tuple[dict[str, Any], str, float]] = {}  # code -> (manifest, owner, ts)
        self._diff_cache: dict[tuple[str, str], list[FileDiff]] = {}
        self._content_events: dict[int, list[float]] = {}
        self._rate: dict[tuple[str, str], list[float]] = {}  # (actor, resource) -> [window start, used]
        self.calls: list[Call] = []
        self.faults = Faults()
        self.before_request: list[Any] = []  # callables (method, path), run before each request is answered
        self.token_ttl = 3600.0
        self.time_offset = 0.0
        self.rate_limit = 5000
        self.graphql_rate_limit = 5000
        # GraphQL points used up: GitHub answers 200 with an error of this type (formerly RATE_LIMITED);
        # None: a 403 "API rate limit exceeded", as REST (some clients report it for GraphQL too).
        self.graphql_rate_limited_type: str | None = "RATE_LIMIT"
        self.graphql_refused = 0  # GraphQL queries answered with that error
        self.content_limit_per_minute = 80
        self.content_limit_per_hour = 500
        self.webhook_timeout = 10.0
        self.base_url: str | None = None
        self.render = Renderer(self)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # --- clock ----------------------------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self.time_offset

    def now_iso(self) -> str:
        return iso(self.now())

    def advance_time(self, seconds: float) -> None:
        """Move the fake's clock (token expiry, rate-limit windows, delivery age); JWTs use real time."""
        with self.lock:
            self.time_offset += seconds

    # --- server lifecycle -----------------------------------------------------------------------

    def start(self) -> str:
        import uvicorn

        from .server import build_asgi

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(build_asgi(self), log_level="warning", access_log=False, lifespan="off")
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake GitHub server did not start")
            time.sleep(0.01)
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeGitHub:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- users, apps, installations -------------------------------------------------------------

    def add_user(
        self,
        login: str,
        permission_on: dict[str, str] | None = None,
        type: str = "User",
        association: dict[str, str] | None = None,
    ) -> User:
        """Create or update a user. permission_on: {"owner/repo": admin|maintain|write|triage|read|none}.
        association overrides the computed author_association per repo (e.g. {"octo/shop": "MEMBER"})."""
        with self.lock:
            user = self.users.get(login)
            if user is None:
                user = User(login=login, id=self.ids.next("user"), type=type)
                self.users[login] = user
            else:
                user.type = type
            for repo, perm in (permission_on or {}).items():
                if perm not in PERMISSIONS:
                    raise ValueError(f"unknown permission {perm!r}")
                user.permissions[repo.lower()] = perm
            for repo, assoc in (association or {}).items():
                user.association[repo.lower()] = assoc
            return user

    def _user(self, login: str, type: str = "User") -> User:
        user = self.users.get(login)
        if user is None:
            user = self.add_user(login, type=type)
        return user

    def create_app(
        self,
        slug: str = "dockreview",
        webhook_secret: str = "s3cret",
        webhook_url: str | None = None,
        permissions: dict[str, str] | None = None,
        events: list[str] | None = None,
        owner: str = "dockreview-org",
    ) -> FakeApp:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        with self.lock:
            app_id = self.ids.next("app")
            app = App(
                id=app_id,
                slug=slug,
                name=slug,
                client_id="Iv1." + secrets.token_hex(8),
                private_key_pem=pem,
                public_key=key.public_key(),
                webhook_secret=webhook_secret,
                webhook_url=webhook_url,
                permissions=dict(permissions or DEFAULT_APP_PERMISSIONS),
                events=list(events or DEFAULT_APP_EVENTS),
                owner=self._user(owner, type="Organization"),
                bot=self._user(f"{slug}[bot]", type="Bot"),
                created_at=self.now_iso(),
            )
            self.apps[app_id] = app
            return FakeApp(app)

    def manifest_code(self, manifest: dict[str, Any], owner: str = "octo-admin") -> str:
        """What GitHub hands the manifest flow's redirect_url after `owner` registered an App from `manifest`
        (the form POSTed to /settings/apps/new): a temporary code for POST /app-manifests/{code}/conversions.
        Valid once, for one hour (fake clock); the App exists, and its JWTs work, once the code is converted."""
        if not isinstance(manifest, dict) or not manifest.get("url"):
            raise ValueError("a manifest needs at least `url`")
        code = secrets.token_hex(10)
        with self.lock:
            self._manifest_codes[code] = (manifest, owner, self.now())
        return code

    def app_from_manifest(self, code: str) -> tuple[App, dict[str, Any]] | None:
        """Redeem a manifest code (once, within the hour): creates the App; None if the code is unknown."""
        with self.lock:
            entry = self._manifest_codes.pop(code, None)
            if entry is None:
                return None
            manifest, owner, created = entry
            if self.now() - created > 3600:
                return None
            name = str(manifest.get("name") or "my-app")
            base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "app"
            slug, n = base, 1
            while any(a.slug == slug for a in self.apps.values()):
                n += 1
                slug = f"{base}-{n}"
            hook = manifest.get("hook_attributes") or {}
            self._user(owner)  # a personal account unless add_user(owner, type="Organization") came first
            fake_app = self.create_app(
                slug=slug,
                webhook_secret=secrets.token_hex(20),
                webhook_url=hook.get("url") if hook.get("active", True) else None,
                permissions=dict(manifest.get("default_permissions") or {"metadata": "read"}),
                events=list(manifest.get("default_events") or []),
                owner=owner,
            )
            app = fake_app._app
            app.name = name
            return app, manifest

    def _app(self, app: FakeApp | App | int) -> App:
        if isinstance(app, FakeApp):
            return app._app
        if isinstance(app, App):
            return app
        return self.apps[app]

    def install(self, app: FakeApp | App | int, account: str, repos: list[str] | None = None) -> int:
        """Install the app on `account`; repos = repository names (without owner), None = all."""
        with self.lock:
            a = self._app(app)
            inst = Installation(
                id=self.ids.next("installation"),
                app=a,
                account=self._user(account),
                repos=None if repos is None else {r.lower() for r in repos},
                created_at=self.now_iso(),
                permissions=dict(a.permissions),
            )
            self.installations[inst.id] = inst
            return inst.id

    def uninstall(self, installation_id: int) -> None:
        with self.lock:
            self.installations.pop(installation_id, None)
            for tok in self.tokens.values():
                if tok.installation.id == installation_id:
                    tok.revoked = True

    def installation_for_repo(self, repo: Repo, app: App | None = None) -> Installation | None:
        for inst in self.installations.values():
            if app is not None and inst.app is not app:
                continue
            if inst.account is repo.owner and (inst.repos is None or repo.name.lower() in inst.repos):
                return inst
        return None

    def can_access(self, inst: Installation, repo: Repo) -> bool:
        return inst.account is repo.owner and (inst.repos is None or repo.name.lower() in inst.repos)

    def issue_token(self, inst: Installation) -> Token:
        with self.lock:
            tok = Token(
                "ghs_" + secrets.token_urlsafe(27).replace("-", "A").replace("_", "b")[:36],
                inst,
                self.now() + self.token_ttl,
            )
            self.tokens[tok.token] = tok
            return tok

    def installation_token(self, installation_id: int) -> str:
        """Shortcut for tests of the fake itself: a valid token without the JWT dance."""
        return self.issue_token(self.installations[installation_id]).token

    def set_token_ttl(self, seconds: float) -> None:
        self.token_ttl = float(seconds)

    def expire_tokens(self) -> None:
        """Every installation token issued so far becomes invalid (401 Bad credentials)."""
        with self.lock:
            for tok in self.tokens.values():
                tok.revoked = True

    def set_rate_limit(self, limit: int, graphql: int | None = None) -> None:
        self.rate_limit = limit
        if graphql is not None:
            self.graphql_rate_limit = graphql

    # --- repositories ---------------------------------------------------------------------------

    def repo(self, full_name: str) -> Repo:
        try:
            return self.repos[full_name.lower()]
        except KeyError:
            raise KeyError(f"no repository {full_name}") from None

    def create_repo(
        self,
        full_name: str,
        files: dict[str, bytes | str] | None = None,
        default_branch: str = "main",
        private: bool = False,
        message: str = "Initial commit",
    ) -> str:
        """Create a repository with one commit on the default branch; returns that commit's sha."""
        owner, name = full_name.split("/")
        with self.lock:
            now = self.now_iso()
            repo = Repo(
                id=self.ids.next("repo"),
                owner=self._user(owner),
                name=name,
                default_branch=default_branch,
                store=ObjectStore(),
                private=private,
                created_at=now,
                pushed_at=now,
            )
            self.repos[full_name.lower()] = repo
            sha = repo.store.add_commit(
                {p: to_bytes(c) for p, c in (files or {}).items()}, [], message, owner, now
            )
            repo.branches[default_branch] = sha
            return sha

    def push(
        self,
        full_name: str,
        branch: str,
        files: dict[str, bytes | str] | None = None,
        delete: list[str] | None = None,
        message: str = "Update",
        author: str | None = None,
        parent: str | None = None,
    ) -> str:
        """New commit on `branch` (parent: branch head, else default branch head); returns its sha.
        Open pull requests whose head is that branch move to the new commit."""
        with self.lock:
            repo = self.repo(full_name)
            if parent is None:
                parent = repo.branches.get(branch) or repo.branches[repo.default_branch]
            tree = dict(repo.store.commits[parent].tree)
            for path, content in (files or {}).items():
                tree[path] = to_bytes(content)
            for path in delete or []:
                if path not in tree:
                    raise KeyError(f"{path} not in {full_name}@{parent[:7]}")
                del tree[path]
            now = self.now_iso()
            sha = repo.store.add_commit(tree, [parent], message, author or repo.owner.login, now)
            repo.branches[branch] = sha
            repo.pushed_at = now
            for pr in self._pulls.values():
                if pr.state != "open":
                    continue
                if pr.head_ref == branch and (pr.head_repo is repo or (pr.repo is repo and pr.is_fork)):
                    pr.head_sha = sha
                    pr.head_repo.branches[branch] = sha
                    pr.updated_at = now
                if pr.repo is repo and pr.base_ref == branch:
                    pr.base_sha = sha
            return sha

    def resolve_ref(self, repo: Repo, ref: str) -> str | None:
        """A sha (full or >= 7 chars), branch, refs/heads/x, or refs/pull/N/head."""
        if ref in repo.store.commits:
            return ref
        name = ref.removeprefix("refs/heads/").removeprefix("heads/")
        if name in repo.branches:
            return repo.branches[name]
        m = re.fullmatch(r"(?:refs/)?pull/(\d+)/head", ref)
        if m:
            pr = self.pull(repo.full_name, int(m.group(1)))
            return pr.head_sha if pr else None
        if re.fullmatch(r"[0-9a-f]{7,40}", ref):
            hits = [s for s in repo.store.commits if s.startswith(ref)]
            if len(hits) == 1:
                return hits[0]
        return None

    # --- pull requests --------------------------------------------------------------------------

    def open_pull_request(
        self,
        full_name: str,
        head: str,
        base: str | None = None,
        user: str = "alice",
        fork: bool = False,
        title: str | None = None,
        body: str | None = "",
        draft: bool = False,
    ) -> int:
        """Open a PR from branch `head` (pushed to the repo with push()). fork=True makes the head live
        in `<user>/<repo>`, a fork: check runs then list no pull_requests, and check_suite payloads
        have an empty pull_requests array, as on GitHub."""
        with self.lock:
            repo = self.repo(full_name)
            author = self._user(user)
            base = base or repo.default_branch
            head_repo = repo
            if fork:
                fork_name = f"{user}/{repo.name}"
                head_repo = self.repos.get(fork_name.lower())
                if head_repo is None:
                    head_repo = Repo(
                        id=self.ids.next("repo"),
                        owner=author,
                        name=repo.name,
                        default_branch=repo.default_branch,
                        store=repo.store,  # shared object store, like GitHub's fork network
                        fork=True,
                        parent=repo,
                        created_at=self.now_iso(),
                        pushed_at=self.now_iso(),
                    )
                    self.repos[fork_name.lower()] = head_repo
                if head in repo.branches and head not in head_repo.branches:
                    head_repo.branches[head] = repo.branches[head]
            if head not in head_repo.branches:
                raise KeyError(f"branch {head} not pushed to {head_repo.full_name}")
            number = 1 + max((p.number for p in self._pulls.values() if p.repo is repo), default=0)
            number = max(
                number,
                1 + max((c.number for c in self._issue_comments.values() if c.repo is repo), default=0),
            )
            now = self.now_iso()
            pr = PullRequest(
                id=self.ids.next("pull"),
                number=number,
                repo=repo,
                head_repo=head_repo,
                head_ref=head,
                base_ref=base,
                head_sha=head_repo.branches[head],
                base_sha=repo.branches[base],
                user=author,
                title=title or f"Update {head}",
                body=body,
                created_at=now,
                updated_at=now,
                draft=draft,
            )
            self._pulls[pr.id] = pr
            return number

    def queue_pull_requests(self, full_name: str, numbers: list[int]) -> dict[str, str]:
        """A merge queue's group for pull requests `numbers` (same base branch), as GitHub builds it: a
        commit on `gh-readonly-queue/<base>/pr-<last>-<sha>` holding the base branch's tip plus each
        pull request's changes, in order. Returns the `merge_group` object's refs and shas."""
        with self.lock:
            prs = [self._pr(full_name, n) for n in numbers]
            repo = prs[0].repo
            base_ref = prs[0].base_ref
            base_sha = repo.branches[base_ref]
            tree = dict(repo.store.commits[base_sha].tree)
            head = base_sha
            for pr in prs:
                for f in self.pr_files(pr):
                    if f.status == "removed" or (f.previous_filename and f.previous_filename != f.filename):
                        tree.pop(f.previous_filename or f.filename, None)
                    if f.status != "removed":
                        tree[f.filename] = repo.store.commits[pr.head_sha].tree[f.filename]
                head = repo.store.add_commit(dict(tree), [head, pr.head_sha],
                                             f"Merge pull request #{pr.number}", "github", self.now_iso())
            last = prs[-1]
            ref = f"gh-readonly-queue/{base_ref}/pr-{last.number}-{last.head_sha}"
            repo.branches[ref] = head
            return {"head_sha": head, "head_ref": f"refs/heads/{ref}", "base_sha": base_sha,
                    "base_ref": f"refs/heads/{base_ref}"}

    def request_merge_group_checks(self, full_name: str, group: dict[str, str], url: str) -> int | None:
        """`merge_group` `checks_requested` for `group` (from queue_pull_requests), sent as GitHub sends
        it: only to an App installed on the repository that subscribes to `merge_group` and has the
        `merge_queues` permission. Returns the HTTP status, None when no App gets the event."""
        with self.lock:
            inst = self.installation_for_repo(self.repo(full_name))
            app = inst.app if inst is not None else None
            wanted = (app is not None and "merge_group" in app.events
                      and inst is not None and inst.permissions.get("merge_queues") in ("read", "write"))
        if not wanted:
            return None
        payload = self.event_payload("merge_group", "checks_requested", repo=full_name, merge_group=group)
        return self.deliver("merge_group", payload, url=url, app=FakeApp(app))[0]

    def pull(self, full_name: str, number: int) -> PullRequest | None:
        repo = self.repos.get(full_name.lower())
        for pr in self._pulls.values():
            if pr.repo is repo and pr.number == number:
                return pr
        return None

    def _pr(self, full_name: str, number: int) -> PullRequest:
        pr = self.pull(full_name, number)
        if pr is None:
            raise KeyError(f"no pull request {full_name}#{number}")
        return pr

    def close_pull_request(self, full_name: str, number: int) -> None:
        with self.lock:
            pr = self._pr(full_name, number)
            pr.state, pr.closed_at = "closed", self.now_iso()

    def reopen_pull_request(self, full_name: str, number: int) -> None:
        with self.lock:
            pr = self._pr(full_name, number)
            pr.state, pr.closed_at = "open", None
            pr.head_sha = pr.head_repo.branches[pr.head_ref]

    def retarget_pull_request(self, full_name: str, number: int, base: str) -> dict[str, Any]:
        """Change the pull request's base branch (as the "Edit" button does); returns the `changes`
        object of the `pull_request` `edited` delivery GitHub sends for it."""
        with self.lock:
            pr = self._pr(full_name, number)
            changes = {"base": {"ref": {"from": pr.base_ref}, "sha": {"from": pr.base_sha}}}
            pr.base_ref, pr.base_sha = base, pr.repo.branches[base]
            pr.updated_at = self.now_iso()
            return changes

    def mark_ready_for_review(self, full_name: str, number: int) -> None:
        with self.lock:
            self._pr(full_name, number).draft = False

    def merge_base_sha(self, pr: PullRequest) -> str:
        return pr.repo.store.merge_base(pr.base_sha, pr.head_sha) or pr.base_sha

    def pr_files(self, pr: PullRequest, head_sha: str | None = None) -> list[FileDiff]:
        head_sha = head_sha or pr.head_sha
        base = pr.repo.store.merge_base(pr.base_sha, head_sha) or pr.base_sha
        return self.diff(pr.repo.store, base, head_sha)

    def diff(self, store: ObjectStore, base: str, head: str) -> list[FileDiff]:
        key = (base, head)
        if key not in self._diff_cache:
            new = store.commits[head].tree
            blob = {p: git_blob_sha(d) for p, d in new.items()}
            self._diff_cache[key] = diff_trees(store.commits[base].tree, new, blob)
        return self._diff_cache[key]

    def pulls_of_commit(self, repo: Repo, sha: str) -> list[PullRequest]:
        """The pull requests that contain the commit (open ones, and merged ones), oldest first; like
        GitHub, only the merged pull request that brought it in once it is on the default branch.
        `GET commits/{sha}/pulls` and GraphQL `Commit.associatedPullRequests` both list these."""
        with self.lock:
            found = [pr for pr in self._pulls.values()
                     if pr.repo is repo and (pr.state == "open" or pr.merged)
                     and (pr.head_sha == sha or sha in self.pr_commits(pr))]
            if sha in repo.store.ancestors(repo.branches[repo.default_branch]):
                found = [pr for pr in found if pr.merged]
            return sorted(found, key=lambda pr: pr.number)

    def pr_commits(self, pr: PullRequest) -> list[str]:
        base_anc = set(pr.repo.store.ancestors(pr.base_sha))
        return [s for s in pr.repo.store.ancestors(pr.head_sha) if s not in base_anc][::-1]

    # --- people ---------------------------------------------------------------------------------

    def permission(self, user: User, repo: Repo) -> str:
        if user is repo.owner:
            return "admin"
        return user.permissions.get(repo.full_name.lower(), "none")

    def association(self, user: User, repo: Repo) -> str:
        override = user.association.get(repo.full_name.lower())
        if override:
            return override
        if user is repo.owner:
            return "OWNER"
        if user.type == "Bot":
            return "NONE"
        perm = self.permission(user, repo)
        if perm in ("admin", "maintain", "write", "triage") or (perm == "read" and repo.private):
            return "COLLABORATOR"
        return "NONE"

    # --- review comment helpers -----------------------------------------------------------------

    def _visible_review_comments(self, pr: PullRequest) -> list[ReviewComment]:
        pending = {rv.id for rv in self._reviews.values() if rv.state == "PENDING"}
        return sorted(
            (c for c in self._review_comments.values() if c.pr is pr and c.review_id not in pending),
            key=lambda c: c.id,
        )

    def comment_position(self, c: ReviewComment) -> int | None:
        """Position of the comment in the PR's current diff; None when outdated (or a file comment)."""
        if c.subject_type != "line":
            return None
        thread = self._threads[c.thread_id]
        anchor = self._review_comments[thread.comment_ids[0]]
        if anchor.original_commit_id != c.pr.head_sha:
            old = c.pr.repo.store.commits[anchor.original_commit_id].tree.get(c.path)
            new = c.pr.repo.store.commits[c.pr.head_sha].tree.get(c.path)
            if old != new:
                return None
        for f in self.pr_files(c.pr):
            if f.filename == c.path:
                pl = f.find(anchor.side or "RIGHT", anchor.line or 0)
                return pl.position if pl else None
        return None

    def is_outdated(self, thread: Thread) -> bool:
        root = self._review_comments[thread.comment_ids[0]]
        return root.subject_type == "line" and self.comment_position(root) is None

    # --- inspection -----------------------------------------------------------------------------

    def count(
        self,
        operation: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> int:
        """Number of recorded requests matching all given filters (path is a regex, searched)."""
        with self.lock:
            calls = list(self.calls)
        return sum(
            1
            for c in calls
            if (operation is None or c.operation == operation)
            and (method is None or c.method == method.upper())
            and (path is None or re.search(path, c.path))
            and (status is None or c.status == status)
        )

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    def reviews(self, full_name: str, number: int) -> list[dict[str, Any]]:
        with self.lock:
            pr = self._pr(full_name, number)
            out = []
            for rv in sorted(self._reviews.values(), key=lambda r: r.id):
                if rv.pr is pr:
                    item = self.render.review(rv)
                    item["comments"] = [
                        self.render.review_comment(c)
                        for c in sorted(self._review_comments.values(), key=lambda c: c.id)
                        if c.review_id == rv.id
                    ]
                    out.append(item)
            return out

    def review_comments(
        self, full_name: str, number: int, include_pending: bool = False
    ) -> list[dict[str, Any]]:
        with self.lock:
            pr = self._pr(full_name, number)
            if include_pending:
                items = sorted((c for c in self._review_comments.values() if c.pr is pr), key=lambda c: c.id)
            else:
                items = self._visible_review_comments(pr)
            return [self.render.review_comment(c) for c in items]

    def check_runs(
        self, full_name: str, sha: str | None = None, name: str | None = None
    ) -> list[dict[str, Any]]:
        """Check runs (oldest first) with `annotations` (all, accumulated across PATCHes) and `requests`
        (every create/update body received)."""
        with self.lock:
            repo = self.repo(full_name)
            out = []
            for cr in sorted(self._check_runs.values(), key=lambda c: c.id):
                if (
                    cr.repo is repo
                    and (sha is None or cr.head_sha == sha)
                    and (name is None or cr.name == name)
                ):
                    item = self.render.check_run(cr)
                    item["output"] = dict(item["output"], annotations=[dict(a) for a in cr.annotations])
                    item["annotations"] = [dict(a) for a in cr.annotations]
                    item["actions"] = [dict(a) for a in cr.actions]
                    item["requests"] = list(cr.history)
                    out.append(item)
            return out

    def issue_comments(self, full_name: str | None = None, number: int | None = None) -> list[dict[str, Any]]:
        with self.lock:
            repo = self.repo(full_name) if full_name else None
            return [
                self.render.issue_comment(c)
                for c in sorted(self._issue_comments.values(), key=lambda c: c.id)
                if (repo is None or c.repo is repo) and (number is None or c.number == number)
            ]

    def add_issue_comment(self, full_name: str, number: int, body: str, user: str = "alice") -> int:
        """A comment written by a person (e.g. `/recheck`); returns its id."""
        with self.lock:
            repo = self.repo(full_name)
            now = self.now_iso()
            c = IssueComment(self.ids.next("issue_comment"), repo, number, self._user(user), body, now, now)
            self._issue_comments[c.id] = c
            return c.id

    def reactions(self, comment_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return [self.render.reaction(r) for r in self._reactions.values() if r.comment_id == comment_id]

    def threads(self, full_name: str, number: int) -> list[dict[str, Any]]:
        """Review threads: {id (node id), path, line, side, isResolved, isOutdated, comments: [ids]}."""
        with self.lock:
            pr = self._pr(full_name, number)
            pending = {rv.id for rv in self._reviews.values() if rv.state == "PENDING"}
            out = []
            for t in sorted(self._threads.values(), key=lambda t: t.id):
                if t.pr is not pr or self._review_comments[t.comment_ids[0]].review_id in pending:
                    continue
                out.append(
                    {
                        "id": t.node_id,
                        "path": t.path,
                        "line": t.line,
                        "side": t.side,
                        "start_line": t.start_line,
                        "isResolved": t.is_resolved,
                        "isOutdated": self.is_outdated(t),
                        "comments": list(t.comment_ids),
                        "bodies": [self._review_comments[i].body for i in t.comment_ids],
                    }
                )
            return out

    def deliveries(self) -> list[Delivery]:
        with self.lock:
            return sorted(self._deliveries.values(), key=lambda d: d.id)

    # --- faults ---------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int = 502,
        times: int = 1,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ):
        """The next `times` requests matching method ('*' = any) and path regex get `status`."""
        return self.faults.add(method, path_regex, status, times, body, headers)

    def when(self, method: str, path_regex: str, action: Any) -> None:
        """Run `action()` once, just before the first request matching method and path is answered."""
        done = False

        def hook(m: str, path: str) -> None:
            nonlocal done
            if not done and m == method.upper() and re.search(path_regex, path):
                done = True
                action()

        self.before_request.append(hook)

    def delete_check_run(self, check_run_id: int) -> None:
        """The check run is gone (GitHub keeps 1,000 runs of a name per suite and deletes older ones)."""
        with self.lock:
            self._check_runs.pop(check_run_id, None)

    def secondary_rate_limit(
        self, times: int = 1, retry_after: int | None = 1, method: str = "*", path_regex: str = ".*"
    ):
        """The next `times` matching requests get GitHub's secondary-rate-limit 403 with retry-after."""
        return self.faults.secondary(times, retry_after, method, path_regex)

    # --- webhooks -------------------------------------------------------------------------------

    def event_payload(self, event: str, action: str, **kwargs: Any) -> dict[str, Any]:
        from .webhooks import build_payload

        return build_payload(self, event, action, **kwargs)

    def deliver(
        self, event: str, payload: dict[str, Any], url: str | None = None, app: FakeApp | None = None
    ) -> tuple[int, str]:
        from .webhooks import deliver

        return deliver(self, event, payload, url=url, app=app)
