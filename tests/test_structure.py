"""Where things live in bot/ (docs/architecture.md), for what import contracts cannot see.

Every GitHub API call is a function of bot/github/api.py: no other module sends a request through
the client or names a REST route. Only bot/worker/check_run.py writes check runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
API = BOT / "github" / "api.py"
CLIENT = BOT / "github" / "client.py"
CHECK_RUN_WRITER = BOT / "worker" / "check_run.py"
CLIENT_METHODS = {"request", "json", "paginate", "graphql", "arequest", "async_graphql"}
HTTP_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}
ROUTE_PREFIXES = ("/repos/", "/app/", "/app-manifests/", "/installations/", "/orgs/", "/users/")
CHECK_RUN_WRITES = {"create_check_run", "update_check_run"}


def _strings(node: ast.AST) -> list[str]:
    """The text of a string constant, or the literal parts of an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return []


def _leading(node: ast.AST) -> str:
    """The text a string starts with (an f-string's first literal part; "" when it starts with a value)."""
    if isinstance(node, ast.JoinedStr):
        first = node.values[0] if node.values else None
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    return "".join(_strings(node))


def github_calls(path: Path) -> list[str]:
    """`line: what` for each request sent through a client, use of githubkit's REST client, REST route
    or GraphQL document in `path`."""
    found = []
    tree = ast.parse(path.read_text("utf-8"))
    parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CLIENT_METHODS:
            first = "".join(_strings(node.args[0])) if node.args else ""
            if first in HTTP_METHODS or first.startswith("/") or node.func.attr in ("graphql", "async_graphql"):
                found.append(f"{node.lineno}: .{node.func.attr}({first!r}, ...)")
        if isinstance(node, ast.Attribute) and node.attr == "rest":  # githubkit's generated REST client
            found.append(f"{node.lineno}: .rest")
        if isinstance(node, ast.Constant | ast.JoinedStr) and id(node) not in parts:
            text = _leading(node).lstrip()
            if text.startswith(ROUTE_PREFIXES) or text.startswith(("query(", "query {", "mutation(")):
                found.append(f"{node.lineno}: {text[:60]!r}")
    return found


def check_run_writes(path: Path) -> list[str]:
    """`line: name` for each use of the API's check-run writes in `path`."""
    tree = ast.parse(path.read_text("utf-8"))
    return [f"{n.lineno}: {n.attr}" for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr in CHECK_RUN_WRITES]


MODULES = sorted(p for p in BOT.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_detectors_find_what_they_look_for() -> None:
    # api.py is where the calls are: finding none there would mean the detector is blind.
    calls = github_calls(API)
    assert any("/pulls/" in c for c in calls) and any("mutation(" in c for c in calls), calls
    assert any(".graphql(" in c for c in calls) and any(".request('POST'" in c for c in calls), calls
    assert any(".rest" in c for c in calls), calls
    assert check_run_writes(CHECK_RUN_WRITER), "check_run.py writes no check run?"


@pytest.mark.parametrize("path", [p for p in MODULES if p not in (API, CLIENT)], ids=lambda p: str(p.relative_to(BOT)))
def test_github_calls_only_in_api(path: Path) -> None:
    assert github_calls(path) == [], f"{path.relative_to(BOT)}: call GitHub through a function of bot/github/api.py"


@pytest.mark.parametrize("path", [p for p in MODULES if p not in (API, CHECK_RUN_WRITER)],
                         ids=lambda p: str(p.relative_to(BOT)))
def test_only_check_run_py_writes_check_runs(path: Path) -> None:
    assert check_run_writes(path) == [], f"{path.relative_to(BOT)}: write check runs through bot/worker/check_run.py"


def test_no_test_skips_silently() -> None:
    """A test that needs something missing fails in CI; the only skips are conftest's
    `require_shared` (a skip only on a machine without the shared data and without
    DOCKREVIEW_SHARED or CI set) and symlink tests on Windows."""
    import re

    allowed = {("conftest.py", 'pytest.skip(f"../shared/{sub} (third-party test data) is not beside this checkout")'),
               ("test_hostile_repository.py", '@pytest.mark.skipif(os.name == "nt", reason="symlinks")')}
    root = Path(__file__).resolve().parent
    found = set()
    for path in root.rglob("*.py"):
        if path.name == "test_structure.py":
            continue
        for line in path.read_text("utf-8").splitlines():
            if re.search(r"pytest\.(skip\(|importorskip|mark\.skip)|unittest\.skip", line):
                found.add((path.name, line.strip()))
    assert found == allowed
