"""Run the ```console examples of a docs page and compare what they print with what the page shows.

A block is a series of `$ command` lines, each followed by the output it shows (stdout and stderr,
as a terminal shows them). In the shown output a line `...` stands for any number of lines. `cd DIR`
changes the directory of the commands after it; `echo $?` prints the status of the previous one.
The HTML comment just before a block names the fixture it runs in (`<!-- example: NAME -->`, default
`examples`) or says why it is not run (`<!-- not run: REASON -->`, only for the App's commands,
which need GitHub).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.cli_support import ROOT, Git

FENCE = re.compile(r"(?:<!--\s*(example|not run):\s*(.*?)\s*-->\n)?```console\n(.*?)```", re.S)
APP_COMMANDS = ("serve", "worker", "setup", "redeliver", "replay")


@dataclass
class Step:
    command: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Block:
    line: int  # of the opening fence, 1-based
    fixture: str | None  # None: not run
    reason: str
    steps: list[Step]


def blocks(text: str) -> list[Block]:
    found = []
    for match in FENCE.finditer(text):
        kind, value, body = match.groups()
        steps: list[Step] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:]))
            elif steps:
                steps[-1].shown.append(line)
        line = text.count("\n", 0, match.start(3))
        fixture = None if kind == "not run" else (value if kind == "example" else "examples")
        found.append(Block(line, fixture, value if kind == "not run" else "", steps))
    return found


def matches(shown: list[str], actual: list[str]) -> bool:
    """`shown` equals `actual`, a `...` line standing for any number of lines."""
    if not shown:
        return not actual
    if shown[0] == "...":
        return any(matches(shown[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and shown[0] == actual[0] and matches(shown[1:], actual[1:])


def environment() -> dict[str, str]:
    # none of the App's settings: the examples show what a fresh shell shows
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "DOCKREVIEW_DOCS_URL", "DOCKREVIEW_DEBUG", "APP_ID", "PRIVATE_KEY",
                        "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "REDIS_URL", "GITHUB_API_URL")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    return env


def run_block(block: Block, workdir: Path) -> list[tuple[Step, list[str]]]:
    """Each step with the lines it printed, run in `workdir` (the fixture)."""
    cwd, status, results = workdir, 0, []
    for step in block.steps:
        words = shlex.split(step.command)
        if words[:1] == ["cd"]:
            cwd = (cwd / words[1]).resolve()
            results.append((step, []))
            continue
        if step.command == "echo $?":
            results.append((step, [str(status)]))
            continue
        done = subprocess.run(["bash", "-c", "{ " + step.command + "\n} 2>&1"], cwd=cwd, env=environment(),
                              capture_output=True, text=True, timeout=180)
        status = done.returncode
        results.append((step, done.stdout.splitlines()))
    return results


# --- fixtures ----------------------------------------------------------------------------------
def examples(root: Path) -> None:
    """A copy of the repository's examples/ in a git work tree (nothing else around it)."""
    Git(root)
    shutil.copytree(ROOT / "examples", root / "examples")


FEATURE_DOCKERFILE = "FROM python:latest\nENV API_TOKEN=ghp_abcdefghijklmnop1234\nCOPY app.py /app/\n"
FEATURE_COMPOSE = ("services:\n  web:\n    build: .\n    image: ghcr.io/acme/web:1.4.2\n    ports:\n"
                   "      - \"8080:80\"\n")


def feature(root: Path) -> None:
    """A repository on `main` with a branch `feature` that adds a Dockerfile and a compose file."""
    git = Git(root)
    git.commit({"README.md": "# shop\n", "app.py": "print('hi')\n"}, "start")
    git("switch", "-q", "-c", "feature")
    git.commit({"Dockerfile": FEATURE_DOCKERFILE, "compose.yaml": FEATURE_COMPOSE}, "containerize")
    git("switch", "-q", "main")


def bad_config(root: Path) -> None:
    """A compose file and a config with two mistakes (docs/configuration.md)."""
    Git(root)
    (root / ".github").mkdir()
    (root / ".github" / "dockreview.yml").write_text("fail_on: warnings\nreview:\n  max_coments: 3\n", "utf-8")
    (root / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27.2\n", "utf-8")


FIXTURES: dict[str, Callable[[Path], None]] = {"examples": examples, "feature": feature, "bad-config": bad_config}
