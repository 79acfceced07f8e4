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
