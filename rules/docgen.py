"""Render each rule's docstring as its docs page `docs/rules/<slug>.md` (a test keeps them in sync).

Run `python -m dockreview.rules.docgen` to rewrite the pages and the index after changing a rule.
"""

from __future__ import annotations

import inspect
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
        "| Code | Slug | Category | Default severity | Confidence | Checks | Suggestion |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| {rule.code} | `{rule.slug}` | `{rule.category}` | {rule.severity} | {rule.confidence} | "
        f"{rule.kind} files | {rule.fix_safety if rule.has_suggestion else 'no'} |",
        "",
        f"**{rule.summary}.** Fix: {rule.fix}.",
        "",
    ]
    if rule.has_suggestion:
        how = "`dockreview check --fix` applies it" if rule.fix_safety == "safe" else \
            "`dockreview check --fix --unsafe-fixes` applies it"
        header += [f"**Fix safety:** the suggestion is {rule.fix_safety} ({how}): {rule.fix_safety_reason}.", ""]
    return "\n".join(header) + rule.docs().strip() + "\n\n" + confidence_section(rule) + "\n"


def confidence_section(rule: type[AnyRule]) -> str:
    """How sure the rule's findings are, and what the file's context does to them (from whether the
    rule asks `ctx.is_production`, and how)."""
    source = inspect.getsource(inspect.getmodule(rule) or rule)
    if "is_production(strict=True)" in source:
        context = (
            "Not reported in files the default patterns name as development, test, example or "
            "documentation, nor in compose development stacks (a service that bind-mounts the source and "
            "runs a development server): running development tooling is their job."
        )
    elif "is_production(" in source:
        context = (
            "In files the default patterns name as development, test, example or documentation "
            "(`*dev*`, `*override*`, `tests/`, `e2e/`, `docs/`, `examples/`, ...) and in compose development "
            "stacks, findings are reported one tier lower (high becomes medium): listed in the check run "
            "summary, never commented inline by default, and they fail the check only when "
            "`fail_on.confidence` is written. A `production.include` pattern makes a file production; a "
            "written `production.exclude` list replaces the defaults, and the files it names are not "
            "reviewed by this rule."
        )
    elif rule.kind == "shell":
        context = "Where the command runs (a CI runner, a script for development or cleanup) is judged as above."
    else:
        context = "Reported the same in every file: where the file sits does not change what goes wrong."
    if rule.kind != "engine":
        context += (
            " In a repository of examples (a sample collection: `awesome-*`, `*-samples`, a course's sibling "
            "`compose-sample-1/` directories) and in the test data of a repository of Docker tooling "
            "(`testdata/`, `fixtures/`), findings are low confidence, whatever the rule's tier "
            "(`rules/docker/collections.py`, docs/configuration.md); a Dockerfile the repository builds and "
            "pushes, its `.github/` workflows and the files the config's production patterns name keep their tier."
        )
    return (
        f"## Confidence\n{str(rule.confidence).capitalize()} unless the text above says otherwise for a "
        f"kind of finding (high: commented inline; medium and low: in the check run summary and the review "
        f"body, see `review.inline_confidence`). {context}"
    )


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
