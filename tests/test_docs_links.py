"""`Docs:` links are absolute: the package's Documentation URL (`[project.urls]` in pyproject.toml)
+ `rules/<slug>.md`, overridden by DOCKREVIEW_DOCS_URL; the link names a page that exists here."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from dockreview.bot.review.comment import docs_line
from dockreview.rules import Snapshot, catalog, review

from tests.cli_support import ROOT, SECRET_COMPOSE, write
from tests.test_cli_conventions import dockreview

DOCUMENTATION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["urls"]["Documentation"]


def test_the_documentation_url_maps_onto_the_docs_directory_of_this_repository() -> None:
    source = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["urls"]["Source"]
    assert DOCUMENTATION.startswith(source + "/blob/") and DOCUMENTATION.endswith("/docs")
    for rule in catalog.all_rules():
        url = rule.docs_url()
        assert url == f"{DOCUMENTATION}/rules/{rule.slug}.md"
        assert (ROOT / "docs" / url.removeprefix(DOCUMENTATION + "/")).is_file(), url


def test_cli_outputs_carry_absolute_links(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": SECRET_COMPOSE})
    shown = dockreview("rule", "DR101", cwd=tmp_path)
    assert f"Docs: {DOCUMENTATION}/rules/compose-hardcoded-secret.md" in shown.out.splitlines()
    [finding] = json.loads(dockreview("check", "--format", "json", cwd=tmp_path).out)["findings"]
    assert finding["docs"] == f"{DOCUMENTATION}/rules/compose-hardcoded-secret.md"
    sarif = json.loads(dockreview("check", "--format", "sarif", cwd=tmp_path).out)
    assert all(r["helpUri"].startswith(DOCUMENTATION) for r in sarif["runs"][0]["tool"]["driver"]["rules"])


def test_dockreview_docs_url_overrides_the_package_url_and_must_be_http(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": SECRET_COMPOSE})
    env = {"DOCKREVIEW_DOCS_URL": "https://docs.example.com/dockreview/rules"}
    [finding] = json.loads(dockreview("check", "--format", "json", cwd=tmp_path, env=env).out)["findings"]
    assert finding["docs"] == "https://docs.example.com/dockreview/rules/compose-hardcoded-secret.md"
    bad = {"DOCKREVIEW_DOCS_URL": "javascript:alert(1)//"}
    [finding] = json.loads(dockreview("check", "--format", "json", cwd=tmp_path, env=bad).out)["findings"]
    assert finding["docs"] == f"{DOCUMENTATION}/rules/compose-hardcoded-secret.md"


def test_review_comments_link_the_page() -> None:
    [finding] = review(Snapshot.from_mapping({"compose.yaml": SECRET_COMPOSE})).findings
    assert docs_line(finding) == f"Docs: [compose-hardcoded-secret]({DOCUMENTATION}/rules/compose-hardcoded-secret.md)"
