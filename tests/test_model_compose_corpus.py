"""Every compose file of the shared corpus (real files from public repositories) lands in a project, without a crash."""

from __future__ import annotations

from pathlib import Path

from dockreview.rules import Snapshot
from dockreview.rules.classify import FileType
from dockreview.rules.model.deployment import deployment


def test_every_corpus_compose_file_is_in_a_project(shared: Path, capsys) -> None:
    snapshot = Snapshot.from_directory(shared / "corpus")
    found = deployment(snapshot).projects
    compose_files = snapshot.files_of(FileType.COMPOSE)
    covered = set().union(*(p.all_files for p in found))
    assert [p for p in compose_files if p not in covered] == []
    assert len({p.id for p in found}) == len(found)
    # real projects mostly resolve cleanly, and their services keep an origin in one of the project's files
    assert sum(len(p.services) for p in found) > 400
    assert all(s.origin.path in p.all_files for p in found for s in p.services.values())
    assert deployment(snapshot).projects is found
    assert capsys.readouterr().out == ""


def test_each_corpus_repository_alone(shared: Path) -> None:
    """Each repository as its own snapshot (its root is the repository's): the commands of its scripts,
    Makefiles and workflows find the projects they run."""
    compose_commands = resolved = 0
    for repository in sorted(p for p in (shared / "corpus").iterdir() if p.is_dir()):
        snapshot = Snapshot.from_directory(repository)
        model = deployment(snapshot)
        found = model.projects
        covered = set().union(*(p.all_files for p in found))
        assert [p for p in snapshot.files_of(FileType.COMPOSE) if p not in covered] == [], repository.name
        assert len({p.id for p in found}) == len(found), repository.name
        used = {o for p in found for o in p.used_by}
        commands = [i for i in model.invocations if i.command.path[:1] == ("compose",)]
        compose_commands += len(commands)
        resolved += sum(1 for i in commands if i.origin in used)
    # most commands name files the repository has (the rest use shell variables or generated projects)
    assert compose_commands > 50 and resolved >= 0.75 * compose_commands, (resolved, compose_commands)
