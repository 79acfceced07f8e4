"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).

Validates against the OASIS schema and carries every property code scanning requires: rule short and
full descriptions, help text, a full region per result and `partialFingerprints`. Every catalog rule
is in `tool.driver.rules` (so `ruleIndex` is stable across runs); paths are relative to `%SRCROOT%`,
the snapshot root (the repository root for `dockreview diff`).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from dockreview.bot.output import Run

if TYPE_CHECKING:
    from dockreview.rules.finding import Finding
    from dockreview.rules.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/apps/dockreview"
TOOL_NAME = "dockreview"
MAX_DESCRIPTION = 1024
MAX_TAGS = 10
SRCROOT = "%SRCROOT%"


def tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("dockreview")
    except Exception:  # not installed (running from a checkout)
        return "0.0.0"


def pascal_case(slug: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", slug) if part)


def _clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _section(docs: str, title: str) -> str:
    """The text of a `## title` section of a rule's docs (first paragraph only)."""
    match = re.search(rf"^##\s+{re.escape(title)}\s*\n(.*?)(?=^##\s|\Z)", docs, re.MULTILINE | re.DOTALL)
    if not match:
        return ""
    return match.group(1).strip().split("\n\n")[0]


def _markdown_to_text(markdown: str) -> str:
    text = re.sub(r"^#+\s*", "", markdown, flags=re.MULTILINE)
    return text.replace("`", "")


def rule_descriptor(rule: type[Rule[Any]]) -> dict[str, Any]:
    docs = rule.docs()
    full = _section(docs, "What it does") or rule.summary
    security = rule.security_severity
    tags = [str(rule.category), str(rule.kind)]
    if security:
        tags.insert(0, "security")
    properties: dict[str, Any] = {
        "tags": list(dict.fromkeys(tags))[:MAX_TAGS],
        "precision": getattr(rule, "precision", "high"),
    }
    if security:
        properties["security-severity"] = f"{float(security):.1f}"
    else:
        properties["problem.severity"] = {"note": "recommendation"}.get(str(rule.severity), str(rule.severity))
    help_markdown = docs or f"{rule.summary}\n\n{rule.fix}"
    if rule.fix and "## How to fix" not in help_markdown:
        help_markdown += f"\n\n## How to fix\n{rule.fix}"
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": pascal_case(rule.slug),
        "shortDescription": {"text": _clip(rule.summary)},
        "fullDescription": {"text": _clip(_markdown_to_text(full))},
        "help": {"text": _markdown_to_text(help_markdown), "markdown": help_markdown},
        "defaultConfiguration": {"level": _level(str(rule.severity))},
        "properties": properties,
    }
    url = rule.docs_url()
    if re.match(r"https?://", url):  # the default docs base is repository-relative: not a URI
        descriptor["helpUri"] = url
    return descriptor


def _level(severity: str) -> str:
    return severity if severity in ("error", "warning", "note") else "warning"


def _region(run: Run, path: str, line: int, column: int, end_line: int) -> dict[str, int]:
    region = {"startLine": line, "startColumn": max(column, 1), "endLine": max(end_line, line)}
    last = run.source_line(path, region["endLine"])
    end_column = len(last) + 1
    if end_line > line or end_column > region["startColumn"]:
        region["endColumn"] = end_column
    return region


def _location(run: Run, path: str, region: dict[str, int]) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT},
            "region": region,
        }
    }


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _fix(run: Run, finding: Finding) -> dict[str, Any] | None:
    """The suggestion replaces lines line..last_line exactly (as a GitHub suggestion block does)."""
    if finding.suggestion is None or not run.snapshot.has(finding.path):
        return None
    first, last = finding.line, finding.last_line
    lines = run.snapshot.lines(finding.path)
    if last > len(lines):
        return None
    deleted = {"startLine": first, "startColumn": 1, "endLine": last, "endColumn": len(lines[last - 1]) + 1}
    return {
        "description": {"text": _clip(finding.fix or "Apply the suggestion")},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": _uri(finding.path), "uriBaseId": SRCROOT},
                "replacements": [{"deletedRegion": deleted, "insertedContent": {"text": finding.suggestion}}],
            }
        ],
    }


def result(run: Run, finding: Finding, index: int) -> dict[str, Any]:
    region = _region(run, finding.path, finding.line, finding.column, finding.last_line)
    item: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": _level(str(finding.severity)),
        "message": {"text": finding.message + (f" Fix: {finding.fix}" if finding.fix else "")},
        "locations": [_location(run, finding.path, region)],
        "partialFingerprints": {"dockreview/v1": finding.fingerprint()},
    }
    related = []
    for number, where in enumerate(finding.related, start=1):
        where_region = _region(run, where.path, where.line, where.column, where.end_line or where.line)
        related.append({"id": number, **_location(run, where.path, where_region)})
    if related:
        item["relatedLocations"] = related
    fix = _fix(run, finding)
    if fix:
        item["fixes"] = [fix]
    return item


def _notification(path: str, message: str) -> dict[str, Any]:
    item: dict[str, Any] = {"level": "warning", "message": {"text": message}}
    if path:
        from pathlib import PurePath

        pure = PurePath(path)
        artifact = {"uri": pure.as_uri()} if pure.is_absolute() else {"uri": _uri(path), "uriBaseId": SRCROOT}
        item["locations"] = [{"physicalLocation": {"artifactLocation": artifact}}]
    return item


def document(run: Run) -> dict[str, Any]:
    from dockreview.rules import catalog

    rules = list(catalog.all_rules())
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for finding in run.report.findings:
        if finding.rule not in index:  # cannot happen for catalog rules; keep the index valid anyway
            continue
        results.append(result(run, finding, index[finding.rule]))
    notifications = [_notification(note.path, note.message) for note in run.report.errors]
    root_uri = run.root.resolve().as_uri()
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "informationUri": INFORMATION_URI,
                        "version": tool_version(),
                        "semanticVersion": tool_version(),
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "originalUriBaseIds": {SRCROOT: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(run: Run) -> str:
    return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"
