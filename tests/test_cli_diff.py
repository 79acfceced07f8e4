"""`dockreview diff` against real temporary git repositories."""

from __future__ import annotations

from pathlib import Path

import pytest
from dockreview.bot.cli.gitrepo import GitRepo, parse_hunks, parse_name_status, unquote

from tests.cli_support import Git, run_cli

BASE_COMPOSE = """\
services:
  app:
    image: ghcr.io/acme/app:1.4.2
    environment:
      DB_PASSWORD: hunter2
  worker:
    image: ghcr.io/acme/worker:1.4.2
    environment:
      LOG_LEVEL: info
"""

NETWORKED = """\
services:
  web:
    image: nginx:1.27.2
    environment:
      API_URL: http://api:8000
    networks: [front]
  api:
    image: ghcr.io/acme/api:1.0.3
    networks: [front]
networks:
  front: {}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Git:
    git = Git(tmp_path / "repo")
    git.commit({"compose.yaml": BASE_COMPOSE, "README.md": "hello\n"}, "base")
    git("checkout", "-q", "-b", "feature")
    return git


def diff(capsys, git: Git, *args: str, cwd: Path | None = None):
    return run_cli(capsys, "diff", "--base", "main", "--format", "json", *args, cwd=cwd or git.root)


def dr101(result) -> list[tuple[str, int]]:
    return [(path, line) for rule, path, line in result.rules() if rule == "DR101"]


def test_only_the_new_secret_is_reported_not_the_old_one(capsys, repo):
    text = BASE_COMPOSE.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n      API_TOKEN: tok-8f2a9c1b")
    repo.commit({"compose.yaml": text})
    result = diff(capsys, repo, "--head", "feature")
    assert dr101(result) == [("compose.yaml", 10)]
    assert result.code == 1
    # the whole file reviewed has both
    full = run_cli(capsys, "check", "--format", "json", cwd=repo.root)
    assert [line for rule, _, line in full.rules() if rule == "DR101"] == [5, 10]


def test_no_change_no_findings(capsys, repo):
    result = diff(capsys, repo, "--head", "feature")
    assert result.json()["findings"] == []
    assert result.code == 0


def test_head_defaults_to_the_working_tree_with_untracked_files(capsys, repo):
    repo.commit({"README.md": "committed on the branch\n"})
    text = BASE_COMPOSE.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n      API_TOKEN: tok-8f2a9c1b")
    repo.write(
        {
            "compose.yaml": text,  # modified, not committed
            "deploy/docker-compose.yml": BASE_COMPOSE,  # untracked: everything in it is new
            "ignored/docker-compose.yml": BASE_COMPOSE,  # untracked but ignored
            ".gitignore": "ignored/\n",
        }
    )
    result = diff(capsys, repo)
    assert dr101(result) == [("compose.yaml", 10), ("deploy/docker-compose.yml", 5)]
    # with --head, the committed branch has neither
    assert dr101(diff(capsys, repo, "--head", "HEAD")) == []


def test_merge_base_not_the_tip_of_base(capsys, repo):
    """Findings added on main after the branch point are not the branch's."""
    repo("checkout", "-q", "main")
    repo.commit({"later/compose.yaml": BASE_COMPOSE}, "main moves on")
    repo("checkout", "-q", "feature")
    repo.commit({"feature.txt": "x\n"})
    assert diff(capsys, repo, "--head", "feature").json()["findings"] == []


def test_pure_rename_reports_nothing_old(capsys, repo):
    repo("mv", "compose.yaml", "docker-compose.prod.yml")
    repo.commit()
    result = diff(capsys, repo, "--head", "HEAD")
    assert result.json()["findings"] == []


def test_rename_with_an_edit_reports_only_the_edit(capsys, repo):
    repo("mv", "compose.yaml", "stack-compose.yml")
    text = BASE_COMPOSE.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n      REDIS_PASSWORD: s3cr3t-pw")
    repo.commit({"stack-compose.yml": text})
    result = diff(capsys, repo)
    assert dr101(result) == [("stack-compose.yml", 10)]


def test_rename_that_makes_a_file_production_exposes_its_old_secret(capsys, repo):
    """docker-compose.dev.yml is not production (not checked); renamed to prod it is: caused elsewhere."""
    repo("checkout", "-q", "main")
    repo.commit({"docker-compose.dev.yml": BASE_COMPOSE}, "dev stack")
    repo("checkout", "-q", "-B", "feature")
    repo("mv", "docker-compose.dev.yml", "docker-compose.prod.yml")
    repo.commit()
    change = GitRepo(repo.root).change(repo("merge-base", "main", "HEAD").strip(), "HEAD")
    assert change.renames == {"docker-compose.prod.yml": "docker-compose.dev.yml"}
    assert change.lines["docker-compose.prod.yml"] == set()
    assert dr101(diff(capsys, repo, "--head", "HEAD")) == [("docker-compose.prod.yml", 5)]


def test_deleted_file(capsys, repo):
    repo.commit({"other-compose.yml": BASE_COMPOSE})
    repo("checkout", "-q", "-b", "cleanup")
    repo("rm", "-q", "compose.yaml")
    repo.commit()
    result = run_cli(capsys, "diff", "--base", "feature", "--format", "json", cwd=repo.root)
    assert result.json()["findings"] == []
    assert result.code == 0
    with GitRepo(repo.root) as git:
        change = git.change(git.resolve("feature"), None)
    assert change.deleted == {"compose.yaml"}
    assert "compose.yaml" not in change.lines


def test_deleted_in_the_working_tree_only(capsys, repo):
    (repo.root / "compose.yaml").unlink()
    result = diff(capsys, repo)
    assert result.code == 0
    data = result.json()
    assert {k: v for k, v in data.items() if k != "changes"} == {"findings": [], "files_checked": 0, "errors": []}
    # What the deletion does at deploy time: the file and both of its services are gone.
    assert [(c["path"], c["object"], c["field"], c["before"], c["after"]) for c in data["changes"]] == [
        ("compose.yaml", "", "file", "compose.yaml", None),
        ("compose.yaml", "app", "service", "ghcr.io/acme/app:1.4.2", None),
        ("compose.yaml", "worker", "service", "ghcr.io/acme/worker:1.4.2", None),
    ]


def test_a_change_that_breaks_another_untouched_line_is_reported(capsys, tmp_path):
    """Removing `api`'s networks entry (a pure deletion) makes `web` unable to reach it, reported on
    the untouched `api:` line; the engine finds it by comparing with the base review."""
    git = Git(tmp_path / "net")
    git.commit({"compose.yaml": NETWORKED}, "base")
    git("checkout", "-q", "-b", "feature")
    git.commit({"compose.yaml": NETWORKED.replace("    networks: [front]\nnetworks:", "networks:")})
    result = diff(capsys, git, "--head", "feature")
    found = [(rule, line) for rule, _, line in result.rules()]
    assert ("DR112", 7) in found
    with GitRepo(git.root) as repo:
        change = repo.change(repo.merge_base("main", "feature"), "feature")
    assert change.lines == {"compose.yaml": set()}  # nothing added on the head side
    assert not change.touches("compose.yaml", 7, 7)


def test_finding_pointing_at_a_changed_line_is_reported(capsys, tmp_path):
    """DR104 is reported on the second service; editing the first one's image causes it."""
    base = "services:\n  a:\n    build: .\n    image: acme/a:1.0\n  b:\n    build: .\n    image: acme/b:1.0\n"
    git = Git(tmp_path / "collide")
    git.commit({"compose.yaml": base}, "base")
    git("checkout", "-q", "-b", "feature")
    git.commit({"compose.yaml": base.replace("acme/a:1.0", "acme/b:1.0")})
    result = diff(capsys, git, "--head", "feature")
    assert ("DR104", 7) in [(rule, line) for rule, _, line in result.rules()]


def test_paths_with_spaces_and_unicode(capsys, repo):
    name = "my stack/dépl\toy-compose.yml"
    repo.commit({name: "services:\n  a:\n    image: acme/a:1.0\n"})
    repo("checkout", "-q", "-b", "edit")
    repo.commit({name: "services:\n  a:\n    image: acme/a:1.0\n    environment:\n      API_KEY: k-19a8c7d6e5\n"})
    result = run_cli(capsys, "diff", "--base", "feature", "--format", "json", cwd=repo.root)
    assert dr101(result) == [(name, 5)]


def test_run_from_a_subdirectory_shows_paths_relative_to_it(capsys, repo):
    text = BASE_COMPOSE.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n      API_TOKEN: tok-8f2a9c1b")
    repo.write({"compose.yaml": text, "sub/keep.txt": "x\n"})
    result = diff(capsys, repo, cwd=repo.root / "sub")
    assert dr101(result) == [("../compose.yaml", 10)]


def test_config_from_the_head_and_text_format(capsys, repo):
    text = BASE_COMPOSE.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n      API_TOKEN: tok-8f2a9c1b")
    repo.write({"compose.yaml": text, ".github/dockreview.yml": "rules:\n  DR101: warning\n"})
    result = run_cli(capsys, "diff", "--base", "main", cwd=repo.root)
    assert result.code == 0
    assert "compose.yaml:10:7: DR101 [compose-hardcoded-secret] warning:" in result.out
    assert "compose.yaml:5:" not in result.out


def test_usage_errors(capsys, repo, tmp_path):
    bad = run_cli(capsys, "diff", "--base", "no-such-branch", cwd=repo.root)
    assert bad.code == 2
    assert "unknown revision 'no-such-branch'" in bad.err
    assert run_cli(capsys, "diff", "--base", "main", "--head", "nope", cwd=repo.root).code == 2
    assert run_cli(capsys, "diff", "--base", "--upload-pack=x", cwd=repo.root).code == 2
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    result = run_cli(capsys, "diff", "--base", "main", cwd=outside)
    assert result.code == 2
    assert result.err.startswith("dockreview: error: git rev-parse failed")


def test_unrelated_histories_have_no_merge_base(capsys, repo):
    repo("checkout", "-q", "--orphan", "lonely")
    repo.commit({"x.txt": "x\n"}, "orphan")
    result = run_cli(capsys, "diff", "--base", "main", "--head", "lonely", cwd=repo.root)
    assert result.code == 2
    assert "no merge base" in result.err


def test_one_cat_file_process_for_every_blob(repo, monkeypatch):
    import subprocess

    import dockreview.bot.cli.gitrepo

    repo.commit({f"svc{i}/compose.yaml": BASE_COMPOSE for i in range(5)})
    started: list[list[str]] = []
    real = subprocess.Popen

    def counting(args, *a, **kw):
        started.append(list(args))
        return real(args, *a, **kw)

    monkeypatch.setattr(dockreview.bot.cli.gitrepo.subprocess, "Popen", counting)
    with GitRepo(repo.root) as git:
        head = git.snapshot_at("HEAD")
        base = git.snapshot_at("main")
        texts = [head.text(p) for p in head.paths] + [base.text(p) for p in base.paths]
    assert all(t is not None for t in texts) and len(texts) == 9
    assert [a for a in started if "cat-file" in a] == [["git", "cat-file", "--batch"]]


def test_the_trees_of_both_sides_are_read_at_once_and_as_one_at_a_time(repo, monkeypatch):
    import subprocess

    import dockreview.bot.cli.gitrepo
    from dockreview.bot.cli.gitrepo import GitError, run_git_all

    repo.commit({"svc/compose.yaml": BASE_COMPOSE, "gone.txt": "x\n"})
    repo("rm", "-q", "gone.txt")
    repo.commit()
    started: list[list[str]] = []
    real = subprocess.Popen

    def counting(args, *a, **kw):
        started.append(list(args))
        return real(args, *a, **kw)

    with GitRepo(repo.root) as alone:
        expected = {rev: alone.tree(rev) for rev in ("main", "HEAD", "HEAD~1")}
    monkeypatch.setattr(dockreview.bot.cli.gitrepo.subprocess, "Popen", counting)
    with GitRepo(repo.root) as git:
        git.read_trees("main", "HEAD", None, "HEAD~1", "main")
        assert [git.tree(rev) for rev in expected] == list(expected.values())
        change = git.change("main", "HEAD")
    assert len([a for a in started if "ls-tree" in a]) == 3  # one each, started together
    assert len([a for a in started if "diff" in a]) == 2
    assert change.lines.keys() == {"svc/compose.yaml"}
    with pytest.raises(GitError, match="ls-tree failed"):
        run_git_all(repo.root, ("ls-tree", "HEAD"), ("ls-tree", "no-such-rev"))


def test_symlinks_and_submodule_entries_are_not_read(repo):
    (repo.root / "link-compose.yml").symlink_to("compose.yaml")
    repo.commit()
    with GitRepo(repo.root) as git:
        snap = git.snapshot_at("HEAD")
        assert snap.has("link-compose.yml")
        assert snap.read("link-compose.yml") is None
        assert snap.read("compose.yaml") == BASE_COMPOSE.encode()


# --- parsing git's output ------------------------------------------------------------------------
def test_parse_name_status():
    out = b"M\0a.yml\0A\0new.yml\0D\0gone.yml\0R087\0old.yml\0moved.yml\0C075\0src.yml\0copy.yml\0T\0t.yml\0"
    change = parse_name_status(out)
    assert change.lines == {"a.yml": set(), "new.yml": None, "moved.yml": set(), "copy.yml": None, "t.yml": None}
    assert change.renames == {"moved.yml": "old.yml"}
    assert change.deleted == {"gone.yml"}


def test_parse_hunks():
    patch = (
        b"diff --git a/x.yml b/x.yml\n--- a/x.yml\n+++ b/x.yml\n"
        b"@@ -3 +3 @@ services:\n-a\n+b\n"
        b"@@ -10,0 +11,2 @@\n+c\n+d\n"
        b"@@ -20,2 +21,0 @@\n-e\n-f\n"
        b"diff --git a/gone.yml b/gone.yml\n--- a/gone.yml\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        b'diff --git "a/s p\\tc\\303\\251.yml" "b/s p\\tc\\303\\251.yml"\n'
        b'--- "a/s p\\tc\\303\\251.yml"\n+++ "b/s p\\tc\\303\\251.yml"\n@@ -1 +1 @@\n-x\n+y\n'
        b"diff --git a/has space.yml b/has space.yml\n--- a/has space.yml\t\n+++ b/has space.yml\t\n@@ -0,0 +1 @@\n+z\n"
    )
    assert parse_hunks(patch) == {"x.yml": {3, 11, 12}, "s p\tcé.yml": {1}, "has space.yml": {1}}


def test_added_lines_that_look_like_headers_are_content():
    patch = (
        b"diff --git a/x.yml b/x.yml\n--- a/x.yml\n+++ b/x.yml\n"
        b"@@ -1,0 +2,2 @@\n+++ b/evil.yml\n+--- a/y\n"
        b"@@ -5 +7 @@\n-a\n+b\n"
    )
    assert parse_hunks(patch) == {"x.yml": {2, 3, 7}}


def test_version(capsys):
    result = run_cli(capsys, "--version")
    assert result.code == 0
    assert result.out.startswith("dockreview ")


@pytest.mark.parametrize(
    ("raw", "text"),
    [(b"plain.yml", "plain.yml"), (b'"a\\"b"', 'a"b'), (b'"a\\\\b\\nc"', "a\\b\nc"), (b'"\\303\\251"', "é")],
)
def test_unquote(raw, text):
    assert unquote(raw) == text


def test_scripts_and_makefiles(capsys, repo):
    repo.commit(
        {"deploy.sh": "#!/bin/sh\nset -e\ndocker compose down -v\n", "Makefile": "up:\n\tdocker compose up -d\n"}
    )
    repo("checkout", "-q", "-b", "ops")
    repo.write({"Makefile": "up:\n\tdocker compose up -d\n\nclean:\n\tdocker system prune -af --volumes\n"})
    result = run_cli(capsys, "diff", "--base", "feature", "--format", "json", cwd=repo.root)
    assert ("DR402", "Makefile", 5) in result.rules()
    assert not [r for r in result.rules() if r[1] == "deploy.sh"]  # not the old DR401
    assert result.json()["files_checked"] >= 3


def test_a_suppression_the_change_adds_still_counts_and_an_unreviewable_file_fails(capsys, repo):
    added = "LOG_LEVEL: info\n      API_TOKEN: tok-8f2a9c1b  # dockreview: ignore"
    text = BASE_COMPOSE.replace("LOG_LEVEL: info", added)
    repo.commit({"compose.yaml": text})
    result = diff(capsys, repo, "--head", "feature")
    assert dr101(result) == [("compose.yaml", 10)] and result.code == 1
    assert "suppressed by a comment this pull request adds" in result.out
    repo.commit({"compose.yaml": BASE_COMPOSE, "Dockerfile": "FROM node:20\nRUN echo \x00\n"})
    result = run_cli(capsys, "diff", "--base", "main", "--head", "feature", cwd=repo.root)
    assert result.code == 1
    assert "not reviewed completely" in result.out
