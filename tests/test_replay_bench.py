"""The replay benchmark's data and tools (bench/replay): the PR set and judgments are well formed and
agree, findings and rows match their judgments by key, the scorer counts, and the runner reviews a
real bare mirror exactly like `dockreview diff` (and records missing mirrors instead of failing)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.cli_support import Git

REPLAY = Path(__file__).resolve().parents[1] / "bench" / "replay"


def load(name: str) -> ModuleType:
    """A bench/replay script as a module (`replay` under its own name: the others import it so)."""
    if str(REPLAY) not in sys.path:
        sys.path.insert(0, str(REPLAY))
    module_name = name if name == "replay" else f"replay_bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, REPLAY / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


replay = load("replay")
score = load("score")
run = load("run")


# --- the committed data -----------------------------------------------------------------------
def test_pr_set_is_big_and_varied_enough():
    prs = replay.load_prs()
    assert len(prs) >= 60
    assert len({pr.repo for pr in prs}) >= 12
    assert all(pr.description and pr.description != "TODO" for pr in prs)


def test_every_pr_has_a_judgment_entry_and_no_judgment_is_stray():
    prs = {pr.id for pr in replay.load_prs()}
    judgments = score.load_judgments(replay.JUDGMENTS_FILE)
    assert set(judgments) == prs
    for entry in judgments.values():
        assert isinstance(entry.get("misses"), list)
        for miss in entry["misses"]:
            assert miss["path"] and miss["what"] and miss["class"]


def test_pr_set_rejects_short_shas_and_duplicate_ids(tmp_path):
    good = {"id": "x-1", "repo": "a/b", "pr": 1, "base": "a" * 40, "head": "b" * 40, "title": "t",
            "description": "d"}
    path = tmp_path / "prs.yaml"
    path.write_text(json.dumps({"prs": [good, {**good, "id": "x-2", "head": "abc123"}]}))
    with pytest.raises(ValueError, match="not a full commit sha"):
        replay.load_prs(path)
    path.write_text(json.dumps({"prs": [good, good]}))
    with pytest.raises(ValueError, match="appears twice"):
        replay.load_prs(path)


def test_bad_verdicts_are_refused(tmp_path):
    path = tmp_path / "judgments.yaml"
    path.write_text(json.dumps({"prs": {"x-1": {"findings": [{"rule": "DR103", "path": "a", "verdict": "ok"}]}}}))
    with pytest.raises(ValueError, match="not one of"):
        score.load_judgments(path)
    path.write_text(json.dumps({"prs": {"x-1": {"rows": [{"path": "a", "field": "image", "verdict": False}]}}}))
    with pytest.raises(ValueError, match="needs a reason"):
        score.load_judgments(path)


# --- matching -----------------------------------------------------------------------------------
def finding(line: int, text: str, evidence: str = "", category: str = "mutable-tag") -> dict:
    return {"rule": "DR103", "path": "compose.yaml", "line": line, "line_text": text, "evidence": evidence,
            "category": category, "message": "m", "review": "inline", "changed_line": True}


def test_findings_match_by_line_text_not_line_number_and_one_to_one():
    judgments = [{"rule": "DR103", "path": "compose.yaml", "text": "image:   app:latest", "line": 3,
                  "verdict": "right"}]
    matched = score.match_findings([finding(40, "image: app:latest"), finding(41, "image: app:latest")], judgments)
    assert matched[0][1] is judgments[0]
    assert matched[1][1] is None  # one judgment covers one finding
    assert score.match_findings([finding(3, "image: app:edge")], judgments)[0][1] is None


def test_same_text_is_told_apart_by_evidence():
    judgments = [{"rule": "DR103", "path": "compose.yaml", "text": "image: app:latest", "evidence": e,
                  "verdict": v} for e, v in (("web", "right"), ("worker", "noise"))]
    matched = score.match_findings([finding(9, "image: app:latest", "worker")], judgments)
    assert matched[0][1]["verdict"] == "noise"


def test_secret_findings_are_keyed_by_evidence_never_by_their_line():
    secret = finding(5, "PASSWORD: hunter2", "app PASSWORD", category="hardcoded-secret")
    assert replay.finding_key(secret) == ("DR103", "compose.yaml", "evidence: app PASSWORD")


# --- scorer and runner end to end ---------------------------------------------------------------
BASE = "services:\n  app:\n    image: ghcr.io/acme/app:1.4.2\n"
HEAD = "services:\n  app:\n    image: ghcr.io/acme/app:latest\n    ports:\n      - 8080:80\n"


@pytest.fixture
def mirror(tmp_path: Path) -> tuple[Path, str, str]:
    git = Git(tmp_path / "work")
    base = git.commit({"compose.yaml": BASE}, "base")
    head = git.commit({"compose.yaml": HEAD}, "head")
    mirrors = tmp_path / "mirrors"
    subprocess.run(["git", "clone", "-q", "--bare", str(git.root), str(mirrors / "acme+app.git")], check=True)
    return mirrors, base, head


def write_prs(path: Path, base: str, head: str, repos: tuple[str, ...] = ("acme/app",)) -> Path:
    items = [{"id": f"pr-{i}", "repo": repo, "pr": i, "base": base, "head": head, "title": "t", "description": "d"}
             for i, repo in enumerate(repos)]
    path.write_text(json.dumps({"prs": items}))
    return path


def test_runner_reviews_a_bare_mirror_and_the_scorer_counts(tmp_path, mirror, capsys):
    mirrors, base, head = mirror
    prs = write_prs(tmp_path / "prs.yaml", base, head, ("acme/app", "acme/gone"))
    out = tmp_path / "run.json"
    assert run.main(["--prs", str(prs), "--mirrors", str(mirrors), "-o", str(out), "--cli"]) == 0
    assert "missing mirror: acme/gone" in capsys.readouterr().err
    result = json.loads(out.read_text())
    entry, gone = result["prs"]
    assert gone["skipped"] == "mirror missing"
    assert any(f["rule"] in ("DR103", "DR152") and f["review"] == "inline" for f in entry["findings"])
    assert {(r["object"], r["field"]) for r in entry["rows"]} >= {("app", "image"), ("app", "ports")}
    assert entry["cli"]["same_findings"] is True  # the real CLI says the same as the in-process review

    first = entry["findings"][0]
    judgments = {"prs": {"pr-0": {
        "findings": [{"rule": first["rule"], "path": first["path"], "text": replay.finding_text(first),
                      "verdict": "right"}],
        "rows": [{"path": "compose.yaml", "object": "app", "field": "image", "before": "ghcr.io/acme/app:1.4.2",
                  "after": "ghcr.io/acme/app:latest", "verdict": False, "reason": "test"}],
        "misses": [{"path": "compose.yaml", "line": 5, "class": "c", "what": "w"}]}}}
    judged = tmp_path / "judgments.yaml"
    judged.write_text(json.dumps(judgments))
    assert score.main([str(out), "--judgments", str(judged)]) == 0
    text = capsys.readouterr().out
    assert "right and worth saying: 1 of 1 judged (100.0%)" in text
    assert "misses (what a careful reviewer would have flagged): 1 in 1 PRs" in text
    assert "true 0, false 1" in text
    assert "UNJUDGED" in text and "app ports" in text  # the ports row has no judgment yet
    assert score.main([str(out), "--judgments", str(judged), "--skeleton"]) == 0
    assert "field: ports" in capsys.readouterr().out


def test_runner_without_any_mirror_says_how_to_get_them(tmp_path, capsys):
    prs = write_prs(tmp_path / "prs.yaml", "a" * 40, "b" * 40)
    assert run.main(["--prs", str(prs), "--mirrors", str(tmp_path / "none")]) == 0
    err = capsys.readouterr().err
    assert "git clone --bare https://github.com/acme/app" in err and "nothing to replay" in err


def test_scorer_without_a_run_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(score, "latest_result", lambda: None)
    assert score.main(["--judgments", str(tmp_path / "none.yaml")]) == 2


def test_engine_error_on_one_pr_is_recorded_not_raised(tmp_path, mirror, monkeypatch):
    mirrors, base, head = mirror

    def broken(*args: object) -> dict:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(run, "review_in_process", broken)
    out = tmp_path / "run.json"
    assert run.main(["--prs", str(write_prs(tmp_path / "prs.yaml", base, head)), "--mirrors", str(mirrors),
                     "-o", str(out)]) == 0
    assert json.loads(out.read_text())["prs"][0]["error"] == "RuntimeError: engine bug"


def test_modules_stay_importable_as_scripts():
    for name in ("run", "score", "show"):
        proc = subprocess.run([sys.executable, str(REPLAY / f"{name}.py"), "--help"], capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, proc.stderr
