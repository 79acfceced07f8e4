"""One finding for one problem: alike findings folded, nothing dropped (the others become related
locations, named in the message).

- `fold_repeats`: the same rule, message and line in several files (an example stack copied per
  directory, twelve recipes with one base image). Change reviews only.
- `fold_alike`: the same rule about the same value (`Finding.basis`) for several objects of one
  file: thirty services running `${APP_IMAGE:-acme/app}:latest`, one credential repeated by an
  anchor into each service. The first (by line) keeps it.
"""

from __future__ import annotations

from dockreview.rules.finding import Finding, Location

_NAMED = 6


def fold_repeats(findings: list[Finding]) -> list[Finding]:
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    keys = [(f.rule, f.message, " ".join(f.line_text.split())) for f in findings]
    for key, finding in zip(keys, findings, strict=True):
        groups.setdefault(key, []).append(finding)
    kept: list[Finding] = []
    for key, finding in zip(keys, findings, strict=True):
        group = groups[key]
        paths = list(dict.fromkeys(f.path for f in group))
        if len(paths) < 2:
            kept.append(finding)
            continue
        if finding is not group[0]:
            continue
        others = [f for f in group[1:] if f.path != finding.path]
        shown = ", ".join(f"`{p}`" for p in paths[1:_NAMED]) + (
            f" and {len(paths) - _NAMED} more" if len(paths) > _NAMED else "")
        finding.message = f"{finding.message} (the same in {shown})"
        finding.related = (*finding.related, *(Location(f.path, f.line, f.column, f.end_line) for f in others))
        kept.append(finding)
        kept.extend(f for f in group[1:] if f.path == finding.path)
    return kept


def fold_alike(findings: list[Finding]) -> list[Finding]:
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in findings:
        if finding.basis and _name(finding):
            groups.setdefault((finding.rule, finding.path, finding.basis), []).append(finding)
    dropped: set[int] = set()
    for group in groups.values():
        group.sort(key=Finding.sort_key)
        names = list(dict.fromkeys(_name(f) for f in group))
        if len(names) < 2:
            continue
        first, others = group[0], group[1:]
        rest = [n for n in names if n != _name(first)]
        shown = ", ".join(f"`{n}`" for n in rest[:_NAMED - 1]) + (
            f" and {len(rest) - _NAMED + 1} more" if len(rest) > _NAMED - 1 else "")
        first.message = f"{first.message} (the same for {shown})"
        first.related = (*first.related, *(Location(f.path, f.line, f.column, f.end_line) for f in others))
        dropped.update(id(f) for f in others)
    return [f for f in findings if id(f) not in dropped]


def _name(finding: Finding) -> str:
    """The object the finding is about: its subject's name, else its evidence (a service name)."""
    return finding.subject[2] if finding.subject is not None else finding.evidence


__all__ = ["fold_alike", "fold_repeats"]
