"""docs/cli.md cannot drift: every ```console example is run and prints what the page shows, every
`dockreview` command shown anywhere in the docs parses, and every option of every command has an
example (tests/docs_examples.py says how a page marks its examples)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from dockreview.bot.cli.commands import _subcommands, build_parser

from tests.cli_support import ROOT
from tests.docs_examples import APP_COMMANDS, FIXTURES, blocks, matches, run_block

CLI = (ROOT / "docs" / "cli.md").read_text("utf-8")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Pages whose console examples are all run (the others show GitHub's pages, curl against a running
# service, pre-commit).
RUN_PAGES = ("cli.md", "configuration.md", "troubleshooting.md")
RUN = [(name, b) for name in RUN_PAGES for b in blocks((ROOT / "docs" / name).read_text("utf-8"))
       if b.fixture is not None]


@pytest.mark.parametrize(("page", "block"), RUN, ids=[f"{name}:{b.line}" for name, b in RUN])
def test_the_example_prints_what_the_page_shows(page: str, block, tmp_path: Path) -> None:
    FIXTURES[block.fixture](tmp_path)
    for step, printed in run_block(block, tmp_path):
        assert matches(step.shown, printed), (
            f"docs/{page} line {block.line}: `$ {step.command}` prints:\n" + "\n".join(printed))


def test_examples_not_run_are_only_the_apps_commands_that_need_github() -> None:
    skipped = [b for name in RUN_PAGES for b in blocks((ROOT / "docs" / name).read_text("utf-8"))
               if b.fixture is None]
    assert skipped and all(b.reason for b in skipped)
    for block in skipped:
        for step in block.steps:
            assert shlex.split(step.command)[1] in APP_COMMANDS, step.command
    assert len(RUN) >= 10


def commands(text: str) -> list[str]:
    """Every `dockreview ...` command in the page's console (`$ `) and sh/bash blocks, up to a pipe,
    `;`, `&&`, a redirection or a comment."""
    found = []
    for lang, body in re.findall(r"```(console|sh|bash|shell)\n(.*?)```", text, re.S):
        for line in body.replace("\\\n", " ").splitlines():
            line = line[2:] if lang == "console" and line.startswith("$ ") else ("" if lang == "console" else line)
            for part in re.split(r"\s*(?:\|\||&&|2>&1|[|;>])\s*", line):
                if not re.match(r"\s*(?:[A-Z_]+=\S*\s+)*dockreview(?:\s|$)", part):
                    continue
                words = shlex.split(part, comments=True)
                while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # VAR=value dockreview ...
                    words = words[1:]
                if words[:1] == ["dockreview"]:
                    found.append(shlex.join(words))
    return found


ALL = [(page.name, command) for page in PAGES for command in commands(page.read_text("utf-8"))]


@pytest.mark.parametrize(("page", "command"), ALL)
def test_every_command_in_the_docs_parses(page: str, command: str) -> None:
    parser = build_parser()
    argv = shlex.split(command)[1:]
    try:
        _, extra = parser.parse_known_args(argv)
    except SystemExit as exc:
        assert exc.code == 0, f"{page}: `{command}` is not a valid command line"
        return
    assert extra == [], f"{page}: `{command}`: unknown {extra}"


def test_every_option_of_every_command_has_an_example_in_cli_md() -> None:
    shown = [shlex.split(c)[1:] for c in commands(CLI)]
    missing = []
    for name, parser in _subcommands(build_parser()).items():
        used = {word.split("=", 1)[0] for argv in shown if argv[:1] == [name] for word in argv}
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help") and option not in used:
                    missing.append(f"{name} {option}")
    assert missing == [], missing


PRE_COMMIT_COMPOSE = "services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: hunter2\n"


def test_the_pre_commit_example_shows_what_the_hook_prints(tmp_path: Path) -> None:
    """docs/github-action.md: the hook's output is `dockreview check` on the staged compose file."""
    page = (ROOT / "docs" / "github-action.md").read_text("utf-8")
    shown = page.split("- exit code: 1\n\n", 1)[1].split("```", 1)[0].splitlines()
    (tmp_path / "compose.yaml").write_text(PRE_COMMIT_COMPOSE, "utf-8")
    from tests.test_cli_conventions import dockreview

    printed = dockreview("check", "compose.yaml", cwd=tmp_path)
    assert printed.code == 1 and shown == printed.out.splitlines()
    assert "hunter2" not in "\n".join(shown)
