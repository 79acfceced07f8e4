"""Workflow rules on the shared corpus (90 real workflows): exact findings, each judged by hand.

A new finding means a new true positive to add here or a false positive to fix.
"""

from pathlib import Path

import pytest
from dockreview.rules import Snapshot, review
from dockreview.rules.classify import FileType

WORKFLOW_CODES = {f"DR3{n:02d}" for n in range(1, 20)}

EXPECTED = {
    # Reusable workflows and actions used at `@main`/`@master`/`@HEAD` (some from the same organization,
    # one with a zizmor ignore): true by the rule's definition, a warning.
    ("DR307", "BretFisher__node-docker-good-defaults/.github/workflows/call-docker-build.yaml", 24, "warning"),
    ("DR307", "BretFisher__node-docker-good-defaults/.github/workflows/call-super-linter.yaml", 25, "warning"),
    ("DR307", "BretFisher__udemy-docker-mastery/.github/workflows/call-super-linter.yaml", 22, "warning"),
    ("DR307", "docker__compose/.github/workflows/docs-upstream.yml", 41, "warning"),
    ("DR307", "getsentry__self-hosted/.github/workflows/enforce-license-compliance.yml", 22, "warning"),
    ("DR307", "getsentry__self-hosted/.github/workflows/lock.yml", 11, "warning"),
    ("DR307", "localstack__localstack/.github/workflows/aws-tests.yml", 173, "warning"),
    ("DR307", "localstack__localstack/.github/workflows/create_artifact_with_features_files.yml", 11, "warning"),
    ("DR307", "nextcloud__docker/.github/workflows/images.yml", 27, "warning"),
    ("DR307", "nextcloud__docker/.github/workflows/update-sh.yml", 30, "warning"),
    # The setup-wizard image is tagged only `release` (other images also get timestamped tags).
    ("DR305", "discourse__discourse_docker/.github/workflows/build.yml", 286, "warning"),
    # Backup image and dev environment image pushed only as `latest`.
    ("DR305", "mailcow__mailcow-dockerized/.github/workflows/rebuild_backup_image.yml", 39, "warning"),
    ("DR305", "penpot__penpot/.github/workflows/build-docker-devenv.yml", 38, "warning"),
    # Test jobs run in `penpotapp/devenv:latest`, which the repository publishes itself: notes.
    ("DR309", "penpot__penpot/.github/workflows/tests-backend.yml", 37, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-common.yml", 35, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-composable-suite.yml", 43, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-frontend.yml", 39, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-integration.yml", 39, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-integration.yml", 64, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-library.yml", 37, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-mcp.yml", 32, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-plugin-api-suite.yml", 58, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-plugins.yml", 35, "note"),
    ("DR309", "penpot__penpot/.github/workflows/tests-wasm.yml", 35, "note"),
}


@pytest.fixture(scope="module")
def corpus(shared: Path) -> Snapshot:
    return Snapshot.from_directory(shared / "corpus")


def test_workflow_findings(corpus: Snapshot) -> None:
    report = review(corpus, paths=corpus.files_of(FileType.WORKFLOW))
    assert report.errors == []
    found = {(f.rule, f.path, f.line, str(f.severity)) for f in report.findings if f.rule in WORKFLOW_CODES}
    assert found == EXPECTED
    assert [f for f in report.findings if f.rule == "DR001"] == []


def test_run_steps_map_to_their_file_lines(corpus: Snapshot) -> None:
    """Every non-blank line of every run step and ssh script points at the file line holding it."""
    sources = 0
    for path in corpus.files_of(FileType.WORKFLOW):
        workflow = corpus.document(path)
        for source in workflow.shell_sources():
            sources += 1
            for number, text in enumerate(source.text.split("\n"), start=1):
                if text.strip():
                    assert text.strip().split()[0] in corpus.line(path, source.file_line(number)), (path, number)
    assert sources > 250
