"""The README's first command, run as written in a fresh copy of the repository.

It must work where Debian's pip policy refuses a global install: so it creates and uses a
virtual environment. Packages come from this machine's configured pip index, as for a user.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.cli_support import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", quick, re.DOTALL)]


def test_quick_start_has_the_two_commands() -> None:
    first, second = readme_commands()
    assert first.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert "pip install" in first and first.endswith("dockreview check examples/shop")
    assert second == "bash .ci/run"


def test_first_command_installs_into_a_venv_and_reviews_the_example(tmp_path: Path) -> None:
    copy = tmp_path / "dockreview"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md", "rules", "bot", "examples"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, copy / name)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    # A PATH without this test run's virtual environment: `python3` is the machine's.
    venv_bin = str(Path(os.environ["VIRTUAL_ENV"]) / "bin") if "VIRTUAL_ENV" in os.environ else None
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    first = readme_commands()[0]
    done = subprocess.run(["bash", "-c", first], cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # 1: the example has errors
    assert (copy / ".venv" / "bin" / "dockreview").exists()
    assert "examples/shop/compose.yaml:5:3: DR102 [compose-url-credentials] error:" in done.stdout
    assert "internal error" not in done.stderr
