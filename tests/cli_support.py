"""Helpers for the CLI tests: run `dockreview` in-process or as a process, build git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest
from dockreview.bot.cli import main

ROOT = Path(__file__).resolve().parents[1]

SECRET_COMPOSE = """\
services:
  app:
    image: ghcr.io/acme/app:1.4.2
    environment:
      DB_PASSWORD: hunter2
"""

CLEAN_COMPOSE = """\
services:
  web:
    image: nginx:1.27.2
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)

    def rules(self) -> list[tuple[str, str, int]]:
        """(rule, path, line) of every finding, from JSON output."""
        return [(f["rule"], f["path"], f["line"]) for f in self.json()["findings"]]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str, cwd: Path | None = None) -> Result:
    """`main(argv)` in this process, in `cwd`; captured stdout/stderr."""
    capsys.readouterr()
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = main(list(argv))
    finally:
        os.chdir(previous)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def run_process(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> Result:
    """`python -m dockreview.bot.cli argv` as a real process."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "dockreview.bot.cli", *argv],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dedent(text), "utf-8")
    return root


class Git:
    """A real temporary repository; `git("...")` runs a command in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self("init", "-q", "-b", "main")
        self("config", "user.name", "Test")
        self("config", "user.email", "test@example.invalid")
        self("config", "commit.gpgsign", "false")

    def __call__(self, *args: str) -> str:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.root.parent)}
        proc = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True)
        return proc.stdout

    def write(self, files: dict[str, str]) -> None:
        write(self.root, files)

    def commit(self, files: dict[str, str] | None = None, message: str = "change") -> str:
        if files:
            self.write(files)
        self("add", "-A")
        self("commit", "-q", "--allow-empty", "-m", message)
        return self("rev-parse", "HEAD").strip()
