"""What `dockreview check` of one file imports: only what that file's review needs (start-up is most of
checking one small file; bench/startup.py times it). Each check runs in a fresh interpreter and
lists the modules it loaded; nothing here is timed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli_support import ROOT

DOCKERFILE = """\
FROM python:3.12-slim
ENV APP_HOME=/app
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER nobody
CMD ["python", "app.py"]
"""

COMPOSE = """\
services:
  web:
    image: nginx:1.27.2
    ports:
      - "8080:80"
"""

# The parts of the library and the third-party packages a review of other kinds of file needs.
WORKFLOW_ONLY = ("dockreview.rules.catalog.workflow", "dockreview.rules.parse.workflow",
                 "dockreview.rules.model.builds.workflows", "dockreview.rules.model.workflow_env")
SCRIPT_ONLY = ("dockreview.rules.model.commands", "dockreview.rules.parse.makefile",
               "dockreview.rules.model.builds.cli", "dockreview.rules.model.compose.cwd")
BAKE = ("dockreview.rules.model.builds.bake", "dockreview.rules.model.builds.hcl_eval", "hcl2", "lark")
COMPOSE_ONLY = ("dockreview.rules.catalog.compose", "dockreview.rules.model.compose.",
                "dockreview.rules.changes.compose", "dockreview.rules.parse.compose")
# Only a change (`diff`, the App) compares compose projects.
CHANGE_ONLY = ("dockreview.rules.changes.compose",)
# Never needed to check a file: package metadata (the docs links read it directly), the config
# schema's validator without a config file, the App's dependencies.
NEVER = ("importlib.metadata", "jsonschema", "fastapi", "githubkit", "httpx", "redis", "uvicorn", "pydantic")


def imported_by_cli(directory: Path, argv: list[str], env: dict[str, str] | None = None) -> list[str]:
    """The modules `dockreview <argv>` imported in a fresh interpreter: those loaded before the CLI
    ran (site and the environment's .pth files, which may import shutil or certifi) are left out,
    since the CLI did not cost them."""
    code = (
        "import sys; started = set(sys.modules); import json; from dockreview.bot.cli import main; "
        f"rc = main({argv!r}); "
        "print(json.dumps(sorted(set(sys.modules) - started)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=directory, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **(env or {})})
    modules: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return modules


def loaded_by_check(directory: Path) -> list[str]:
    return imported_by_cli(directory, ["check", "--fail-on", "never", "--format", "json"])


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if m.startswith(prefixes) or any(m == p.rstrip(".") for p in prefixes)]


def test_checking_one_dockerfile_loads_neither_yaml_nor_compose_nor_workflows(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    modules = loaded_by_check(tmp_path)
    assert "dockreview.rules.catalog.dockerfile.base_image_unpinned" in modules  # it did review the file
    assert loaded(modules, ("ruamel",)) == []  # no YAML in a Dockerfile
    assert loaded(modules, ("tree_sitter",)) == []  # no RUN that can run docker: the shell is not parsed
    assert loaded(modules, COMPOSE_ONLY + WORKFLOW_ONLY + SCRIPT_ONLY + BAKE + NEVER) == []


def test_checking_one_compose_file_loads_no_workflow_script_or_bake_model(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    modules = loaded_by_check(tmp_path)
    assert "dockreview.rules.catalog.compose.port_newly_public" in modules
    assert "dockreview.rules.model.compose.discover" in modules
    assert loaded(modules, ("dockreview.rules.catalog.dockerfile", "dockreview.rules.catalog.shell")) == []
    assert loaded(modules, WORKFLOW_ONLY + SCRIPT_ONLY + BAKE + CHANGE_ONLY + NEVER) == []


def test_a_script_beside_the_file_brings_the_command_scan_back(tmp_path: Path) -> None:
    """The light paths are taken because nothing needs more, not by skipping what is there."""
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "deploy.sh").write_text("#!/bin/sh\ndocker compose -f compose.yaml up -d\n")
    modules = loaded_by_check(tmp_path)
    assert "dockreview.rules.model.commands" in modules
    assert "dockreview.rules.catalog.shell.compose_down_volumes" in modules
    # The shell parser loads tree-sitter-bash's grammar without the package's importlib.resources.
    assert "tree_sitter" in modules
    assert loaded(modules, ("importlib.resources", "tempfile")) == []


def test_the_grammar_loaded_without_the_package_is_the_packages_own() -> None:
    """In a fresh interpreter (where the package is not imported yet) the grammar comes from the
    binding alone; it parses a script to the same tree as the package's grammar."""
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    script = "if [ -n \"$X\" ]; then docker compose -f a.yml down -v; fi\ncase $1 in up) make up;; esac\n"
    code = (
        "import sys; from tree_sitter import Language, Parser; "
        "from dockreview.rules.parse.shell import _bash_grammar; "
        "grammar = Language(_bash_grammar()); "
        f"print('tree_sitter_bash' in sys.modules, grammar.node_kind_count, "
        f"str(Parser(grammar).parse({script.encode()!r}).root_node))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    imported, kinds, tree = proc.stdout.strip().split(" ", 2)
    package = Language(tree_sitter_bash.language())
    assert imported == "False"  # the package's __init__ did not run
    assert int(kinds) == package.node_kind_count
    assert tree == str(Parser(package).parse(script.encode()).root_node)



def test_the_docs_links_read_the_same_project_urls_as_importlib_metadata() -> None:
    from importlib.metadata import PackageNotFoundError, metadata

    from dockreview.rules.rule import _project_urls

    try:
        expected = metadata("dockreview").get_all("Project-URL") or []
    except PackageNotFoundError:
        expected = []
    assert _project_urls() == expected


def test_neither_argument_parsing_nor_a_compose_change_imports_shutil_or_the_dockerfile_parser(tmp_path: Path) -> None:
    """argparse finds the terminal width with shutil (which imports bz2, lzma, zlib); the CLI's formatter
    asks os instead. A change that touches no Dockerfile does not import dockerfile-parse."""
    from tests.cli_support import Git

    repo = Git(tmp_path / "repo")
    repo.commit({"compose.yaml": COMPOSE}, "base")
    repo.commit({"compose.yaml": COMPOSE.replace("1.27.2", "1.27.3")}, "head")
    modules = imported_by_cli(repo.root, ["diff", "--base", "HEAD~1", "--fail-on", "never", "--format", "json"],
                              {"HOME": str(tmp_path)})
    assert "dockreview.rules.changes.compose" in modules  # it compared the projects
    assert loaded(modules, ("shutil", "bz2", "lzma", "dockerfile_parse", "dockreview.rules.changes.dockerfile")) == []


def test_the_help_is_as_wide_as_shutil_says_the_terminal_is(monkeypatch) -> None:
    import shutil

    from dockreview.bot.cli.commands import _columns

    for columns in ("57", "133", "", "wide", "-4"):
        monkeypatch.setenv("COLUMNS", columns)
        assert _columns() == shutil.get_terminal_size().columns, columns


def test_a_review_imports_neither_dataclasses_nor_inspect(tmp_path: Path) -> None:
    """The value classes are made without `dataclasses`, whose import brings `inspect`, `ast`, `dis`
    and `tokenize` (8-11 ms); the catalog lists its modules without pkgutil (which imports inspect).
    (A Dockerfile brings tokenize back: dockerfile-parse imports logging, which imports it.)"""
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    modules = loaded_by_check(tmp_path)
    assert "dockreview.rules.catalog.compose.port_newly_public" in modules
    assert loaded(modules, ("dataclasses", "inspect", "ast", "dis", "tokenize", "pkgutil")) == []
