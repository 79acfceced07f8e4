"""Shell rules on the shared corpus (real scripts, Makefiles and workflow `run:` steps): exact findings.

Every finding below was judged by hand; a new one means a new true positive to add here or a false
positive to fix.
"""

from pathlib import Path

import pytest
from dockreview.rules import Config, Snapshot, catalog, review
from dockreview.rules.classify import FileType
from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.rule import Context, Kind

SHELL_CODES = {"DR401", "DR402", "DR403", "DR404"}

EXPECTED_SCRIPT_FINDINGS = {
    # tests/ of a template: removes the generated project's dev volume (warning: test script).
    ("DR403", "cookiecutter__cookiecutter-django/tests/test_docker.sh", 13, "warning"),
    # Not reported: getsentry's `reset()` (`down --volumes` after `confirm "... Are you sure"`) and
    # mailcow's removal of the unused Solr volume (after `read -r -p "Remove ...? [y/N]"`): both are
    # behind a confirmation prompt.
}


@pytest.fixture(scope="module")
def corpus(shared: Path) -> Snapshot:
    return Snapshot.from_directory(shared / "corpus")


def test_scripts_and_makefiles(corpus: Snapshot) -> None:
    paths = corpus.files_of(FileType.SCRIPT) + corpus.files_of(FileType.MAKEFILE)
    report = review(corpus, paths=paths)
    assert report.errors == []
    found = {(f.rule, f.path, f.line, str(f.severity)) for f in report.findings if f.rule in SHELL_CODES}
    assert found == EXPECTED_SCRIPT_FINDINGS
    commands = sum(len(s.commands()) for p in paths for s in corpus.document(p).shell_sources())
    assert commands > 3000


def _run_steps(corpus: Snapshot) -> list[ShellSource]:
    sources = []
    for path in corpus.files_of(FileType.WORKFLOW):
        root = yamlsrc.load(corpus.text(path) or "")
        jobs = root.get("jobs") if hasattr(root, "get") else None
        for job in (jobs or {}).values():
            for step in job.get("steps") or [] if hasattr(job, "get") else []:
                if hasattr(step, "get") and isinstance(step.get("run"), str):
                    line = yamlsrc.value_line(step, "run")
                    block = corpus.line(path, line).rstrip().endswith(("|", ">", "|-", ">-", "|+", ">+"))
                    sources.append(ShellSource(path, step["run"], line + 1 if block else line, "workflow run step"))
    return sources


def test_workflow_run_steps(corpus: Snapshot) -> None:
    """Until the workflow parser provides them, the run steps are read here; no finding is expected:
    the only `docker compose down -v` steps run on per-run runners (`runs-on=${{ github.run_id }}/...`)."""
    sources = _run_steps(corpus)
    assert len(sources) > 200
    rules = [rule() for rule in catalog.rules_for(Kind.SHELL)]
    hits = []
    for source in sources:
        ctx = Context(source.path, corpus, Config())
        hits += [(rule.code, source.path, hit.line) for rule in rules for hit in rule.check(source, ctx)]
    assert hits == []
    assert sum(len(s.commands()) for s in sources) > 800
