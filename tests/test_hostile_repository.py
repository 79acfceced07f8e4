"""Hostile repositories through the engine: odd paths, symlinks, bad encodings, huge and many files,
YAML bombs. Every one is reviewed or skipped with a note, nothing is executed or followed, no crash."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from dockreview.rules.engine import review
from dockreview.rules.snapshot import Snapshot

FROM_LATEST = "FROM node:latest\nRUN echo hi\n"
COMPOSE = "services:\n  web:\n    image: example/web:latest\n"

ODD_NAMES = [
    "with space/Dockerfile",
    "données/Dockerfile",
    "日本/サービス/Dockerfile",
    "x/../y/Dockerfile",
    "../outside/Dockerfile",
    "svc $(touch PWNED)/Dockerfile",
    "svc `touch PWNED`/Dockerfile",
    "a;touch PWNED;b/Dockerfile",
    "a|b&c>d/Dockerfile",
    "it's \"quoted\"/Dockerfile",
    "$(rm -rf ~)/compose.yaml",
    "x`id`;y/docker-compose.yml",
    "emoji 🐳/compose.yaml",
    "-rf/Dockerfile",
    "%s%n%x/Dockerfile",
]


def _content(path: str) -> str:
    return COMPOSE if path.endswith((".yaml", ".yml")) else FROM_LATEST


def _rule_for(path: str) -> str:
    return "DR103" if path.endswith((".yaml", ".yml")) else "DR201"


def test_odd_paths_in_a_mapping_are_reviewed_with_exact_paths(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    report = review(Snapshot.from_mapping({p: _content(p) for p in ODD_NAMES}))
    assert sorted(report.files_checked) == sorted(ODD_NAMES)
    for path in ODD_NAMES:
        assert any(f.path == path and f.rule == _rule_for(path) for f in report.findings), path
    assert report.errors == []
    assert list(tmp_path.iterdir()) == []  # nothing ran: no PWNED file, nothing removed


def test_odd_paths_on_disk_are_reviewed_with_exact_paths(tmp_path, monkeypatch) -> None:
    root = tmp_path / "repo"
    names = [n for n in ODD_NAMES if ".." not in n.split("/")]
    for name in names:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_content(name), "utf-8")
    monkeypatch.chdir(tmp_path)
    report = review(Snapshot.from_directory(root))
    assert sorted(report.files_checked) == sorted(names)
    for name in names:
        assert any(f.path == name and f.rule == _rule_for(name) for f in report.findings), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_build_contexts_pointing_outside_the_root_stay_inside(tmp_path) -> None:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (tmp_path / "Dockerfile.evil").write_text("FROM evil:latest\n")
    compose = (
        "services:\n"
        "  a:\n    build:\n      context: ../../../../../../etc\n      dockerfile: passwd\n    image: a:1\n"
        "  b:\n    build:\n      context: ..\n      dockerfile: Dockerfile.evil\n    image: b:1\n"
        "  c:\n    build:\n      context: $(rm -rf ~)\n      dockerfile: '`id`'\n    image: c:1\n"
    )
    (root / "app" / "compose.yaml").write_text(compose)
    report = review(Snapshot.from_directory(root))
    assert report.files_checked == ["app/compose.yaml"]
    text = repr(report)
    assert "root:" not in text and "evil:latest" not in text
    assert all(f.path == "app/compose.yaml" for f in report.findings)


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlinks_are_never_followed(tmp_path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    (root / "real").mkdir()
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM outside:latest\n")
    (outside / "compose.yaml").write_text("services:\n  x:\n    image: outside:latest\n")
    (root / "Dockerfile").symlink_to("/etc/passwd")
    (root / "sub" / "Dockerfile").symlink_to(outside / "Dockerfile")
    (root / "compose.yaml").symlink_to("../outside/compose.yaml")
    (root / "linked").symlink_to(outside, target_is_directory=True)  # a directory link: not walked
    (root / "real" / "Dockerfile").write_text(FROM_LATEST)
    report = review(Snapshot.from_directory(root))
    assert report.files_checked == ["real/Dockerfile"]
    assert {f.path for f in report.findings} == {"real/Dockerfile"}
    notes = {n.path: n.message for n in report.errors}
    assert set(notes) == {"Dockerfile", "sub/Dockerfile", "compose.yaml"}
    assert all("symlink" in m for m in notes.values())
    assert "outside:latest" not in repr(report) and "root:" not in repr(report)


def test_invalid_utf8_and_crlf_are_reviewed_with_true_lines() -> None:
    files = {
        "Dockerfile": b"# \xff\xfe\xc3\x28 broken\r\nFROM node:latest\r\nENV GREETING=\xe9t\xe9\r\n",
        "bom/Dockerfile": b"\xef\xbb\xbfFROM node:latest\r\n",
        "cr/compose.yaml": b"services:\r\n  web:\r\n    image: example/web:latest\r\n    command: \xff\r\n",
        "bin/Dockerfile": b"FROM node:latest\n\x00\x01\x02",
    }
    report = review(Snapshot.from_mapping(files))
    lines = {(f.path, f.rule): f.line for f in report.findings}
    assert lines[("Dockerfile", "DR201")] == 2
    assert lines[("bom/Dockerfile", "DR201")] == 1
    assert lines[("cr/compose.yaml", "DR103")] == 3
    assert [n.path for n in report.errors] == ["bin/Dockerfile"] and "binary" in report.errors[0].message
    assert all("\r" not in f.line_text for f in report.findings)


def test_two_thousand_docker_files_in_one_snapshot_finish() -> None:
    files: dict[str, str] = {}
    for i in range(1000):
        files[f"svc{i}/Dockerfile"] = f"FROM node:{'latest' if i % 3 else '20'}\nCOPY . /app\n"
        files[f"svc{i}/compose.yaml"] = (
            f"services:\n  s{i}:\n    build: .\n    image: acme/s{i}:latest\n    ports: ['{i % 60000}:5432']\n"
        )
    started = time.perf_counter()
    report = review(Snapshot.from_mapping(files))
    elapsed = time.perf_counter() - started
    print(f"2,000 files reviewed in {elapsed:.2f} s, {len(report.findings)} findings")
    assert len(report.files_checked) == 2000 and report.errors == []
    assert len(report.findings) >= 1000


def test_a_100000_line_dockerfile_has_a_clear_outcome() -> None:
    text = "FROM node:latest\n" + "RUN echo step\n" * 99_999
    started = time.perf_counter()
    report = review(Snapshot.from_mapping({"Dockerfile": text}))
    print(f"100,000-line Dockerfile ({len(text)} bytes) reviewed in {time.perf_counter() - started:.2f} s")
    assert report.files_checked == ["Dockerfile"]
    assert any(f.rule == "DR201" and f.line == 1 for f in report.findings), report.findings
    longer = review(Snapshot.from_mapping({"Dockerfile": text + "RUN echo one-more\n"}))
    assert longer.findings == []
    assert [(n.path, n.message) for n in longer.errors] == [("Dockerfile", "more than 100000 lines; not reviewed")]


def test_a_100000_line_dockerfile_over_the_size_cap_is_skipped_with_a_note() -> None:
    text = "FROM node:latest\n" + "RUN echo a-much-longer-build-step-line-here\n" * 99_999
    assert len(text) > 2 * 1024 * 1024
    report = review(Snapshot.from_mapping({"Dockerfile": text}))
    assert report.findings == [] and report.files_checked == []
    assert [n.path for n in report.errors] == ["Dockerfile"] and "not reviewed" in report.errors[0].message


def _alias_bomb(levels: int = 12) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]")
    return "\n".join(lines)


@pytest.mark.parametrize("where", ["compose", "workflow"])
def test_yaml_alias_bomb_has_a_clear_outcome_in_bounded_time(where: str) -> None:
    bomb = _alias_bomb()
    if where == "compose":
        path = "compose.yaml"
        text = "x-bomb:\n" + "\n".join("  " + line for line in bomb.splitlines()) + (
            "\nservices:\n  web:\n    image: example/web:latest\n    environment: *a11\n    command: *a11\n"
        )
    else:
        path = ".github/workflows/ci.yml"
        text = ("on: push\nenv:\n" + "\n".join("  " + line for line in bomb.splitlines())
                + "\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env: *a11\n"
                + "    steps:\n      - run: docker login -u u -p hunter2hunter2 ghcr.io\n      - with: *a11\n")
    started = time.perf_counter()
    report = review(Snapshot.from_mapping({path: text}))
    elapsed = time.perf_counter() - started
    print(f"{where} alias bomb: {elapsed:.2f} s, {len(report.findings)} findings, {len(report.errors)} notes")
    assert elapsed < 20
    assert report.findings or report.errors  # reviewed (a finding) or refused (a parse-error finding or note)
    assert len(report.findings) < 1000


@pytest.mark.parametrize("depth", [200, 5_000, 50_000])
def test_deeply_nested_json_in_yaml_is_a_parse_error_or_reviewed(depth: int) -> None:
    nested = "[" * depth + "1" + "]" * depth
    nested_map = '{"a": ' * depth + "1" + "}" * depth
    files = {
        "compose.yaml": f"services:\n  web:\n    image: example/web:latest\n    command: {nested}\n",
        "b/compose.yaml": f"services: {{\"web\": {{\"image\": \"example/web:1\", \"x\": {nested_map}}}}}\n",
        ".github/workflows/ci.yml": f"on: push\njobs: {nested_map}\n",
    }
    report = review(Snapshot.from_mapping(files))
    for path in files:
        reviewed = any(f.path == path for f in report.findings) or path in report.files_checked
        noted = any(n.path == path for n in report.errors)
        assert reviewed or noted, path
    assert not any("internal error" in n.message for n in report.errors), report.errors


# --- through the App: a symlinked Dockerfile and a 3 MB compose file in a pull request ----------
def test_pull_request_with_a_symlink_and_a_huge_file_completes_and_says_what_was_skipped(monkeypatch) -> None:
    from tests.apprunner import AppServer, settings_for, wait_for
    from tests.fakegithub import FakeGitHub
    from tests.fakegithub.state import ObjectStore

    real_walk = ObjectStore.walk_tree

    def walk_with_symlinks(self, tree_sha, recursive, prefix=""):  # the fake has no symlinks: add one
        entries = real_walk(self, tree_sha, recursive, prefix)
        for entry in entries:
            if entry["path"].endswith("linked/Dockerfile"):
                entry["mode"] = "120000"
        return entries

    monkeypatch.setattr(ObjectStore, "walk_tree", walk_with_symlinks)
    monkeypatch.setenv("DOCKREVIEW_RETRY_BASE", "0.05")
    huge = "services:\n  web:\n    image: example/web:latest\n" + "# padding padding padding\n" * 130_000
    assert len(huge) > 3 * 1024 * 1024
    gh = FakeGitHub()
    gh.start()
    try:
        app = gh.create_app(slug="dockreview", webhook_secret="whsec-test")
        gh.create_repo("octo/shop", files={"README.md": "# shop\n"})
        gh.install(app, "octo", ["shop"])
        gh.add_user("alice", permission_on={"octo/shop": "write"})
        sha = gh.push("octo/shop", "feature", files={"linked/Dockerfile": "/etc/passwd",
                                                      "big/compose.yaml": huge,
                                                      "ok/Dockerfile": FROM_LATEST})
        number = gh.open_pull_request("octo/shop", head="feature", base="main", user="alice")
        with AppServer(settings_for(gh, app)) as server:
            status, _ = gh.deliver("pull_request", gh.event_payload("pull_request", "opened", repo="octo/shop",
                                                                    number=number), url=server.url, app=app)
            assert status == 202

            def done():
                runs = [r for r in gh.check_runs("octo/shop", sha=sha, name="dockreview")
                        if r["status"] == "completed"]
                return runs or None

            [run] = wait_for(done, timeout=60)
    finally:
        gh.stop()
    summary = run["output"]["summary"]
    print(summary)
    assert run["conclusion"] == "failure"  # changed files that could not be reviewed: never a pass
    assert "### Not reviewed completely" in summary
    assert "linked/Dockerfile" in summary and "big/compose.yaml" in summary
    assert summary.count("`big/compose.yaml`: larger than") == 1  # each note once
    assert summary.count("`linked/Dockerfile`: could not be read (symlink") == 1
    assert "root:" not in str(run)
    assert any(a["path"] == "ok/Dockerfile" for a in run.get("annotations", []))
    assert not any(a["path"] in ("linked/Dockerfile", "big/compose.yaml") for a in run.get("annotations", []))


def test_no_stray_files_were_created() -> None:
    assert not Path("PWNED").exists()
