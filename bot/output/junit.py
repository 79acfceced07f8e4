"""JUnit XML, for CI test-report views (GitLab `junit` reports, Jenkins, Azure Pipelines, the
dorny/test-reporter action): one `<testsuite>` per reviewed file; each finding a failing
`<testcase>` (name `CODE slug at line N`, a `<failure>` with the message, fix and location), and a file
without findings one passing `<testcase>` named `no findings`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dockreview.bot.output import Run
from dockreview.bot.output.xmltext import to_xml, xml_text
from dockreview.rules.finding import Finding


def render(run: Run) -> str:
    by_file: dict[str, list[Finding]] = {path: [] for path in run.report.files_checked}
    for finding in run.report.findings:
        by_file.setdefault(finding.path, []).append(finding)
    total = sum(max(len(items), 1) for items in by_file.values())
    failures = len(run.report.findings)
    root = ET.Element("testsuites", name="dockreview", tests=str(total), failures=str(failures), errors="0")
    for path, items in sorted(by_file.items()):
        shown = xml_text(run.display(path))
        suite = ET.SubElement(root, "testsuite", name=shown, tests=str(max(len(items), 1)),
                              failures=str(len(items)), errors="0", skipped="0")
        if not items:
            ET.SubElement(suite, "testcase", name="no findings", classname=shown)
        for finding in sorted(items, key=lambda f: f.sort_key()):
            case = ET.SubElement(suite, "testcase", name=f"{finding.rule} {finding.slug} at line {finding.line}",
                                 classname=shown, file=shown, line=str(finding.line))
            failure = ET.SubElement(case, "failure", type=str(finding.severity), message=xml_text(finding.message))
            text = f"{shown}:{finding.line}:{finding.column}: {finding.message}"
            if finding.fix:
                text += f"\nFix: {finding.fix}"
            failure.text = xml_text(text)
    return to_xml(root)
