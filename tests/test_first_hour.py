"""What a new user runs first, through the real `dockreview` process (issue: the first hour)."""

from __future__ import annotations

from pathlib import Path

from tests.cli_support import ROOT, run_process, write


def test_files_named_like_dockerfiles_that_are_not_are_left_alone(tmp_path: Path) -> None:
    write(tmp_path, {
        "dockerfile.py": "import os\n\nprint(os.getcwd())\n",
        "dockerfile.go": "package main\n",
        "Dockerfile.j2": "FROM {{ base }}\n{% for p in pkgs %}RUN apk add {{ p }}\n{% endfor %}\n",
        "Dockerfile.bak": "FROM python:3.12-slim\nRUN pip install flask\n",
    })
    result = run_process("check", ".", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert result.json()["findings"] == []
    own = run_process("check", "rules/parse/dockerfile.py", cwd=ROOT)
    assert own.code == 0, own.out + own.err


def _app_env(**extra: str) -> dict[str, str]:
    import os

    clean = {k: v for k, v in os.environ.items()
             if k not in {"APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "REDIS_URL"}}
    return {**clean, "PYTHONPATH": str(ROOT), **extra}


def _run(argv: list[str], *, code: str | None = None, **env: str):
    import subprocess
    import sys

    command = [sys.executable, "-c", code, *argv] if code else [sys.executable, "-m", "dockreview.bot.cli", *argv]
    return subprocess.run(command, env=_app_env(**env), cwd=ROOT, capture_output=True, text=True, timeout=60)


# Runs the CLI as if the `[app]` extra were not installed: its modules cannot be found or imported.
WITHOUT_APP = (
    "import sys; sys.modules.update(dict.fromkeys(['fastapi', 'uvicorn', 'githubkit', 'redis']));"
    "from dockreview.bot.cli import main; sys.exit(main(sys.argv[1:]))"
)


def test_app_commands_without_the_app_extra_say_how_to_install_it() -> None:
    for argv in (["serve", "--port", "0"], ["worker"], ["redeliver", "--since", "1h"]):
        done = _run(argv, code=WITHOUT_APP)
        assert done.returncode == 2, (argv, done.stderr)
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
        assert "pip install -e '.[app]'" in done.stderr and "missing: fastapi, uvicorn, githubkit, redis" in done.stderr
    # The review commands need none of it.
    assert _run(["check", "examples/shop", "--fail-on", "never"], code=WITHOUT_APP).returncode == 0


def test_serve_refuses_an_impossible_port_with_its_usage() -> None:
    done = _run(["serve", "--port", "80000"])
    assert done.returncode == 2
    assert done.stderr.startswith("usage: dockreview serve ")
    assert "argument --port: invalid port '80000'" in done.stderr and "Traceback" not in done.stderr


def test_serve_on_a_busy_port_exits_3_with_one_line() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _run(["serve", "--host", "127.0.0.1", "--port", str(port)])
    assert done.returncode == 3
    assert done.stderr == f"dockreview serve: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_arguments_are_checked_before_the_app_settings(tmp_path: Path) -> None:
    done = _run(["redeliver", "--since", "4d"])  # no APP_ID, PRIVATE_KEY, WEBHOOK_SECRET
    assert done.returncode == 2
    assert "--since" in done.stderr and "APP_ID" not in done.stderr
    done = _run(["replay", str(tmp_path / "missing.json")])
    assert done.returncode == 2
    assert "missing.json" in done.stderr and "APP_ID" not in done.stderr


def test_setup_refuses_a_webhook_url_without_the_webhook_path() -> None:
    done = _run(["setup", "--webhook-url", "https://dockreview.example.com", "--no-browser", "--port", "0"])
    assert done.returncode == 2
    assert "must end with /api/github/webhooks" in done.stderr
    assert "https://dockreview.example.com/api/github/webhooks" in done.stderr


def test_the_action_and_its_documented_workflows_pin_node24_majors() -> None:
    # actions/checkout v5.0.0 and actions/setup-python v6.0.0 are the first to run on Node 24 (Node 20
    # actions are deprecated on GitHub's runners).
    import re

    for path in ("action.yml", ".github/workflows/dockreview.yml", "docs/github-action.md"):
        text = (ROOT / path).read_text("utf-8")
        for action, major in re.findall(r"uses: actions/(checkout|setup-python)@v(\d+)", text):
            assert int(major) >= {"checkout": 5, "setup-python": 6}[action], (path, action, major)


def test_docs_never_install_a_dockreview_distribution_from_pypi() -> None:
    import re

    pypi = re.compile(r"pip install\s+[\"']?dockreview\b")  # no such distribution exists
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            assert not pypi.search(line), f"{path.relative_to(ROOT)}:{number}: {line}"
    cli = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert 'docker run --rm -v "$PWD:/src" dockreview:0.1.0 check /src' in cli


def test_diff_from_a_subdirectory_annotates_repository_paths(tmp_path: Path) -> None:
    from tests.cli_support import CLEAN_COMPOSE, SECRET_COMPOSE, Git

    git = Git(tmp_path / "repo")
    git.commit({"deploy/compose.yaml": CLEAN_COMPOSE, "app/README.md": "x\n"}, "base")
    git("checkout", "-q", "-b", "feature")
    git.commit({"deploy/compose.yaml": SECRET_COMPOSE})
    done = run_process("diff", "--base", "main", "--format", "github", cwd=git.root / "app")
    assert done.code == 1, done.err
    assert "file=deploy/compose.yaml,line=5" in done.out
    assert "../" not in done.out
    text = run_process("diff", "--base", "main", cwd=git.root / "app")
    assert "../deploy/compose.yaml:5:" in text.out  # a person at the terminal gets paths from where they are


def test_a_file_over_the_size_cap_is_skipped_with_a_note_never_truncated(tmp_path: Path) -> None:
    big = "#" + "p" * (3 * 1024 * 1024) + "\nFROM node:latest\n"  # the finding sits past 2 MiB
    (tmp_path / "Dockerfile").write_text(big)
    done = run_process("check", ".", "--format", "json", cwd=tmp_path)
    assert done.code == 0, done.err
    assert done.json()["findings"] == []
    assert done.json()["errors"] == [{"path": "Dockerfile", "message": "larger than 2048 KiB; not reviewed"}]
    (tmp_path / ".dockreview.yml").write_text("max_file_size: 8388608\n")
    for jobs in ("1", "2"):
        raised = run_process("check", ".", "--format", "json", "--jobs", jobs, cwd=tmp_path)
        assert raised.rules() == [("DR201", "Dockerfile", 2)], raised.out + raised.err


def test_the_line_limit_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    assert "of more than 100,000 lines is skipped with a note" in " ".join(text.split())


def test_diff_over_a_git_store_with_a_missing_object_skips_it_with_a_note(tmp_path: Path) -> None:
    from tests.cli_support import CLEAN_COMPOSE, SECRET_COMPOSE, Git

    git = Git(tmp_path / "repo")
    git.commit({"compose.yaml": CLEAN_COMPOSE, "Dockerfile": "FROM python:3.12.7\n"}, "base")
    git("checkout", "-q", "-b", "feature")
    git.commit({"compose.yaml": SECRET_COMPOSE, "Dockerfile": "FROM python:3.12.7\nRUN true\n"})
    oid = git("rev-parse", "HEAD:Dockerfile").strip()
    (git.root / ".git" / "objects" / oid[:2] / oid[2:]).unlink()  # a damaged store
    assert "BAD" in git("ls-tree", "-r", "-l", "HEAD")
    done = run_process("diff", "--base", "main", "--head", "feature", "--format", "json", cwd=git.root)
    assert done.code == 1, done.err
    assert "internal error" not in done.err
    assert [(r, p) for r, p, _ in done.rules()] == [("DR101", "compose.yaml")]
    assert {"path": "Dockerfile", "message": "could not be read (symlink, submodule or missing)"} \
        in done.json()["errors"]


def test_an_unknown_option_prints_the_subcommands_usage(tmp_path: Path) -> None:
    done = run_process("check", "--bogus", ".", cwd=tmp_path)
    assert done.code == 2
    assert done.err.startswith("usage: dockreview check ")
    assert done.err.rstrip().endswith("dockreview check: error: unrecognized arguments: --bogus")
    top = run_process("--bogus", cwd=tmp_path)
    assert top.code == 2 and top.err.startswith("usage: dockreview [-h]")


def _codes(done) -> set[str]:
    return {rule for rule, _, _ in done.rules()}


def test_select_extend_select_and_ignore_choose_the_rules() -> None:
    shop = ROOT / "examples" / "shop"
    everything = _codes(run_process("check", ".", "--format", "json", cwd=shop))
    compose = _codes(run_process("check", ".", "--format", "json", "--select", "DR1", cwd=shop))
    assert compose == {c for c in everything if c.startswith("DR1")} and len(compose) > 3
    more = _codes(run_process("check", ".", "--format", "json", "--select", "DR1",
                              "--extend-select", "compose-down-volumes", cwd=shop))
    assert more == compose | {"DR401"}
    fewer = _codes(run_process("check", ".", "--format", "json", "--ignore", "DR102,compose-hardcoded-secret",
                               cwd=shop))
    assert fewer == everything - {"DR102", "DR101"}
    bad = run_process("check", ".", "--select", "DR9", cwd=shop)
    assert bad.code == 2 and "--select DR9: no rule has this code" in bad.err


def test_quiet_prints_only_the_findings() -> None:
    shop = ROOT / "examples" / "shop"
    loud = run_process("check", ".", cwd=shop)
    quiet = run_process("check", ".", "-q", cwd=shop)
    assert quiet.code == loud.code == 1
    assert "findings:" in loud.out and "findings:" not in quiet.out
    assert quiet.out.strip() and loud.out.startswith(quiet.out.rstrip("\n"))


def test_cli_reference_lists_every_check_and_diff_option() -> None:
    from dockreview.bot.cli import build_parser
    from dockreview.bot.cli.commands import _subcommands

    text = (ROOT / "docs" / "cli.md").read_text("utf-8")
    for name in ("check", "diff", "serve", "setup", "redeliver", "replay"):
        parser = _subcommands(build_parser())[name]
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert f"`{option}" in text, (name, option)
