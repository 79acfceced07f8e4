"""docs/rules/*.md are generated from the rule docstrings: regenerate with `python -m dockreview.rules.docgen`."""

from pathlib import Path

from dockreview.rules.docgen import pages

DOCS = Path(__file__).parents[1] / "docs" / "rules"


def test_every_rule_page_matches_its_docstring() -> None:
    stale = [name for name, text in pages().items()
             if not (DOCS / name).exists() or (DOCS / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"run `python -m dockreview.rules.docgen`: stale pages {stale}"


def test_no_page_without_a_rule() -> None:
    orphans = sorted({p.name for p in DOCS.glob("*.md")} - set(pages()))
    assert orphans == []


def test_readme_names_the_real_rule_count_and_example_findings() -> None:
    import re

    from dockreview.rules import Snapshot, catalog, review

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    count = re.search(r"(\d+) rules in the categories", readme)
    assert count and int(count.group(1)) == len(catalog.all_rules())
    for category in {str(r.category) for r in catalog.all_rules()}:
        assert f"`{category}`" in readme, category
    root = Path(__file__).parents[1]
    report = review(Snapshot.from_directory(root), paths=[
        p.relative_to(root).as_posix() for p in (root / "examples" / "shop").rglob("*") if p.is_file()])
    shown = re.findall(r"^examples/shop/(\S+?):(\d+):\d+: (DR\d+)", readme, re.M)
    assert shown
    found = {(f.path.removeprefix("examples/shop/"), str(f.line), f.rule) for f in report.findings}
    assert set(shown) <= found
