"""Repositories whose Docker files are examples, or test data: what a reviewer reads from the tree.

A senior reviewer opening `docker/awesome-compose` or a Docker course does not comment on each
sample as on a production stack, and does not review the compose files in `docker/compose`'s own
`pkg/e2e/fixtures/` as deployments: they are inputs to that tool's tests. Both are still looked
at (a sample is copied into production by its readers), so their findings are kept, at the lowest
confidence: in the check run summary, never inline, and they fail the check only when
`fail_on.confidence` is written.

Two repository-level notions, from the paths alone (no file is read: cheap on a GitHub tree):

- **Sample collection.** The repository's name says so (`*-samples`, `awesome-*`, `*-tutorial`,
  `getting-started`, ...: the owner chose it, a pull request cannot change it), or a directory
  holds several independent example projects that make up most of the repository's Docker files:
  at least 3 sibling directories named as samples (`compose-sample-1`, `dockerfile-assignment-2`),
  or at least 5 with their own compose file and README, or at least 10 with their own compose file
  (together 80% of the Docker files), with no compose file beside them that ties them together.
- **Test data of Docker tooling.** Files under `testdata/`, `fixtures/` (and alike) directories,
  when such files are at least 10 and half of the repository's Docker files: the repository is a
  tool that reads Docker files (compose, a linter), and they are its test inputs.

The workflows under `.github/` are the repository's own CI and keep their tier. The config's
production patterns win (`production.include` makes a file production; a written
`production.exclude` replaces the defaults and this notion with it). Reviewing a pull request, the
base branch decides whether the repository is a collection (`RepositoryContext` of the base), so a
pull request cannot make its own files examples by adding sibling directories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from posixpath import basename

from dockreview.rules.classify import FileType, by_name
from dockreview.rules.lazyre import lazy
from dockreview.rules.values import field, frozen

# Words that name a sample, tutorial or course (a token of a directory or repository name).
SAMPLE_WORDS = frozenset(
    """
    sample samples example examples demo demos tutorial tutorials course courses workshop workshops
    training trainings lesson lessons exercise exercises assignment assignments quickstart quickstarts
    playground
    """.split()  # noqa: SIM905
)
# Repository names only: curated lists of examples (`awesome-compose`), `getting-started` guides.
_REPOSITORY_WORDS = frozenset({"awesome"})
_REPOSITORY_PAIRS = (("getting", "started"),)
# Directories that hold a tool's test inputs.
FIXTURE_DIRS = frozenset(
    {"testdata", "test-data", "test_data", "fixtures", "fixture", "test-fixtures", "__fixtures__", "golden"}
)
_TOKEN = lazy(r"[a-z]+")
_README = lazy(r"readme(?:\.[a-z0-9]+)?", re.IGNORECASE)

MIN_NAMED = 3
MIN_WITH_README = 5
MIN_COMPOSED = 10
COMPOSED_SHARE = 0.8
MIN_FIXTURES = 10


@frozen
class RepositoryContext:
    """Where a repository's files are examples or test data, and why (see the module docs)."""

    sample_roots: tuple[str, ...] = ()  # directories ("" for the root) whose trees are examples
    sample_reason: str = ""
    fixture_roots: tuple[str, ...] = field(default=())  # test-data directories of a Docker tool

    def reason_for(self, path: str) -> str | None:
        """Why findings in `path` are at the lowest confidence, or None."""
        if path.startswith(".github/"):
            return None  # the repository's own CI
        if any(_under(path, root) for root in self.fixture_roots):
            return ("test data of a repository of Docker tooling (most of its Docker files are under "
                    "test-data directories), an input to its tests, not a deployment")
        if any(_under(path, root) for root in self.sample_roots):
            return self.sample_reason
        return None


NOTHING = RepositoryContext()


def repository_context(paths: Iterable[str], repository: str = "") -> RepositoryContext:
    """The repository-level context of a tree (its paths, and its `owner/name` when known)."""
    all_paths = list(paths)
    docker = [p for p in all_paths if not p.startswith(".github/") and _docker_file(p) is not None]
    if not docker:
        return NOTHING
    fixtures = _fixture_roots(docker)
    if _named_as_samples(repository):
        return RepositoryContext(("",), f"the repository `{repository}` is named as samples or a tutorial", fixtures)
    root = _sample_root(docker, all_paths)
    if root is None:
        return RepositoryContext(fixture_roots=fixtures)
    where = f"`{root}/`" if root else "the repository"
    return RepositoryContext(
        (root,), f"{where} is a collection of independent examples (sibling directories, each its own project)",
        fixtures,
    )


def _docker_file(path: str) -> FileType | None:
    kind = by_name(path)
    return kind if kind in (FileType.COMPOSE, FileType.DOCKERFILE) else None


def _tokens(name: str) -> list[str]:
    return _TOKEN.findall(name.lower())


def is_sample_name(name: str) -> bool:
    """Whether a directory's name names a sample (`compose-sample-1`, `assignment02`, `demos`)."""
    return any(t in SAMPLE_WORDS for t in _tokens(name))


def _named_as_samples(repository: str) -> bool:
    name = repository.rsplit("/", 1)[-1]
    tokens = _tokens(name)
    if any(t in SAMPLE_WORDS or t in _REPOSITORY_WORDS for t in tokens):
        return True
    return any(pair == tuple(tokens[i:i + 2]) for pair in _REPOSITORY_PAIRS for i in range(len(tokens) - 1))


def _fixture_roots(docker: list[str]) -> tuple[str, ...]:
    roots: set[str] = set()
    count = 0
    for path in docker:
        parts = path.split("/")[:-1]
        for i, part in enumerate(parts):
            if part.lower() in FIXTURE_DIRS:
                roots.add("/".join(parts[: i + 1]))
                count += 1
                break
    if count < MIN_FIXTURES or 2 * count < len(docker):
        return ()
    return tuple(sorted(roots))


def _sample_root(docker: list[str], all_paths: list[str]) -> str | None:
    """The shallowest directory whose children are independent example projects (see the module docs)."""
    files: dict[str, dict[str, int]] = {}  # parent -> child -> Docker files under it
    composed: dict[str, set[str]] = {}  # parent -> children holding a compose file
    tied: set[str] = set()  # directories with a compose file of their own
    for path in docker:
        parts = path.split("/")
        kind = _docker_file(path)
        if kind is FileType.COMPOSE:
            tied.add("/".join(parts[:-1]))
        for i in range(len(parts) - 1):
            parent, child = "/".join(parts[:i]), parts[i]
            files.setdefault(parent, {}).setdefault(child, 0)
            files[parent][child] += 1
            if kind is FileType.COMPOSE:
                composed.setdefault(parent, set()).add(child)
    readmes = {p.rsplit("/", 1)[0] for p in all_paths if "/" in p and _README.fullmatch(basename(p))}
    total = len(docker)
    for parent in sorted(files, key=lambda p: (p.count("/") + bool(p), p)):
        if parent in tied:
            continue
        children = files[parent]
        named = {c for c in children if is_sample_name(c)}
        with_compose = composed.get(parent, set())
        with_readme = {c for c in with_compose if _join(parent, c) in readmes}

        def share(chosen: set[str], _children: dict[str, int] = children) -> float:
            return sum(_children[c] for c in chosen) / total

        if len(named) >= MIN_NAMED and share(named | with_compose) >= 0.5:
            return parent
        if len(with_readme) >= MIN_WITH_README and share(with_compose) >= 0.5:
            return parent
        if len(with_compose) >= MIN_COMPOSED and share(with_compose) >= COMPOSED_SHARE:
            return parent
    return None


def _join(parent: str, child: str) -> str:
    return f"{parent}/{child}" if parent else child


def _under(path: str, root: str) -> bool:
    return not root or path.startswith(root + "/")
