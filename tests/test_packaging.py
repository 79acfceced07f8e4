"""Packaging: the installed import names are `dockreview.rules` and `dockreview.bot`, whatever else is installed.

The repository keeps `rules/` and `bot/` at the top; `pyproject.toml` maps them under the `dockreview`
namespace. These tests keep the package list complete and install a real wheel next to PyPI's
`rules` (django-rules, a top-level `rules` package) in a fresh virtual environment.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

from tests.cli_support import ROOT


def _declared() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return list(data["tool"]["setuptools"]["packages"])


def test_every_package_directory_is_declared():
    found = sorted(
        "dockreview." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("rules", "bot")
        for init in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    )
    assert sorted(_declared()) == found


def test_wheel_installs_beside_pypi_rules_and_both_work(tmp_path: Path):
    # Built from a copy: setuptools writes `build/` next to the sources.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "rules", "bot"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                            if (ROOT / name).is_dir() else {}))
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--disable-pip-version-check", "-w", str(wheels),
         str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    wheel = next(wheels.glob("dockreview-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel), "rules"],
        capture_output=True, text=True, timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    # Outside the checkout, so nothing from it is importable by accident.
    probe = (
        "import rules, dockreview.rules, dockreview.bot.cli, sys\n"
        "from rules import predicate\n"
        "assert 'site-packages' in rules.__file__, rules.__file__\n"
        "assert 'site-packages' in dockreview.rules.__file__, dockreview.rules.__file__\n"
        "print(predicate(lambda: True)())\n"
    )
    out = subprocess.run([str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
    cli = env_dir / "bin" / "dockreview"
    config = tmp_path / "dockreview.yml"
    config.write_text("fail_on: error\n")  # validated against the JSON Schema shipped as package data
    check = subprocess.run([str(cli), "check", "--config", str(config), str(ROOT / "examples" / "shop")],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert check.returncode == 1, check.stderr
    assert "DR102" in check.stdout
    # The catalog is found in the installed wheel too.
    listed = subprocess.run([str(cli), "rules"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "DR101" in listed.stdout
