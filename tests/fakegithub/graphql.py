"""POST /graphql: a real GraphQL engine (graphql-core) over a subset of GitHub's schema.

Field and type names follow GitHub's schema (see ../shared/github/graphql-review-threads.graphql).
Connections require `first` or `last` in 1..100; errors come back in GitHub's shape
({"errors": [{"type", "path", "locations", "message"}]}, HTTP 200).
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, build_schema, graphql_sync

from . import errors, ops
from .state import Thread, decode_node_id, git_blob_sha, node_id

if TYPE_CHECKING:
    from .server import Ctx

SDL = """
scalar BigInt
scalar DateTime
scalar GitObjectID
scalar URI

interface Node { id: ID! }
interface Actor { login: String! avatarUrl: URI! url: URI! }
interface GitObject { id: ID! oid: GitObjectID! abbreviatedOid: String! }
interface Minimizable {
  isMinimized: Boolean!
  minimizedReason: String
  viewerCanMinimize: Boolean!
}

enum DiffSide { LEFT RIGHT }
enum PullRequestReviewThreadSubjectType { FILE LINE }
enum ReportedContentClassifiers { ABUSE DUPLICATE OFF_TOPIC OUTDATED RESOLVED SPAM }
enum PullRequestState { OPEN CLOSED MERGED }

type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
type RateLimit { cost: Int! limit: Int! nodeCount: Int! remaining: Int! resetAt: DateTime! used: Int! }

type User implements Node & Actor { id: ID! login: String! avatarUrl: URI! url: URI! databaseId: Int }
type Bot implements Node & Actor { id: ID! login: String! avatarUrl: URI! url: URI! databaseId: Int }

type Blob implements Node & GitObject {
  id: ID! oid: GitObjectID! abbreviatedOid: String!
  byteSize: Int! isBinary: Boolean isTruncated: Boolean! text: String
}
type TreeEntry { name: String! path: String type: String! mode: Int! oid: GitObjectID! }
type Tree implements Node & GitObject {
  id: ID! oid: GitObjectID! abbreviatedOid: String! entries: [TreeEntry!]
}
type Commit implements Node & GitObject {
  id: ID! oid: GitObjectID! abbreviatedOid: String! message: String!
  associatedPullRequests(after: String, before: String, first: Int, last: Int): PullRequestConnection
}

type Repository implements Node {
  id: ID!
  name: String!
  nameWithOwner: String!
  databaseId: Int
  isPrivate: Boolean!
  defaultBranchRef: Ref
  pullRequest(number: Int!): PullRequest
  object(expression: String, oid: GitObjectID): GitObject
}
type Ref { name: String! target: GitObject }

type PullRequest implements Node {
  id: ID!
  number: Int!
  title: String!
  state: PullRequestState!
  isDraft: Boolean!
  headRefName: String!
  headRefOid: GitObjectID!
  baseRefName: String!
  baseRefOid: GitObjectID!
  author: Actor
  reviewThreads(after: String, before: String, first: Int, last: Int): PullRequestReviewThreadConnection!
}

type PullRequestEdge { cursor: String! node: PullRequest }
type PullRequestConnection {
  edges: [PullRequestEdge]
  nodes: [PullRequest]
  pageInfo: PageInfo!
  totalCount: Int!
}

type PullRequestReviewThread implements Node {
  id: ID!
  comments(
    after: String, before: String, first: Int, last: Int, skip: Int
  ): PullRequestReviewCommentConnection!
  diffSide: DiffSide!
  isCollapsed: Boolean!
  isOutdated: Boolean!
  isResolved: Boolean!
  line: Int
  originalLine: Int
  originalStartLine: Int
  path: String!
  pullRequest: PullRequest!
  repository: Repository!
  resolvedBy: User
  startDiffSide: DiffSide
  startLine: Int
  subjectType: PullRequestReviewThreadSubjectType!
  viewerCanReply: Boolean!
  viewerCanResolve: Boolean!
  viewerCanUnresolve: Boolean!
}
type PullRequestReviewThreadEdge { cursor: String! node: PullRequestReviewThread }
type PullRequestReviewThreadConnection {
  edges: [PullRequestReviewThreadEdge]
  nodes: [PullRequestReviewThread]
  pageInfo: PageInfo!
  totalCount: Int!
}

type PullRequestReviewComment implements Node & Minimizable {
  id: ID!
  databaseId: Int @deprecated(
    reason: "`databaseId` will be removed because it does not support 64-bit signed integer identifiers. \
Use `fullDatabaseId` instead. Removal on 2024-07-01 UTC."
  )
  fullDatabaseId: BigInt
  body: String!
  author: Actor
  path: String!
  url: URI!
  createdAt: DateTime!
  outdated: Boolean!
  replyTo: PullRequestReviewComment
  isMinimized: Boolean!
  minimizedReason: String
  viewerCanMinimize: Boolean!
}
type PullRequestReviewCommentEdge { cursor: String! node: PullRequestReviewComment }
type PullRequestReviewCommentConnection {
  edges: [PullRequestReviewCommentEdge]
  nodes: [PullRequestReviewComment]
  pageInfo: PageInfo!
  totalCount: Int!
}

type IssueComment implements Node & Minimizable {
  id: ID!
  databaseId: Int
  fullDatabaseId: BigInt
  body: String!
  author: Actor
  isMinimized: Boolean!
  minimizedReason: String
  viewerCanMinimize: Boolean!
}

type Query {
  repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
  rateLimit(dryRun: Boolean = false): RateLimit
  node(id: ID!): Node
  viewer: Actor!
}

input ResolveReviewThreadInput { clientMutationId: String threadId: ID! }
type ResolveReviewThreadPayload { clientMutationId: String thread: PullRequestReviewThread }
input UnresolveReviewThreadInput { clientMutationId: String threadId: ID! }
type UnresolveReviewThreadPayload { clientMutationId: String thread: PullRequestReviewThread }
input MinimizeCommentInput { classifier: ReportedContentClassifiers! clientMutationId: String subjectId: ID! }
type MinimizeCommentPayload { clientMutationId: String minimizedComment: Minimizable }
input AddPullRequestReviewThreadReplyInput {
  body: String! clientMutationId: String pullRequestReviewId: ID pullRequestReviewThreadId: ID!
}
type AddPullRequestReviewThreadReplyPayload { clientMutationId: String comment: PullRequestReviewComment }

type Mutation {
  resolveReviewThread(input: ResolveReviewThreadInput!): ResolveReviewThreadPayload
  unresolveReviewThread(input: UnresolveReviewThreadInput!): UnresolveReviewThreadPayload
  minimizeComment(input: MinimizeCommentInput!): MinimizeCommentPayload
  addPullRequestReviewThreadReply(
    input: AddPullRequestReviewThreadReplyInput!
  ): AddPullRequestReviewThreadReplyPayload
}
"""

SCHEMA = build_schema(SDL)
TEXT_LIMIT = 512 * 1024


def _err(message: str, type_: str) -> GraphQLError:
    return GraphQLError(message, extensions={"type": type_})


def _cursor(i: int) -> str:
    return base64.b64encode(f"cursor:v2:{i}".encode()).decode()


def _uncursor(c: str | None) -> int | None:
    if c is None:
        return None
    try:
        return int(base64.b64decode(c).decode().rsplit(":", 1)[1])
    except (ValueError, IndexError):
        raise _err(f"`{c}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS") from None


def connection(
    items: list[Any],
    name: str,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    skip: int | None = None,
    **_: Any,
) -> dict[str, Any]:
    if first is None and last is None:
        raise _err(
            f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
            "MISSING_PAGINATION_BOUNDARIES",
        )
    for arg, value in (("first", first), ("last", last)):
        if value is not None and value > 100:
            raise _err(
                f"Requesting {value} records on the `{name}` connection exceeds the `{arg}` limit of 100 "
                "records.",
                "EXCESSIVE_PAGINATION",
            )
        if value is not None and value < 1:
            raise _err(f"`{arg}` on the `{name}` connection cannot be less than one.", "INVALID_ARGUMENTS")
    indexed = list(enumerate(items))
    if skip:
        indexed = indexed[skip:]
    a, b = _uncursor(after), _uncursor(before)
    if a is not None:
        indexed = [x for x in indexed if x[0] > a]
    if b is not None:
        indexed = [x for x in indexed if x[0] < b]
    has_next = has_prev = False
    if first is not None:
        has_next = len(indexed) > first
        indexed = indexed[:first]
    if last is not None:
        has_prev = len(indexed) > last
        indexed = indexed[-last:]
    return {
        "nodes": [x[1] for x in indexed],
        "edges": [{"cursor": _cursor(i), "node": n} for i, n in indexed],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev or (a is not None and a >= 0),
            "startCursor": _cursor(indexed[0][0]) if indexed else None,
            "endCursor": _cursor(indexed[-1][0]) if indexed else None,
        },
        "totalCount": len(items),
    }


class Resolver:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.gh = ctx.gh
        self.inst = ctx.auth.installation

    def actor(self, user) -> dict[str, Any] | None:
        if user is None:
            return None
        login = user.login.removesuffix("[bot]") if user.type == "Bot" else user.login
        return {
            "__typename": "Bot" if user.type == "Bot" else "User",
            "id": user.node_id,
            "login": login,
            "avatarUrl": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
            "url": f"https://github.com/{login}",
            "databaseId": user.id,
        }

    def repository(self, _info, owner: str, name: str, **_: Any) -> dict[str, Any] | None:
        repo = self.gh.repos.get(f"{owner}/{name}".lower())
        if repo is None or not self.gh.can_access(self.inst, repo):
            raise _err(f"Could not resolve to a Repository with the name '{owner}/{name}'.", "NOT_FOUND")
        return self.repo_node(repo)

    def repo_node(self, repo) -> dict[str, Any]:
        return {
            "id": node_id("R", repo.id),
            "name": repo.name,
            "nameWithOwner": repo.full_name,
            "databaseId": repo.id,
            "isPrivate": repo.private,
            "defaultBranchRef": {
                "name": repo.default_branch,
                "target": self.commit_node(repo, repo.branches[repo.default_branch]),
            },
            "pullRequest": lambda _info, number: self.pull(repo, number),
            "object": lambda _info, expression=None, oid=None: self.object(repo, expression, oid),
        }

    def commit_node(self, repo, sha: str) -> dict[str, Any]:
        c = repo.store.commits[sha]
        return {
            "__typename": "Commit",
            "id": f"C_kwDO{sha[:16]}",
            "oid": sha,
            "abbreviatedOid": sha[:7],
            "message": c.message,
            "associatedPullRequests": lambda _info, **args: connection(
                [self.pull_node(pr) for pr in self.gh.pulls_of_commit(repo, sha)], "associatedPullRequests", **args),
        }

    def object(self, repo, expression: str | None, oid: str | None) -> dict[str, Any] | None:
        store = repo.store
        if oid is not None:
            if oid in store.commits:
                return self.commit_node(repo, oid)
            if oid in store.blobs:
                return self.blob_node(store.blobs[oid])
            if oid in store.trees:
                return self.tree_node(repo, oid, "")
            return None
        if not expression:
            return None
        rev, sep, path = expression.partition(":")
        sha = repo.branches[repo.default_branch] if rev in ("", "HEAD") else self.gh.resolve_ref(repo, rev)
        if sha is None:
            return None
        if not sep:
            return self.commit_node(repo, sha)
        commit = store.commits[sha]
        path = path.strip("/")
        if path in commit.tree:
            return self.blob_node(commit.tree[path])
        tree_sha = commit.tree_sha
        for part in [p for p in path.split("/") if p]:
            entry = next(
                (e for e in store.trees[tree_sha] if e["path"] == part and e["type"] == "tree"), None
            )
            if entry is None:
                return None
            tree_sha = entry["sha"]
        return self.tree_node(repo, tree_sha, path)

    def blob_node(self, data: bytes) -> dict[str, Any]:
        sha = git_blob_sha(data)
        binary = b"\0" in data[:8000]
        text = None
        if not binary:
            text = data[:TEXT_LIMIT].decode("utf-8", errors="replace")
        return {
            "__typename": "Blob",
            "id": f"B_kwDO{sha[:16]}",
            "oid": sha,
            "abbreviatedOid": sha[:7],
            "byteSize": len(data),
            "isBinary": binary,
            "isTruncated": len(data) > TEXT_LIMIT and not binary,
            "text": text,
        }

    def tree_node(self, repo, tree_sha: str, path: str) -> dict[str, Any]:
        prefix = path + "/" if path else ""
        entries = [
            {
                "name": e["path"],
                "path": prefix + e["path"],
                "type": e["type"],
                "mode": int(e["mode"], 8),
                "oid": e["sha"],
            }
            for e in repo.store.trees[tree_sha]
        ]
        return {
            "__typename": "Tree",
            "id": f"T_kwDO{tree_sha[:16]}",
            "oid": tree_sha,
            "abbreviatedOid": tree_sha[:7],
            "entries": entries,
        }

    def pull(self, repo, number: int) -> dict[str, Any] | None:
        pr = self.gh.pull(repo.full_name, number)
        if pr is None:
            raise _err(f"Could not resolve to a PullRequest with the number of {number}.", "NOT_FOUND")
        return self.pull_node(pr)

    def pull_node(self, pr) -> dict[str, Any]:
        def threads(_info, **args: Any) -> dict[str, Any]:
            pending = {rv.id for rv in self.gh._reviews.values() if rv.state == "PENDING"}
            items = [
                self.thread_node(t)
                for t in sorted(self.gh._threads.values(), key=lambda t: t.id)
                if t.pr is pr and self.gh._review_comments[t.comment_ids[0]].review_id not in pending
            ]
            return connection(items, "reviewThreads", **args)

        return {
            "id": node_id("PR", pr.id),
            "number": pr.number,
            "title": pr.title,
            "state": "MERGED" if pr.merged else pr.state.upper(),
            "isDraft": pr.draft,
            "headRefName": pr.head_ref,
            "headRefOid": pr.head_sha,
            "baseRefName": pr.base_ref,
            "baseRefOid": pr.base_sha,
            "author": self.actor(pr.user),
            "reviewThreads": threads,
        }

    def thread_node(self, t: Thread) -> dict[str, Any]:
        gh = self.gh

        def comments(_info, **args: Any) -> dict[str, Any]:
            items = [self.comment_node(gh._review_comments[i]) for i in t.comment_ids]
            return connection(items, "comments", **args)

        outdated = gh.is_outdated(t)
        return {
            "id": t.node_id,
            "comments": comments,
            "diffSide": t.side or "RIGHT",
            "isCollapsed": t.is_resolved,
            "isOutdated": outdated,
            "isResolved": t.is_resolved,
            "line": None if outdated else t.line,
            "originalLine": t.line,
            "originalStartLine": t.start_line,
            "path": t.path,
            "pullRequest": lambda _info: self.pull_node(t.pr),
            "repository": lambda _info: self.repo_node(t.pr.repo),
            "resolvedBy": self.actor(t.resolved_by),
            "startDiffSide": t.start_side,
            "startLine": None if outdated else t.start_line,
            "subjectType": "FILE" if t.subject_type == "file" else "LINE",
            "viewerCanReply": True,
            "viewerCanResolve": not t.is_resolved,
            "viewerCanUnresolve": t.is_resolved,
        }

    def comment_node(self, c) -> dict[str, Any]:
        return {
            "__typename": "PullRequestReviewComment",
            "id": node_id("PRRC", c.id),
            "databaseId": c.id,
            "fullDatabaseId": str(c.id),
            "body": c.body,
            "author": self.actor(c.user),
            "path": c.path,
            "url": f"https://github.com/{c.pr.repo.full_name}/pull/{c.pr.number}#discussion_r{c.id}",
            "createdAt": c.created_at,
            "outdated": self.gh.comment_position(c) is None and c.subject_type == "line",
            "replyTo": (
                lambda _info: (
                    self.comment_node(self.gh._review_comments[c.in_reply_to_id])
                    if c.in_reply_to_id in self.gh._review_comments
                    else None
                )
            ),
            "isMinimized": c.minimized_reason is not None,
            "minimizedReason": c.minimized_reason,
            "viewerCanMinimize": True,
        }

    def issue_comment_node(self, c) -> dict[str, Any]:
        return {
            "__typename": "IssueComment",
            "id": node_id("IC", c.id),
            "databaseId": c.id,
            "fullDatabaseId": str(c.id),
            "body": c.body,
            "author": self.actor(c.user),
            "isMinimized": c.minimized_reason is not None,
            "minimizedReason": c.minimized_reason,
            "viewerCanMinimize": True,
        }

    def rate_limit(self, _info, **_: Any) -> dict[str, Any]:
        window = self.gh._rate.get((self.ctx.auth.actor, "graphql"), [self.gh.now(), 0])
        limit = self.gh.graphql_rate_limit
        return {
            "cost": 1,
            "limit": limit,
            "nodeCount": 0,
            "remaining": max(0, limit - int(window[1])),
            "used": int(window[1]),
            "resetAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(window[0] + 3600)),
        }

    def viewer(self, _info) -> dict[str, Any]:
        return self.actor(self.ctx.auth.app.bot)

    def node(self, _info, id: str) -> dict[str, Any] | None:
        decoded = decode_node_id(id)
        if decoded is None:
            raise _err(f"Could not resolve to a node with the global id of '{id}'", "NOT_FOUND")
        prefix, number = decoded
        if prefix == "PRRT" and number in self.gh._threads:
            t = self.gh._threads[number]
            if self.gh.can_access(self.inst, t.pr.repo):
                return {"__typename": "PullRequestReviewThread", **self.thread_node(t)}
        if prefix == "PRRC" and number in self.gh._review_comments:
            return self.comment_node(self.gh._review_comments[number])
        if prefix == "IC" and number in self.gh._issue_comments:
            return self.issue_comment_node(self.gh._issue_comments[number])
        raise _err(f"Could not resolve to a node with the global id of '{id}'", "NOT_FOUND")

    # --- mutations --------------------------------------------------------------------------

    def _thread(self, thread_id: str) -> Thread:
        decoded = decode_node_id(thread_id)
        t = self.gh._threads.get(decoded[1]) if decoded and decoded[0] == "PRRT" else None
        if t is None or not self.gh.can_access(self.inst, t.pr.repo):
            raise _err(f"Could not resolve to a node with the global id of '{thread_id}'", "NOT_FOUND")
        if self.inst.permissions.get("pull_requests") != "write":
            raise _err("Resource not accessible by integration", "FORBIDDEN")
        return t

    def resolve_thread(self, _info, input: dict[str, Any]) -> dict[str, Any]:
        t = self._thread(input["threadId"])
        t.is_resolved, t.resolved_by = True, self.ctx.auth.app.bot
        return {"clientMutationId": input.get("clientMutationId"), "thread": self.thread_node(t)}

    def unresolve_thread(self, _info, input: dict[str, Any]) -> dict[str, Any]:
        t = self._thread(input["threadId"])
        t.is_resolved, t.resolved_by = False, None
        return {"clientMutationId": input.get("clientMutationId"), "thread": self.thread_node(t)}

    def minimize(self, _info, input: dict[str, Any]) -> dict[str, Any]:
        decoded = decode_node_id(input["subjectId"])
        target: Any = None
        if decoded and decoded[0] == "PRRC":
            target = self.gh._review_comments.get(decoded[1])
            repo = target.pr.repo if target else None
        elif decoded and decoded[0] == "IC":
            target = self.gh._issue_comments.get(decoded[1])
            repo = target.repo if target else None
        if target is None or not self.gh.can_access(self.inst, repo):
            raise _err(
                f"Could not resolve to a node with the global id of '{input['subjectId']}'", "NOT_FOUND"
            )
        target.minimized_reason = input["classifier"].lower()
        node = self.comment_node(target) if decoded[0] == "PRRC" else self.issue_comment_node(target)
        return {"clientMutationId": input.get("clientMutationId"), "minimizedComment": node}

    def add_reply(self, _info, input: dict[str, Any]) -> dict[str, Any]:
        t = self._thread(input["pullRequestReviewThreadId"])
        root = self.gh._review_comments[t.comment_ids[0]]
        try:
            c = ops.reply_for_review_comment(
                self.gh, t.pr, self.ctx.auth.app.bot, root.id, {"body": input["body"]}
            )
        except errors.ApiError as exc:
            raise _err(str(exc.body.get("message")), "UNPROCESSABLE") from None
        return {"clientMutationId": input.get("clientMutationId"), "comment": self.comment_node(c)}


def _format_error(e: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if e.extensions and e.extensions.get("type"):
        out["type"] = e.extensions["type"]
    if e.path is not None:
        out["path"] = list(e.path)
    if e.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in e.locations]
    out["message"] = e.message
    if not out.get("type") and e.path is None:
        out["extensions"] = {"code": "undefinedField" if "Cannot query field" in e.message else "invalid"}
    return out


def execute(ctx: Ctx):
    body = ctx.body if isinstance(ctx.body, dict) else {}
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        return 200, {"errors": [{"message": "A query attribute must be specified and must be a string."}]}
    r = Resolver(ctx)
    root = {
        "repository": r.repository,
        "rateLimit": r.rate_limit,
        "node": r.node,
        "viewer": r.viewer,
        "resolveReviewThread": r.resolve_thread,
        "unresolveReviewThread": r.unresolve_thread,
        "minimizeComment": r.minimize,
        "addPullRequestReviewThreadReply": r.add_reply,
    }
    with ctx.gh.lock:
        result = graphql_sync(
            SCHEMA,
            query,
            root_value=root,
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
    out: dict[str, Any] = {}
    if result.errors:
        out["errors"] = [_format_error(e) for e in result.errors]
    if result.data is not None or not result.errors:
        out["data"] = result.data
    return 200, out
