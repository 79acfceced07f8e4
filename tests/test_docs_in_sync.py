"""docs/rules/*.md are generated from the rule docstrings: regenerate with `python -m rules.docgen`."""

from pathlib import Path

from rules.docgen import pages

DOCS = Path(__file__).parents[1] / "docs" / "rules"


def test_every_rule_page_matches_its_docstring() -> None:
    stale = [name for name, text in pages().items()
             if not (DOCS / name).exists() or (DOCS / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"run `python -m rules.docgen`: stale pages {stale}"


def test_no_page_without_a_rule() -> None:
    orphans = sorted({p.name for p in DOCS.glob("*.md")} - set(pages()))
    assert orphans == []
