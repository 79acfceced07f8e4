"""The conventions users bring from ruff, hadolint and zizmor, each through a real `dockreview` process:
-o/--output-file, stdin, --color, --statistics, --show-files, --exclude, .gitignore, --config and
pyproject.toml, the concise/gitlab/junit/checkstyle formats, --fix/--unsafe-fixes/--diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from dockreview.rules import catalog

from tests.cli_support import ROOT, SECRET_COMPOSE, Git, Result, write

DEPLOY = "#!/bin/sh\nset -e\ndocker compose down -v\ndocker compose up -d\n"
DB_COMPOSE = """\
services:
  db:
    image: postgres:16.4
    environment:
      POSTGRES_PASSWORD: hunter2
    ports:
      - "5432:5432"
    volumes: [data:/var/lib/postgresql/data]
volumes:
  data:
"""


def dockreview(*argv: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "DOCKREVIEW_DOCS_URL")}
    proc = subprocess.run([sys.executable, "-m", "dockreview.bot.cli", *argv], cwd=cwd, input=stdin,
                          env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
                          capture_output=True, text=True, timeout=120)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(tmp_path / "p", {"compose.yaml": DB_COMPOSE, "deploy.sh": DEPLOY})


def test_output_file_writes_the_report_and_nothing_to_stdout(project: Path) -> None:
    for option in ("--output-file", "-o", "--output"):
        result = dockreview("check", "--format", "json", option, "report.json", cwd=project)
        assert result.code == 1 and result.out == ""
        document = json.loads((project / "report.json").read_text("utf-8"))
        assert {f["rule"] for f in document["findings"]} == {"DR101", "DR109", "DR401"}


def test_stdin_is_reviewed_under_its_name_with_the_tree_around_it(project: Path) -> None:
    named = dockreview("check", "-", "--stdin-filename", "deploy/compose.yaml", "--format", "json",
                       cwd=project, stdin=SECRET_COMPOSE)
    assert named.code == 1
    assert named.rules() == [("DR101", "deploy/compose.yaml", 5)]
    assert named.json()["files_checked"] == 1  # only stdin, not the tree it is reviewed in
    default = dockreview("check", "-", "--format", "concise", cwd=project, stdin="FROM alpine\n")
    assert default.code == 0 and default.out.startswith("Dockerfile:1:6: DR201 [dockerfile-mutable-base-image]")
    wrong = dockreview("check", "-", "--stdin-filename", "notes.txt", cwd=project, stdin="hello\n")
    assert wrong.code == 2 and "--stdin-filename notes.txt: not a file dockreview reviews" in wrong.err
    mixed = dockreview("check", "-", "compose.yaml", cwd=project, stdin="")
    assert mixed.code == 2 and "cannot be combined" in mixed.err


@pytest.mark.parametrize(("argv", "env", "colored"), [
    ((), {}, False),  # a pipe
    (("--color", "always"), {}, True),
    ((), {"FORCE_COLOR": "1"}, True),
    ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (("--color", "always"), {"NO_COLOR": "1"}, True),  # the flag wins over the environment
    (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    (("--no-color",), {"FORCE_COLOR": "1"}, False),
    (("--format", "concise", "--color", "always"), {}, True),
    (("--format", "json", "--color", "always"), {}, False),  # never in machine formats
])
def test_color_auto_always_never_and_the_environment(project: Path, argv: tuple[str, ...], env: dict[str, str],
                                                     colored: bool) -> None:
    result = dockreview("check", *argv, cwd=project, env=env)
    assert result.code == 1
    assert ("\033[" in result.out) is colored


def test_statistics_count_findings_per_rule_and_mark_the_fixable(project: Path) -> None:
    text = dockreview("check", "--statistics", cwd=project)
    assert text.code == 1
    assert text.out.splitlines() == [
        "1  DR101  compose-hardcoded-secret       error    [-]",
        "1  DR109  compose-database-port-exposed  warning  [-]",
        "1  DR401  compose-down-volumes           error    [*]",
        "3 findings: 2 errors, 1 warning, 0 notes; 2 files checked",
        "[*] fixable with `--fix`, [-] with `--fix --unsafe-fixes`",
    ]
    rows = json.loads(dockreview("check", "--statistics", "--format", "json", cwd=project).out)
    assert [(r["code"], r["count"], r["fix_safety"]) for r in rows] == [
        ("DR101", 1, "unsafe"), ("DR109", 1, "unsafe"), ("DR401", 1, "safe")]
    refused = dockreview("check", "--statistics", "--format", "sarif", cwd=project)
    assert refused.code == 2 and "--statistics prints text or json" in refused.err


def test_show_files_lists_what_would_be_reviewed_honouring_gitignore_and_exclude(tmp_path: Path) -> None:
    git = Git(tmp_path / "repo")
    git.write({"compose.yaml": DB_COMPOSE, "deploy.sh": DEPLOY, "build/Dockerfile": "FROM alpine\n",
               "vendor/Dockerfile": "FROM alpine\n", ".gitignore": "build/\n"})
    shown = dockreview("check", "--show-files", cwd=git.root)
    assert shown.code == 0
    assert shown.out.splitlines() == ["compose      compose.yaml", "script       deploy.sh",
                                      "dockerfile   vendor/Dockerfile"]
    everything = dockreview("check", "--show-files", "--no-respect-gitignore", "--exclude", "vendor/**,*.sh",
                            cwd=git.root)
    assert everything.out.splitlines() == ["dockerfile   build/Dockerfile", "compose      compose.yaml"]
    # a file named on the command line is reviewed even when git ignores it
    named = dockreview("check", "build/Dockerfile", "--format", "json", cwd=git.root)
    assert named.rules() == [("DR201", "build/Dockerfile", 1)]
    walked = dockreview("check", "--format", "json", cwd=git.root)
    assert "build/Dockerfile" not in {f["path"] for f in walked.json()["findings"]}


def test_config_from_pyproject_toml_found_and_named_with_config(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.dockreview]\nignore = ["deploy.sh"]\n\n'
                                            '[tool.dockreview.rules]\nDR109 = "off"\n', "utf-8")
    found = dockreview("check", "--format", "json", cwd=project / ".." / "p")
    assert found.rules() == [("DR101", "compose.yaml", 5)]
    sub = project / "sub"
    sub.mkdir()
    (project / ".git").mkdir()
    from_sub = dockreview("check", "--format", "json", "..", cwd=sub)
    assert [r for r, _, _ in from_sub.rules()] == ["DR101"]
    (project / "pyproject.toml").write_text('[tool.ruff]\nline-length = 99\n', "utf-8")  # no table: no config
    assert len(dockreview("check", "--format", "json", cwd=project).rules()) == 3
    (project / "ci.toml").write_text('[tool.dockreview]\nfail_on = "never"\n\n[tool.dockreview.rules]\n'
                                     'DR101 = "sometimes"\n', "utf-8")
    bad = dockreview("check", "--config", "ci.toml", cwd=project)
    assert bad.code == 2
    assert bad.err.startswith("dockreview: error: invalid config: ci.toml:5: invalid config at `rules.DR101`"), bad.err
    none = dockreview("check", "--config", "pyproject.toml", cwd=project)
    assert none.code == 2 and "--config pyproject.toml: no [tool.dockreview] table" in none.err


def test_concise_is_one_line_per_finding(project: Path) -> None:
    result = dockreview("check", "--format", "concise", cwd=project)
    assert result.code == 1
    assert [line.split(" ", 2)[:2] for line in result.out.splitlines()[:3]] == [
        ["compose.yaml:5:7:", "DR101"], ["compose.yaml:7:9:", "DR109"], ["deploy.sh:3:21:", "DR401"]]
    assert result.out.splitlines()[3] == "3 findings: 2 errors, 1 warning, 0 notes; 2 files checked"
    assert "hunter2" not in result.out
    quiet = dockreview("check", "--format", "concise", "-q", cwd=project)
    assert len(quiet.out.splitlines()) == 3


def test_gitlab_code_quality_report(project: Path) -> None:
    result = dockreview("check", "--format", "gitlab", cwd=project)
    assert result.code == 1
    issues = json.loads(result.out)
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("DR101 compose-hardcoded-secret", "critical", {"path": "compose.yaml", "lines": {"begin": 5, "end": 5}}),
        ("DR109 compose-database-port-exposed", "major", {"path": "compose.yaml", "lines": {"begin": 7, "end": 7}}),
        ("DR401 compose-down-volumes", "critical", {"path": "deploy.sh", "lines": {"begin": 3, "end": 3}}),
    ]
    assert all(set(i) >= {"description", "check_name", "fingerprint", "severity", "location"} for i in issues)
    assert len({i["fingerprint"] for i in issues}) == 3
    assert "hunter2" not in result.out


def test_gitlab_fingerprints_stay_unique_for_repeated_findings(tmp_path: Path) -> None:
    write(tmp_path, {"deploy.sh": "#!/bin/sh\ndocker compose down -v\ndocker compose down -v\n"})
    issues = json.loads(dockreview("check", "--format", "gitlab", cwd=tmp_path).out)
    assert len(issues) == 2 and len({i["fingerprint"] for i in issues}) == 2


def test_junit_report_has_a_suite_per_file_and_a_failure_per_finding(project: Path) -> None:
    write(project, {"Dockerfile": "FROM alpine:3.20\n"})
    result = dockreview("check", "--format", "junit", cwd=project)
    assert result.code == 1
    root = ET.fromstring(result.out)
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "4", "3")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert sorted(suites) == ["Dockerfile", "compose.yaml", "deploy.sh"]
    assert [c.get("name") for c in suites["compose.yaml"].iter("testcase")] == [
        "DR101 compose-hardcoded-secret at line 5", "DR109 compose-database-port-exposed at line 7"]
    assert [(c.get("name"), c.find("failure")) for c in suites["Dockerfile"].iter("testcase")] == [
        ("no findings", None)]
    failure = suites["deploy.sh"].find("testcase/failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.text is not None and failure.text.startswith("deploy.sh:3:21: `docker compose down -v`")


def test_checkstyle_report(project: Path) -> None:
    result = dockreview("check", "--format", "checkstyle", cwd=project)
    root = ET.fromstring(result.out)
    assert root.tag == "checkstyle"
    errors = [(f.get("name"), e.get("line"), e.get("column"), e.get("severity"), e.get("source"))
              for f in root.iter("file") for e in f.iter("error")]
    assert errors == [
        ("compose.yaml", "5", "7", "error", "dockreview.DR101.compose-hardcoded-secret"),
        ("compose.yaml", "7", "9", "warning", "dockreview.DR109.compose-database-port-exposed"),
        ("deploy.sh", "3", "21", "error", "dockreview.DR401.compose-down-volumes"),
    ]


def test_diff_previews_the_safe_fixes_and_changes_nothing(project: Path) -> None:
    result = dockreview("check", "--diff", cwd=project)
    assert result.code == 1
    assert result.out == ("--- a/deploy.sh\n+++ b/deploy.sh\n@@ -1,4 +1,4 @@\n #!/bin/sh\n set -e\n"
                          "-docker compose down -v\n+docker compose down\n docker compose up -d\n")
    assert result.err == "dockreview: would fix 1 finding in 1 file\n"
    assert (project / "deploy.sh").read_text() == DEPLOY
    unsafe = dockreview("check", "--diff", "--unsafe-fixes", cwd=project)
    assert '+      - "127.0.0.1:5432:5432"' in unsafe.out and "+docker compose down\n" in unsafe.out
    assert (project / "compose.yaml").read_text() == DB_COMPOSE
    # the secret's line is never printed, neither removed nor as context
    assert "hunter2" not in unsafe.out and "-(line 5 holds a secret: not shown)\n" in unsafe.out
    # also as context of a fix when the rule that finds the secret is not selected
    port = dockreview("check", "--diff", "--unsafe-fixes", "--select", "DR109", cwd=project)
    assert "hunter2" not in port.out and " (line 5 holds a secret: not shown)\n" in port.out


def test_fix_applies_only_safe_suggestions_then_reports_what_is_left(project: Path) -> None:
    result = dockreview("check", "--fix", "--format", "json", cwd=project)
    assert result.code == 1
    assert (project / "deploy.sh").read_text() == DEPLOY.replace("down -v", "down")
    assert (project / "compose.yaml").read_text() == DB_COMPOSE
    assert [r for r, _, _ in result.rules()] == ["DR101", "DR109"]
    assert result.err == "dockreview: fixed 1 finding in 1 file\n"
    again = dockreview("check", "--fix", "--unsafe-fixes", "-q", cwd=project)
    assert again.code == 0 and again.out == ""
    fixed = (project / "compose.yaml").read_text()
    assert "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" in fixed and '"127.0.0.1:5432:5432"' in fixed
    assert dockreview("check", "-", "--fix", cwd=project, stdin="FROM alpine\n").code == 2


def test_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    (tmp_path / "deploy.sh").write_bytes(b"#!/bin/sh\r\ndocker compose down -v\r\necho done\r\n")
    assert dockreview("check", "--fix", cwd=tmp_path).code == 0
    assert (tmp_path / "deploy.sh").read_bytes() == b"#!/bin/sh\r\ndocker compose down\r\necho done\r\n"


def test_every_rule_with_a_suggestion_says_whether_its_fix_is_safe_and_why() -> None:
    for rule in catalog.all_rules():
        if rule.has_suggestion:
            assert rule.fix_safety in ("safe", "unsafe") and len(rule.fix_safety_reason) > 20, rule.code
        else:
            assert rule.fix_safety == "" and rule.fix_safety_reason == "", rule.code
    shown = dockreview("rule", "DR401", cwd=ROOT).out
    assert "Fix safety: safe" in shown


def test_the_documented_pyproject_example_is_a_valid_config() -> None:
    import re

    from dockreview.rules.config import Config

    page = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    [example] = re.findall(r"```toml\n(.*?)```", page, re.S)
    config = Config.from_pyproject(example, "pyproject.toml")
    assert config is not None and config.issues == []
    assert config.fail_on == "warning" and not config.rules["DR109"].enabled


def test_diff_takes_statistics_exclude_and_writes_gitlab_paths_from_the_top(tmp_path: Path) -> None:
    git = Git(tmp_path / "repo")
    git.commit({"README.md": "# r\n"})
    git.write({"app/compose.yaml": DB_COMPOSE, "vendor/compose.yaml": DB_COMPOSE})
    stats = dockreview("diff", "--base", "main", "--statistics", "--format", "json", "--exclude", "vendor/**",
                       cwd=git.root)
    assert stats.code == 1
    assert [(r["code"], r["count"]) for r in json.loads(stats.out)] == [("DR101", 1), ("DR109", 1)]
    gitlab = dockreview("diff", "--base", "main", "--format", "gitlab", "--exclude", "vendor/**",
                        cwd=git.root / "app")
    assert {i["location"]["path"] for i in json.loads(gitlab.out)} == {"app/compose.yaml"}
    refused = dockreview("diff", "--base", "main", "--statistics", "--format", "junit", cwd=git.root)
    assert refused.code == 2 and "--statistics prints text or json, not junit" in refused.err


def test_run_from_outside_any_repository_the_named_paths_repository_is_the_root(tmp_path: Path) -> None:
    """From a home directory on a file of a repository below it: that repository's config applies
    and only it is read (not every file under the current directory)."""
    git = Git(tmp_path / "repo")
    git.write({"Dockerfile": "FROM alpine\n", ".dockreview.yml": "rules:\n  DR201: off\n"})
    write(tmp_path / "elsewhere", {"Dockerfile": "FROM alpine\n"})
    found = dockreview("check", "repo/Dockerfile", "--format", "json", cwd=tmp_path)
    assert found.code == 0 and found.json()["findings"] == []  # the repository's config turned DR201 off
    both = dockreview("check", "repo/Dockerfile", "elsewhere/Dockerfile", "--format", "json", cwd=tmp_path)
    assert [(f["rule"], f["path"]) for f in both.json()["findings"]] == [("DR201", "elsewhere/Dockerfile"),
                                                                         ("DR201", "repo/Dockerfile")]
