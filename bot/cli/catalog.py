"""`dockreview rules` and `dockreview rule CODE|SLUG`: the rule catalog and a rule's documentation."""

from __future__ import annotations

import argparse
import sys

from dockreview.bot.cli.common import EXIT_OK, PROG, UsageError


def cmd_rules(args: argparse.Namespace) -> int:
    from dockreview.rules import catalog

    rules = catalog.all_rules()
    if args.format == "json":
        import json

        items = [
            {
                "code": r.code,
                "slug": r.slug,
                "category": str(r.category),
                "severity": str(r.severity),
                "kind": str(r.kind),
                "summary": r.summary,
                "fix": r.fix,
                "security_severity": r.security_severity,
                "fix_safety": r.fix_safety or None,
                "docs": r.docs_url(),
            }
            for r in rules
        ]
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    rows = [(r.code, r.slug, str(r.category), str(r.severity), r.summary) for r in rules]
    header = ("CODE", "SLUG", "CATEGORY", "SEVERITY", "SUMMARY")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        sys.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)) + f"  {row[4]}\n")
    return EXIT_OK


def cmd_rule(args: argparse.Namespace) -> int:
    from dockreview.rules import catalog

    rule = catalog.find(args.name)
    if rule is None:
        raise UsageError(f"unknown rule {args.name!r} (`{PROG} rules` lists them)")
    title = f"{rule.code} {rule.slug}: {rule.summary}"
    lines = [
        title,
        "=" * len(title),
        f"category: {rule.category}    severity: {rule.severity}    applies to: {rule.kind}",
    ]
    if rule.security_severity:
        lines.append(f"security severity: {rule.security_severity}")
    lines += ["", rule.docs() or rule.summary, "", f"Fix: {rule.fix}"]
    if rule.has_suggestion:
        applied = "--fix applies it" if rule.fix_safety == "safe" else "--fix --unsafe-fixes applies it"
        lines.append(f"Fix safety: {rule.fix_safety} ({applied}): {rule.fix_safety_reason}")
    lines.append(f"Docs: {rule.docs_url()}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK
