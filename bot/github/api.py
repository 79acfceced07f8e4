"""Every GitHub REST and GraphQL call dockreview makes, one named function each.

No other module builds a GitHub URL or a GraphQL document: callers say what they want
(`get_pull`, `create_check_run`, `read_blobs`, ...) and get GitHub's JSON, or a narrower value, back.
Every call goes through `GitHubClient` (auth, bounded retries, call accounting) and raises
`GitHubError` when GitHub fails for good. Sections follow GitHub's API reference.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any

from dockreview.bot.github.client import GitHubClient, GitHubError

Json = dict[str, Any]

# A version every GitHub (github.com and Enterprise Server >= 3.9) accepts; githubkit would send its newest.
API_VERSION = "2022-11-28"
RESOLVE_PER_MUTATION = 20
MAX_THREAD_PAGES = 30
COMPARE_MAX_FILES = 300  # GitHub's cap on the files of one comparison (`repos/compare-commits`)

_BLOB_FIELDS = "... on Blob { oid byteSize isBinary isTruncated text }"
# A review thread with its first comment (the one a review posted; replies follow it).
_THREAD_FIELDS = ("pageInfo { hasNextPage endCursor } nodes { id isResolved path line "
                  "comments(first: 1) { nodes { fullDatabaseId body author { __typename login } } } }")
THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) { THREAD_FIELDS }
    }
  }
}
""".replace("THREAD_FIELDS", _THREAD_FIELDS)
# What a review needs to know of its pull request besides files, asked in the first blob batch
# (`read_blobs(also=...)`): its review threads, and the pull requests whose head is the commit
# (`associatedPullRequests`, as `GET commits/{sha}/pulls`: open and merged ones containing it).
PR_STATE = ("pr: pullRequest(number: $number) { reviewThreads(first: 100) { " + _THREAD_FIELDS + " } } "
            "commit: object(oid: $head) { ... on Commit { associatedPullRequests(first: 100) { "
            "nodes { number state headRefOid } } } }")
PR_STATE_PARAMS = ", $number: Int!, $head: GitObjectID!"
VIEWER = "viewer { login }"  # with the installation token: the App's bot account, whose comments are ours


def _repo(owner: str, repo: str) -> str:
    return f"/repos/{owner}/{repo}"


# --- pull requests -------------------------------------------------------------------------------
async def get_pull(gh: GitHubClient, owner: str, repo: str, number: int) -> Json:
    """The pull request: head and base (sha, repo), changed_files, ..."""
    pull: Json = await gh.json("GET", f"{_repo(owner, repo)}/pulls/{number}")
    return pull


async def list_pull_files(gh: GitHubClient, owner: str, repo: str, number: int) -> list[Json]:
    """The pull request's changed files with status, previous name and patch (GitHub lists 3,000 at most)."""
    return await gh.paginate(f"{_repo(owner, repo)}/pulls/{number}/files")


async def list_pulls_of_commit(gh: GitHubClient, owner: str, repo: str, sha: str) -> list[Json]:
    """Pull requests associated with a commit: for a commit not on the default branch, the open (and
    merged) pull requests that contain it, so every open pull request whose head it is (100 at most)."""
    return await gh.paginate(f"{_repo(owner, repo)}/commits/{sha}/pulls", limit=100)


async def compare(gh: GitHubClient, owner: str, repo: str, base: str, head: str) -> Json:
    """The three-dot comparison of two commits, one commit per page: `merge_base_commit` and `files`
    (the changed files with status, previous name and patch, as `list_pull_files` lists them; GitHub
    gives at most COMPARE_MAX_FILES for the whole comparison)."""
    compared = await gh.json("GET", f"{_repo(owner, repo)}/compare/{base}...{head}", params={"per_page": 1})
    return compared if isinstance(compared, dict) else {}


async def merge_base(gh: GitHubClient, owner: str, repo: str, base: str, head: str) -> str | None:
    """The merge base of two commits (compare, one commit per page: only the merge base is wanted)."""
    found = ((await compare(gh, owner, repo, base, head)).get("merge_base_commit") or {}).get("sha")
    return found if isinstance(found, str) else None


async def list_review_comments(gh: GitHubClient, owner: str, repo: str, number: int) -> list[Json]:
    """Every inline review comment on the pull request, anyone's."""
    return await gh.paginate(f"{_repo(owner, repo)}/pulls/{number}/comments")


async def create_review(gh: GitHubClient, owner: str, repo: str, number: int, review: Json) -> str | None:
    """Post a review with its inline comments. None when GitHub took it; GitHub's answer (300 characters)
    when it refused it with 422 (one comment GitHub cannot anchor refuses the whole review)."""
    response = await gh.request("POST", f"{_repo(owner, repo)}/pulls/{number}/reviews", json=review, ok=(422,))
    return response.text[:300] if response.status_code == 422 else None


async def edit_review_comment(gh: GitHubClient, owner: str, repo: str, comment_id: int, body: str) -> None:
    await gh.request("PATCH", f"{_repo(owner, repo)}/pulls/comments/{comment_id}", json={"body": body})


# --- checks --------------------------------------------------------------------------------------
async def list_check_runs(gh: GitHubClient, owner: str, repo: str, sha: str, name: str) -> list[Json]:
    """The check runs called `name` on a commit, of every run (`filter=all`), up to 100."""
    runs = await gh.json("GET", f"{_repo(owner, repo)}/commits/{sha}/check-runs",
                         params={"check_name": name, "filter": "all", "per_page": 100})
    return list(runs.get("check_runs", []))


async def create_check_run(gh: GitHubClient, owner: str, repo: str, fields: Json) -> int:
    """Create a check run (`fields`: name, head_sha, status, ...); returns its id."""
    created = await gh.json("POST", f"{_repo(owner, repo)}/check-runs", json=fields)
    return int(created["id"])


async def update_check_run(gh: GitHubClient, owner: str, repo: str, check_run_id: int, fields: Json) -> None:
    """Set fields of a check run (status, conclusion, output with at most 50 annotations, ...)."""
    await gh.request("PATCH", f"{_repo(owner, repo)}/check-runs/{check_run_id}", json=fields)


# --- git database --------------------------------------------------------------------------------
async def get_tree(gh: GitHubClient, owner: str, repo: str, sha: str) -> Json:
    """Every path of a commit with its mode, type, sha and size (`truncated` when GitHub cut the list)."""
    tree: Json = await gh.json("GET", f"{_repo(owner, repo)}/git/trees/{sha}", params={"recursive": "1"})
    return tree


async def get_blob(gh: GitHubClient, owner: str, repo: str, sha: str) -> bytes:
    """A blob's bytes, whatever its size (GraphQL's `text` stops at about 100 KB)."""
    data = await gh.json("GET", f"{_repo(owner, repo)}/git/blobs/{sha}")
    if data.get("encoding") == "base64":
        return base64.b64decode(data.get("content", ""))
    return str(data.get("content", "")).encode()


# --- collaborators and reactions -----------------------------------------------------------------
async def collaborator_permission(gh: GitHubClient, owner: str, repo: str, user: str) -> tuple[Any, Any]:
    """`(permission, role_name)` of `user` on the repository; `(None, None)` for someone who is not one (404)."""
    data = await gh.json("GET", f"{_repo(owner, repo)}/collaborators/{user}/permission", ok=(404,))
    if not isinstance(data, dict):
        return None, None
    return data.get("permission"), data.get("role_name")


async def add_comment_reaction(gh: GitHubClient, owner: str, repo: str, comment_id: int, content: str) -> None:
    """React to an issue or pull request comment; a reaction GitHub refuses (422) is let go."""
    await gh.request("POST", f"{_repo(owner, repo)}/issues/comments/{comment_id}/reactions",
                     json={"content": content}, ok=(422,))


# --- the App's webhook deliveries (App JWT) ------------------------------------------------------
async def hook_delivery_pages(gh: GitHubClient, *, per_page: int = 100, max_pages: int = 1000
                              ) -> AsyncGenerator[list[Any], None]:
    """The App's webhook delivery attempts, newest first, a page at a time (cursor pagination through
    the Link header). A page is fetched only when the previous one was consumed: stop iterating to stop."""
    url: str | None = "/app/hook/deliveries"
    params: dict[str, Any] | None = {"per_page": per_page}
    for _ in range(max_pages):
        if url is None:
            break
        response = await gh.request("GET", url, params=params)
        page = response.json()
        if not isinstance(page, list) or not page:
            break
        yield page
        url = gh.next_link(response)
        params = None  # the next link carries per_page and the cursor


async def redeliver_hook_delivery(gh: GitHubClient, delivery_id: int) -> None:
    await gh.request("POST", f"/app/hook/deliveries/{delivery_id}/attempts")


# --- GraphQL -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Also:
    """More of the repository asked in the same query as blobs: a selection under `repository` with its
    variable declarations (`params`, `, $x: T` each) and values; `found` is the `repository` answered."""
    selection: str
    params: str
    variables: dict[str, Any]
    found: Json | None = None
    # Asked at the query's root beside `repository` (e.g. `viewer { login }`), and what it answered.
    root: str = ""
    found_root: Json | None = None


def pull_request_state(number: int, head_sha: str) -> Also:
    """The review threads of pull request `number` and the pull requests on `head_sha` (PR_STATE)."""
    return Also(PR_STATE, PR_STATE_PARAMS, {"number": number, "head": head_sha}, root=VIEWER)


async def read_blobs(gh: GitHubClient, owner: str, repo: str, expressions: Sequence[str],
                     also: Also | None = None) -> list[Json | None]:
    """For each `commit:path` expression, that blob's byteSize, isBinary, isTruncated and text (None when
    there is none): one query for all of them, an alias and a variable per expression; `also` rides along."""
    variables: dict[str, Any] = {"owner": owner, "name": repo, **(also.variables if also else {})}
    selections = []
    for index, expression in enumerate(expressions):
        variables[f"e{index}"] = expression
        selections.append(f"f{index}: object(expression: $e{index}) {{ {_BLOB_FIELDS} }}")
    params = "".join(f", $e{i}: String!" for i in range(len(expressions)))
    if also is not None:
        params += also.params
        selections.append(also.selection)
    root = f" {also.root}" if also is not None and also.root else ""
    query = (f"query($owner: String!, $name: String!{params}) {{ repository(owner: $owner, name: $name) {{ "
             + " ".join(selections) + f" }}{root} }}")
    data = await gh.graphql(query, variables)
    repository = data.get("repository") or {}
    if also is not None:
        also.found = repository
        also.found_root = {k: v for k, v in data.items() if k != "repository"}
    return [repository.get(f"f{index}") for index in range(len(expressions))]


async def review_threads(gh: GitHubClient, owner: str, repo: str, number: int) -> dict[int, tuple[str, bool]]:
    """The pull request's review threads by the database id of their first comment: (thread id, resolved)."""
    found: dict[int, tuple[str, bool]] = {}
    for node in await review_thread_nodes(gh, owner, repo, number):
        first = ((node.get("comments") or {}).get("nodes") or [{}])[0] or {}
        if first.get("fullDatabaseId") is not None:
            found[int(first["fullDatabaseId"])] = (node["id"], bool(node.get("isResolved")))
    return found


async def review_thread_nodes(gh: GitHubClient, owner: str, repo: str, number: int,
                              first_page: Json | None = None) -> list[Json]:
    """Every review thread of the pull request (id, isResolved, path, line, its first comment), page by
    page; `first_page` (a `reviewThreads` connection already answered, as PR_STATE's) saves a call."""
    nodes: list[Json] = []
    threads, after = first_page, None
    for _ in range(MAX_THREAD_PAGES):
        if threads is None:
            data = await gh.graphql(THREADS_QUERY, {"owner": owner, "name": repo, "number": number, "after": after})
            threads = (((data.get("repository") or {}).get("pullRequest") or {}).get("reviewThreads") or {})
        nodes.extend(n for n in threads.get("nodes") or [] if isinstance(n, dict))
        page = threads.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            break
        threads, after = None, page.get("endCursor")
    return nodes


async def resolve_review_threads(gh: GitHubClient, thread_ids: Sequence[str]) -> None:
    """Resolve review threads, `RESOLVE_PER_MUTATION` in each GraphQL mutation."""
    for start in range(0, len(thread_ids), RESOLVE_PER_MUTATION):
        chunk = thread_ids[start : start + RESOLVE_PER_MUTATION]
        mutations = " ".join(
            f'r{i}: resolveReviewThread(input: {{threadId: $t{i}}}) {{ thread {{ id isResolved }} }}'
            for i in range(len(chunk))
        )
        params = ", ".join(f"$t{i}: ID!" for i in range(len(chunk)))
        await gh.graphql(f"mutation({params}) {{ {mutations} }}", {f"t{i}": thread for i, thread in enumerate(chunk)})


# --- App registration (no authentication) --------------------------------------------------------
def create_app_from_manifest(api_url: str, code: str) -> Any:
    """`POST /app-manifests/{code}/conversions`: the App registered from a manifest, with `id`, `slug`,
    `html_url`, `pem`, `webhook_secret`, ... The code is valid once, for an hour. Raises GitHubError,
    with the HTTP status when GitHub answered."""
    from githubkit import GitHub
    from githubkit.exception import GitHubException, RequestFailed

    github = GitHub(base_url=api_url.rstrip("/") + "/", user_agent="dockreview-setup", timeout=30.0,
                    http_cache=False, auto_retry=False)
    try:
        response = github.rest.apps.create_from_manifest(code, headers={"X-GitHub-Api-Version": API_VERSION})
    except RequestFailed as exc:
        raise GitHubError(f"HTTP {exc.response.status_code}", exc.response.status_code) from None
    except GitHubException as exc:
        raise GitHubError(f"{type(exc).__name__}: {exc}") from None
    return response.json()
