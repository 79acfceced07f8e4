"""The composite Action's review step, run for real with bash: the `args` and `working-directory`
inputs reach `dockreview diff` as documented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from tests.cli_support import ROOT, Git

ACTION = YAML(typ="safe").load((ROOT / "action.yml").read_text("utf-8"))


def run_review_step(workspace: Path, inputs: dict[str, str], output: Path | None = None,
                    ) -> subprocess.CompletedProcess[str]:
    """The `Review the change` step with the inputs' values in its `${{ }}` expressions."""
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | inputs
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("name") == "Review the change"]

    def evaluate(expression: str) -> str:
        def one(match: re.Match[str]) -> str:
            names = re.findall(r"inputs\.([\w-]+)", match.group(1))
            return next((values[n] for n in names if values[n]), "")
        return re.sub(r"\$\{\{(.*?)\}\}", one, expression)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("NO_COLOR", "FORCE_COLOR"))}
    env |= {name: evaluate(str(value)) for name, value in step["env"].items()}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.pop("GITHUB_OUTPUT", None)
    if output is not None:
        env["GITHUB_OUTPUT"] = str(output)
    cwd = workspace / evaluate(step["working-directory"])
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=180)


def test_args_and_working_directory_reach_dockreview_diff(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    git = Git(workspace / "app")
    base = git.commit({"README.md": "# app\n"})
    git.commit({"compose.yaml": "services:\n  app:\n    image: acme/app:1.0\n    environment:\n"
                                "      DB_PASSWORD: hunter2\n",
                "Dockerfile": "FROM python:latest\n", "vendor/compose.yaml": "services:\n  x:\n    image: x\n"
                "    environment:\n      API_TOKEN: tok-1234567890abcdef\n"})
    outputs = tmp_path / "github-output"
    done = run_review_step(workspace, {"base": base, "working-directory": "app",
                                       "args": "--select DR1 --exclude vendor/**"}, outputs)
    assert done.returncode == 1, done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 1, done.stdout  # DR201 not selected, vendor/ excluded
    assert annotations[0].startswith("::error file=compose.yaml,line=5,")
    assert "hunter2" not in done.stdout
    # the SARIF upload resolves the repository-relative paths from the repository's top
    assert outputs.read_text().splitlines() == [f"repository-top={git.root.resolve()}"]

    everything = run_review_step(workspace, {"base": base, "working-directory": "app", "fail-on": "never"})
    assert everything.returncode == 0
    assert {line.split(",")[0] for line in everything.stdout.splitlines() if line.startswith("::")} == {
        "::error file=compose.yaml", "::warning file=Dockerfile", "::error file=vendor/compose.yaml",
        "::warning file=vendor/compose.yaml"}


def test_the_inputs_are_documented() -> None:
    text = (ROOT / "docs" / "github-action.md").read_text("utf-8")
    for name in ACTION["inputs"]:
        assert f"`{name}`" in text, name


def test_args_are_split_as_shell_words_without_running_anything(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    git = Git(workspace)
    base = git.commit({"README.md": "# app\n"})
    secret = "    environment:\n      API_TOKEN: tok-1234567890abcdef\n"
    git.commit({"my examples/compose.yaml": "services:\n  x:\n    image: x:1\n" + secret,
                "compose.yaml": "services:\n  y:\n    image: y:1\n" + secret})
    marker = tmp_path / "pwned"
    done = run_review_step(workspace, {"base": base, "fail-on": "never",
                                       "args": f"--exclude 'my examples/**' --exclude \"$(touch {marker})\""})
    assert done.returncode == 0, done.stderr
    files = {line.split(",")[0] for line in done.stdout.splitlines() if line.startswith("::")}
    assert files == {"::error file=compose.yaml"}, done.stdout  # the quoted glob with a space held
    assert not marker.exists()  # `$(...)` is a word, not a command

    unclosed = run_review_step(workspace, {"base": base, "args": "--exclude 'vendor/**"})
    assert unclosed.returncode == 2
    assert "::error title=dockreview::the args input has an unclosed quote" in unclosed.stdout
