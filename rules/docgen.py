"""Render each rule's docstring as its docs page `docs/rules/<slug>.md` (a test keeps them in sync).

Run `python -m dockreview.rules.docgen` to rewrite the pages and the index after changing a rule.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dockreview.rules import catalog
from dockreview.rules.finding import Category
from dockreview.rules.rule import AnyRule

REQUIRED_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## How to fix")


def render(rule: type[AnyRule]) -> str:
    header = [
        f"# {rule.slug} ({rule.code})",
        "",
        "| Code | Slug | Category | Default severity | Checks | Suggestion |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {rule.code} | `{rule.slug}` | `{rule.category}` | {rule.severity} | {rule.kind} files | "
        f"{rule.fix_safety if rule.has_suggestion else 'no'} |",
        "",
        f"**{rule.summary}.** Fix: {rule.fix}.",
        "",
    ]
    if rule.has_suggestion:
        how = "`dockreview check --fix` applies it" if rule.fix_safety == "safe" else \
            "`dockreview check --fix --unsafe-fixes` applies it"
        header += [f"**Fix safety:** the suggestion is {rule.fix_safety} ({how}): {rule.fix_safety_reason}.", ""]
    return "\n".join(header) + rule.docs().strip() + "\n"


def render_index() -> str:
    lines = ["# Rules", "", "## Categories", "",
             "Every rule has one category (a stable name, part of the JSON output).", "",
             "| Category | What it covers |", "| --- | --- |"]
    lines += [f"| `{category}` | {category.description} |" for category in Category]
    lines += ["", "## Catalog", "",
              "| Code | Slug | Category | Severity | Summary |", "| --- | --- | --- | --- | --- |"]
    for rule in catalog.all_rules():
        lines.append(
            f"| {rule.code} | [`{rule.slug}`]({rule.slug}.md) | `{rule.category}` | {rule.severity} | {rule.summary} |"
        )
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    out = {f"{rule.slug}.md": render(rule) for rule in catalog.all_rules()}
    out["README.md"] = render_index()
    return out


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs/rules")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages())} pages to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
