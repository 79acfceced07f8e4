"""GitHub Actions workflow commands: one `::error file=...,line=...::message` annotation per finding.

Escaping follows the runner (actions/toolkit `command.ts`): in the message `%`, `\\r`, `\\n`; in
property values also `:` and `,`.
"""

from __future__ import annotations

from dockreview.bot.output import Run, summary_line

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name} {props}::{escape_data(message)}" if props else f"::{name}::{escape_data(message)}"


def render(run: Run) -> str:
    out = []
    for finding in run.report.findings:
        properties: dict[str, object] = {
            "file": run.display(finding.path),
            "line": finding.line,
            "endLine": finding.last_line,
            "col": finding.column,
            "title": f"{finding.rule} {finding.slug}",
        }
        message = finding.message
        if finding.fix:
            message += f"\nFix: {finding.fix}"
        out.append(command(COMMANDS.get(str(finding.severity), "warning"), properties, message))
    for note in run.report.errors:
        properties = {"file": run.display(note.path) if note.path else None, "title": "dockreview"}
        out.append(command("warning", properties, note.message))
    out.append(f"dockreview: {summary_line(run)}")
    return "\n".join(out) + "\n"
