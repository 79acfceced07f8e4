"""Patterns that see file content run in linear time: a 1 MB hostile value goes through the whole
review (parse, model, every rule, the container changes) in a child process that must finish well
within a generous bound of 240 s, even on a loaded machine (a quadratic pattern takes hours on
it). Speed itself is measured in
bench/regex_cost.py, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from textwrap import dedent

import pytest

MB = 1024 * 1024
SCRIPT = dedent(
    """\
    import json, sys
    from dockreview.rules import Config, review
    from dockreview.rules.changes import safe
    from dockreview.rules.snapshot import Snapshot
    files = json.loads(sys.stdin.read())
    config = Config()
    config.max_file_size = 8 * 1024 * 1024
    report = review(Snapshot.from_mapping(files), config)
    base = review(Snapshot.from_mapping({}), config)
    print(json.dumps({"findings": sorted({(f.path, f.rule) for f in report.findings}),
                      "errors": [n.message for n in report.errors],
                      "masked": safe(files.get("probe", ""))[-40:]}))
    """
)


def _review_in_child(files: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT], input=json.dumps(files), capture_output=True,
                          text=True, timeout=240, check=True)
    return json.loads(done.stdout)


def _run(unit: str, size: int = MB) -> str:
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize("unit", ["pd", "Za"])
def test_a_hostile_url_value_of_1_mb_is_reviewed_in_linear_time(unit: str) -> None:
    value = _run(unit) + " postgres://app:s3cretpw@db/shop"  # the run is followed by no `://`
    files = {
        "Dockerfile": f'FROM node:20\nENV DATABASE_URL="{value}"\n',
        "compose.yaml": f"services:\n  web:\n    image: example/web:1.4\n    environment:\n      DB: '{value}'\n",
        "probe": f"{_run(unit)} DB_PASSWORD=s3cretpw",
    }
    result = _review_in_child(files)
    assert any(p == "Dockerfile" for p, _ in result["findings"]), result
    assert "s3cretpw" not in result["masked"]


def test_a_hostile_github_env_line_of_1_mb_in_a_build_job_is_modelled_in_linear_time() -> None:
    # `a=a=a=... >> $GITHUB_ENV` before a build: every `a=` could start a write; each line is matched once.
    line = _run("a=") + " >> $GITHUB_ENV"
    workflow = ("on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
                f"      - run: {line}\n"
                "      - uses: docker/build-push-action@v6\n        with:\n          push: true\n"
                "          tags: ghcr.io/acme/app:${{ env.a }}\n")
    script = dedent(
        """\
        import json, sys
        from dockreview.rules.model.deployment import deployment
        from dockreview.rules.snapshot import Snapshot
        snapshot = Snapshot.from_mapping(json.loads(sys.stdin.read()))
        snapshot.max_bytes = 8 * 1024 * 1024
        print(json.dumps([s.role for s in deployment(snapshot).scripted_steps]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps({".github/workflows/wf.yml": workflow}),
                          capture_output=True, text=True, timeout=240, check=True)
    assert json.loads(done.stdout) == ["computes tags"]


@pytest.mark.parametrize("unit", ["ghp_", "SG.aaaaaaaaaaaaaaaa.", "AKIA"])
def test_a_hostile_value_of_1_mb_of_key_prefixes_is_reviewed_in_linear_time(unit: str) -> None:
    """Runs of the prefixes of the well-known key formats, then a real-looking key: found, masked."""
    key = "ghp_" + "Z9" * 18
    value = _run(unit) + " " + key
    files = {
        "Dockerfile": f'FROM node:20\nENV BUILD_NOTE="{value}"\n',
        "compose.yaml": f"services:\n  web:\n    image: example/web:1.4\n    environment:\n      NOTE: '{value}'\n",
        "probe": value,
    }
    result = _review_in_child(files)
    assert ["Dockerfile", "DR206"] in result["findings"] and ["compose.yaml", "DR101"] in result["findings"], result
    assert key not in result["masked"]


@pytest.mark.parametrize("unit", ["--inspect=0.0.0.0:", "dlv --listen ", "jdwp=server=y,address=*:", "debugpy"])
def test_a_hostile_debugger_command_of_1_mb_is_reviewed_in_linear_time(unit: str) -> None:
    """Runs of debugger options in a command and in NODE_OPTIONS / JAVA_TOOL_OPTIONS, then a real one."""
    value = _run(unit) + " node --inspect=0.0.0.0:9229 app.js"
    compose = ("services:\n  api:\n    build: .\n"
               f"    command: '{value}'\n"
               f"    environment:\n      NODE_OPTIONS: '{_run(unit)}'\n      JAVA_TOOL_OPTIONS: '{_run(unit)}'\n"
               "    ports: ['9229:9229']\n")
    result = _review_in_child({"compose.yaml": compose, "Dockerfile": "FROM node:20\n"})
    assert ["compose.yaml", "DR117"] in result["findings"], result
