"""Checkstyle XML (`<checkstyle><file name><error line column severity message source/></file>`), read
by Jenkins (warnings-ng), reviewdog, SonarQube and most CI report viewers. Severities: error `error`,
warning `warning`, note `info`; `source` is `dockreview.CODE.slug`. Files without findings are left
out, as checkstyle does."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dockreview.bot.output import Run
from dockreview.bot.output.xmltext import to_xml, xml_text

SEVERITIES = {"error": "error", "warning": "warning", "note": "info"}


def render(run: Run) -> str:
    root = ET.Element("checkstyle", version="4.3")
    files: dict[str, ET.Element] = {}
    for finding in sorted(run.report.findings, key=lambda f: f.sort_key()):
        path = run.display(finding.path)
        if path not in files:
            files[path] = ET.SubElement(root, "file", name=xml_text(path))
        message = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
        ET.SubElement(files[path], "error", line=str(finding.line), column=str(finding.column),
                      severity=SEVERITIES.get(str(finding.severity), "warning"), message=xml_text(message),
                      source=f"dockreview.{finding.rule}.{finding.slug}")
    return to_xml(root)
