"""Shared parts of the replay benchmark: the PR set, the mirrors, and the keys that tie a finding or
a Container changes row of any run to its judgment.

The PR set (`prs.yaml`) names merged pull requests of public repositories by their exact commits:
`base` (the first parent of the merge or squash commit) and `head` (that commit). Each review
reads a *mirror*: a bare git directory of the repository with history, `<mirrors>/<owner>+<name>/repo`
(what the `fetch` tool brings into /work/.mirror) or `<mirrors>/<owner>+<name>.git` (a
`git clone --bare`). `DOCKREVIEW_MIRRORS` or `--mirrors` says where the mirrors are.

Keys survive engine changes that move line numbers or reword messages: a finding is keyed by its
rule, path and the normalized text of the line it points at (for secret findings, whose line is
never quoted, by its evidence instead); a row by path, object, field, before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
PRS_FILE = HERE / "prs.yaml"
JUDGMENTS_FILE = HERE / "judgments.yaml"
RESULTS_DIR = HERE / "results"
DEFAULT_MIRRORS = "/work/.mirror"

FINDING_VERDICTS = ("right", "preexisting", "noise", "wrong")
# Categories whose source line is never quoted (rules.finding.SECRET_CATEGORIES): keyed by evidence.
SECRET_CATEGORIES = frozenset({"hardcoded-secret", "registry-credentials", "secret-build-arg"})


@dataclass(frozen=True, slots=True)
class PullRequest:
    id: str  # short, unique: "<repo short name>-<PR number>" (or the head sha's start when no number)
    repo: str  # owner/name
    number: int | None
    base: str
    head: str
    title: str
    description: str


def load_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return YAML(typ="safe", pure=True).load(handle)


def load_prs(path: Path = PRS_FILE) -> list[PullRequest]:
    """The PR set, checked: unique ids, full shas, every field present."""
    data = load_yaml(path) or {}
    prs: list[PullRequest] = []
    seen: set[str] = set()
    for item in data.get("prs", []):
        pr = PullRequest(
            id=str(item["id"]),
            repo=str(item["repo"]),
            number=int(item["pr"]) if item.get("pr") is not None else None,
            base=str(item["base"]),
            head=str(item["head"]),
            title=str(item["title"]),
            description=str(item["description"]),
        )
        if pr.id in seen:
            raise ValueError(f"{path}: PR id {pr.id!r} appears twice")
        for sha in (pr.base, pr.head):
            if len(sha) != 40 or any(c not in "0123456789abcdef" for c in sha):
                raise ValueError(f"{path}: {pr.id}: {sha!r} is not a full commit sha")
        seen.add(pr.id)
        prs.append(pr)
    return prs


# --- mirrors ----------------------------------------------------------------------------------
def mirrors_root(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("DOCKREVIEW_MIRRORS") or DEFAULT_MIRRORS)


def mirror_candidates(root: Path, repo: str) -> list[Path]:
    name = repo.replace("/", "+")
    return [root / name / "repo" / ".git", root / name / "repo", root / f"{name}.git"]


def find_mirror(root: Path, repo: str) -> Path | None:
    """The git directory of `repo` under `root`, or None."""
    for candidate in mirror_candidates(root, repo):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def has_commits(git_dir: Path, *shas: str) -> list[str]:
    """The shas of `shas` that the mirror lacks."""
    missing = []
    for sha in shas:
        proc = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{sha}^{{commit}}"],
                              capture_output=True, check=False)
        if proc.returncode != 0:
            missing.append(sha)
    return missing


def how_to_get(root: Path, repo: str) -> str:
    return (f"{repo}: no mirror under {root} (looked for {root / repo.replace('/', '+') / 'repo'}); "
            f"bring it with the search tool's fetch (github:{repo}) or "
            f"`git clone --bare https://github.com/{repo} {root / (repo.replace('/', '+') + '.git')}`")


# --- keys -------------------------------------------------------------------------------------
def normalize(text: str | None) -> str:
    return " ".join((text or "").split())


def finding_text(finding: dict[str, Any]) -> str:
    """What a finding is keyed by besides rule and path: its line's text, or its evidence for secrets."""
    if finding.get("category") in SECRET_CATEGORIES:
        return "evidence: " + normalize(finding.get("evidence"))
    return normalize(finding.get("line_text"))


def finding_key(finding: dict[str, Any]) -> tuple[str, str, str]:
    return (str(finding["rule"]), str(finding["path"]), finding_text(finding))


def row_key(row: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return (str(row["path"]), str(row.get("object") or ""), str(row["field"]),
            "" if row.get("before") is None else str(row["before"]),
            "" if row.get("after") is None else str(row["after"]))


# --- results ----------------------------------------------------------------------------------
def latest_result(directory: Path = RESULTS_DIR) -> Path | None:
    runs = sorted(directory.glob("*.json"))
    return runs[-1] if runs else None


def load_result(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data
