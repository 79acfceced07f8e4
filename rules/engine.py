"""The review engine: run the catalog over a snapshot, apply config and suppressions, and (for a
change) keep what the change adds. The CLI and the GitHub App both call `review`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from dockreview.rules import budget, catalog
from dockreview.rules.classify import FileType
from dockreview.rules.config import Config
from dockreview.rules.diff import Change
from dockreview.rules.finding import Confidence, Finding, Location, Severity
from dockreview.rules.folds import fold_alike, fold_repeats
from dockreview.rules.globs import matches
from dockreview.rules.parse.errors import NotReviewed, ParseError
from dockreview.rules.report import Note, Report
from dockreview.rules.rule import AnyRule, Context, Hit, Kind, Rule
from dockreview.rules.snapshot import ParserCrash, Snapshot
from dockreview.rules.suppress import ALL, Suppression, Suppressions, scan

if TYPE_CHECKING:
    from dockreview.rules.changes import ContainerChange
    from dockreview.rules.parse import Document

KIND_OF_TYPE = {
    FileType.COMPOSE: Kind.COMPOSE,
    FileType.DOCKERFILE: Kind.DOCKERFILE,
    FileType.WORKFLOW: Kind.WORKFLOW,
    FileType.DOCKERIGNORE: Kind.DOCKERIGNORE,
    FileType.SCRIPT: None,
    FileType.MAKEFILE: None,
}


def review(
    snapshot: Snapshot,
    config: Config | None = None,
    *,
    paths: Iterable[str] | None = None,
    change: Change | None = None,
    base: Snapshot | None = None,
    deadline: float | None = None,
    file_budget: float | None = budget.FILE_BUDGET,
    whole: bool = False,
) -> Report:
    """Review `paths` (default: every Docker-related file) of `snapshot`.

    `deadline` (a `time.monotonic()` value) bounds the review's time: files not reached by then,
    and cross-file checks not started, are noted as not reviewed (`Note.unreviewed`; for a change,
    `Report.incomplete`, which fails the check). It is checked between files and stages.
    `file_budget` (seconds) bounds each file's parse and rules, and each object's cross-file checks:
    past it the file is noted "not reviewed completely" and the review goes on with the next one.
    A file the shell parser could not read to its end (`rules.budget`) is noted the same way.

    With `change` and `base`, a finding is kept when the change made it: the base, reviewed the
    same way, has no finding of the same rule about the same object and value (`Finding.identity`:
    a moved or reformatted definition is the same finding, a changed value a new one), wherever it
    lands — what it breaks elsewhere included. Findings the base already had, in files the change
    touches, are counted in `Report.preexisting`. Engine findings (parse errors, bad suppressions)
    are kept when they sit on changed lines. With `change` and no base: findings on changed lines.

    With `change` and `base`, only the files the change can affect are reviewed (`rules.scope`),
    on the head and, for attribution, on the base: the same findings as reviewing every file,
    which `whole=True` does (and what the equivalence test compares with).
    """
    with budget.ledger() as spent:
        report = _review(snapshot, config or Config(), paths, change, base, deadline, file_budget, whole)
        # A bound that stopped work on a file (on the head, or on the base of an unchanged one) is
        # said on it, once; the base's own files are not the review's (its findings only attribute).
        noted = {n.path for n in report.errors if n.unreviewed}
        reviewed = set(report.files_checked)
        report.errors += [Note(path, reason, unreviewed=True) for path, reason in sorted(spent.stopped.items())
                          if path in reviewed and path not in noted]
    if change is not None:
        # What the change touches must be reviewed whole: a file it makes unreviewable never passes.
        report.incomplete = [n for n in report.errors if n.unreviewed and change.touches_file(n.path)]
    return report


def _review(snapshot: Snapshot, config: Config, paths: Iterable[str] | None, change: Change | None,
            base: Snapshot | None, deadline: float | None, file_budget: float | None, whole: bool) -> Report:
    snapshot.max_bytes = config.max_file_size
    targets = sorted(set(paths)) if paths is not None else snapshot.docker_files()
    if change is not None and base is not None:
        base.max_bytes = config.max_file_size
        snapshot.share_with(base)
    if change is not None and base is not None and not whole:
        from dockreview.rules.scope import affected

        with budget.ledger(fresh=True):  # the head's files say their own stops when reviewed
            reach = affected(base, snapshot, change)
        targets = [p for p in targets if p in reach]
    report = _review_files(snapshot, config, targets, base=base if change is not None else None, change=change,
                           deadline=deadline, file_budget=file_budget)
    if change is not None:
        report.findings, report.preexisting, silenced = _attribute(report.findings, change, config, base, targets,
                                                                   deadline, file_budget)
        report.suppressed += silenced
        report.findings = sorted(fold_repeats(_one_per_change(report.findings)), key=Finding.sort_key)
    report.findings = fold_alike(report.findings)
    if change is not None and base is not None:
        report.changes = _container_changes(snapshot, base, change, config, report)
        report.compared = True
    return report


def _container_changes(snapshot: Snapshot, base: Snapshot, change: Change, config: Config,
                       report: Report) -> list[ContainerChange]:
    """The container-level comparison of the files the change touches (deleted ones included)."""
    from dockreview.rules.changes import compare

    try:
        with budget.ledger(fresh=True):
            found = compare(base, snapshot, change)
    except Exception as exc:  # a comparison bug must not take the review down
        report.errors.append(Note("", f"internal error while comparing with the base: {type(exc).__name__}: {exc}"))
        return []
    return [c for c in found if not config.is_ignored(c.path)]


def _review_files(
    snapshot: Snapshot,
    config: Config,
    targets: list[str],
    *,
    base: Snapshot | None = None,
    change: Change | None = None,
    deadline: float | None = None,
    file_budget: float | None = None,
    silenced: list[Finding] | None = None,
    only: frozenset[str] | None = None,
) -> Report:
    """The findings of `targets`; with `silenced`, those suppressions silence are added to it too;
    with `only`, of those rules alone (and the engine's)."""
    report = Report()
    rules = _Rules(config, only)
    emitter = _Emitter(snapshot, config, base=base, change=change)
    emitter.silenced = silenced
    for issue in config.issues:
        report.errors.append(Note(issue.path, f"line {issue.line}: {issue.message}; defaults used"))
    ignored: dict[str, list[str]] = {}
    for path in targets:
        file_type = snapshot.file_type(path)
        if file_type is not None and config.is_ignored(path):
            pattern = next((p for p in config.ignore if matches(path, (p,))), "")
            if pattern in config.written_ignore:
                ignored.setdefault(pattern, []).append(path)
        if file_type is None or config.is_ignored(path):
            continue
        if _past(deadline):
            report.errors.append(Note(path, OVER_BUDGET, unreviewed=True))
            continue
        if snapshot.text(path) is None:
            skipped = snapshot.skipped.get(path)
            if skipped:
                # Unread (a symlink too: Docker follows it, the review cannot) is not reviewed.
                report.errors.append(Note(path, skipped.reason, unreviewed=True))
            continue
        report.files_checked.append(path)
        ctx = Context(path=path, snapshot=snapshot, config=config, base=base, change=change)
        kind = KIND_OF_TYPE.get(file_type)
        with budget.for_file(file_budget, deadline):
            try:
                _review_file(snapshot, path, kind, rules, emitter, ctx, report)
            except budget.OverBudget:
                budget.stopped(path, _over_file_budget(file_budget))
        emitter.unknown_suppressions(path)
    if _past(deadline):
        report.errors += [Note(path, OVER_BUDGET_MODEL, unreviewed=True) for path in report.files_checked]
    else:
        _review_model(snapshot, config, report.files_checked, rules, emitter, report, base, change,
                      (file_budget, deadline))
    deleted = _review_deleted(snapshot, config, rules, base, change, report) if base and change else None
    report.findings = sorted(emitter.findings + (deleted.findings if deleted else []), key=Finding.sort_key)
    report.suppressed = emitter.suppressed + (deleted.suppressed if deleted else 0)
    for pattern, paths in ignored.items():  # never skip a tree silently: say what the config left out
        shown = ", ".join(f"`{p}`" for p in paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        report.errors.append(Note(config.source or "", f"not reviewed: `ignore: {pattern}` in the config skips "
                                  f"{len(paths)} Docker-related file{'s' if len(paths) != 1 else ''}: {shown}"))
    return report


def _review_file(snapshot: Snapshot, path: str, kind: Kind | None, rules: _Rules, emitter: _Emitter, ctx: Context,
                 report: Report) -> None:
    """One file's parse, its rules and the shell rules over the shell code it holds."""
    try:
        doc = snapshot.document(path)
    except NotReviewed as exc:
        report.errors.append(Note(path, exc.message, unreviewed=True))
        return
    except ParseError as exc:
        emitter.engine(catalog.find("DR001"), path, exc.line, exc.message, exc.column)
        return
    except ParserCrash as exc:
        report.errors.append(Note(path, f"internal error while parsing: {exc}", unreviewed=True))
        return
    if doc is None:
        return
    for line, message in getattr(doc, "problems", ()):  # broken instructions; the rest is reviewed
        emitter.engine(catalog.find("DR001"), path, line, message)
    for rule in rules[kind] if kind else []:
        if not rule.model_input:
            emitter.run(rule, doc, ctx, report)
    sources = doc.shell_sources() if hasattr(doc, "shell_sources") else []
    for source in sources:
        for rule in rules[Kind.SHELL]:
            emitter.run(rule, source, ctx, report)
    for source in sources:  # shell code the rules asked for that the parser could not read to its end
        if source.stopped:
            budget.stopped(path, f"not reviewed completely: {source.stopped}")


def _over_file_budget(seconds: float | None) -> str:
    return (f"not reviewed completely: reviewing this file took longer than its time budget ({seconds:g} s); "
            "the rules not run on it by then were skipped")


OVER_BUDGET = "not reviewed: the review ran out of its time budget before this file"
OVER_BUDGET_MODEL = "not reviewed completely: the review ran out of its time budget before the cross-file checks"


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def _review_model(
    snapshot: Snapshot,
    config: Config,
    checked: list[str],
    rules: _Rules,
    emitter: _Emitter,
    report: Report,
    base: Snapshot | None,
    change: Change | None,
    budgets: tuple[float | None, float | None] = (None, None),
) -> None:
    """Rules that read the resolved model: each object the reviewed files take part in, once,
    within a file's time budget (`budgets`: seconds per object, the review's deadline); an object
    over it is noted on each reviewed file it is made of.

    A kind's rules (and the model they read) are loaded only when a reviewed file can take part in
    one of its objects: a workflow model only for a reviewed workflow, say."""
    from dockreview.rules.model.deployment import deployment

    files = set(checked)
    types = {snapshot.file_type(path) for path in checked}
    model = deployment(snapshot)

    def run(kind: Kind, obj: object, path: str, made_of: Iterable[str] = ()) -> None:
        ctx = Context(path=path, snapshot=snapshot, config=config, base=base, change=change)
        with budget.for_file(*budgets):
            try:
                for rule in rules.model(kind):
                    emitter.run(rule, obj, ctx, report)
            except budget.OverBudget:
                for part in sorted({path, *made_of} & files):
                    budget.stopped(part, _over_object_budget(budgets[0]))

    projects = [project for project in model.projects if project.all_files & files]
    if projects and rules.model(Kind.COMPOSE):
        for project in projects:
            run(Kind.COMPOSE, project, project.key, project.all_files)
    if FileType.DOCKERFILE in types and rules.model(Kind.DOCKERFILE):
        for path in checked:
            dockerfile = model.dockerfile(path) if snapshot.file_type(path) is FileType.DOCKERFILE else None
            if dockerfile is not None:
                run(Kind.DOCKERFILE, dockerfile, path)
    if FileType.WORKFLOW in types and rules.model(Kind.WORKFLOW):  # the workflows model: workflow files only
        for path, workflow in sorted(model.workflows.items()):
            if path in files:
                run(Kind.WORKFLOW, workflow, path)
    builds = [build for build in model.builds
              if build.origin.path in files or (build.dockerfile is not None and build.dockerfile in files)]
    if builds and rules.model(Kind.BUILD):
        for build in builds:
            run(Kind.BUILD, build, build.origin.path)


def _over_object_budget(seconds: float | None) -> str:
    return (f"not reviewed completely: the cross-file checks of what this file takes part in took longer than "
            f"their time budget ({seconds:g} s); the rules not run by then were skipped")


def _review_deleted(
    snapshot: Snapshot,
    config: Config,
    rules: _Rules,
    base: Snapshot,
    change: Change,
    report: Report,
) -> _Emitter:
    """Files the change deletes: rules with `check_deleted` get the base document; what they report
    is on the deleted path at its base line (outside the head diff: the check run summary shows it)."""
    emitter = _Emitter(base, config)
    for path in sorted(change.deleted):
        if snapshot.has(path) or not base.has(path) or config.is_ignored(path):
            continue
        file_type = base.file_type(path)
        kind = KIND_OF_TYPE.get(file_type) if file_type is not None else None
        doc = base.try_document(path) if kind else None
        if doc is None or kind is None:
            continue
        ctx = Context(path=path, snapshot=snapshot, config=config, base=base, change=change)
        for rule in rules[kind]:
            if type(rule).check_deleted is not Rule.check_deleted:
                emitter.run_deleted(rule, doc, ctx, report)
    return emitter


def _enabled(rule: type[AnyRule], config: Config) -> bool:
    return config.setting_for(rule.code, rule.slug, rule.category).enabled


class _Rules:
    """The enabled rules of each kind, imported and instantiated when the review first needs that kind."""

    def __init__(self, config: Config, only: frozenset[str] | None = None) -> None:
        self.config = config
        self.only = only  # these rule codes alone (None: every enabled rule)
        self._by_kind: dict[Kind, list[AnyRule]] = {}

    def __getitem__(self, kind: Kind) -> list[AnyRule]:
        if kind not in self._by_kind:
            self._by_kind[kind] = [r() for r in catalog.rules_for(kind) if _enabled(r, self.config)
                                   and (self.only is None or r.code in self.only)]
        return self._by_kind[kind]

    def model(self, kind: Kind) -> list[AnyRule]:
        """The rules of `kind` that read the resolved model (`Rule.model_input`)."""
        return [r for r in self[kind] if r.model_input]


class _Emitter:
    """Turns hits into findings: metadata, config severity, suppressions, line text."""

    def __init__(self, snapshot: Snapshot, config: Config, *, base: Snapshot | None = None,
                 change: Change | None = None) -> None:
        self.snapshot = snapshot
        self.config = config
        self.base = base
        self.change = change  # reviewing a change: suppressions it adds are not trusted by default
        self.findings: list[Finding] = []
        self.suppressed = 0
        self._suppressions: dict[str, Suppressions] = {}
        self._base_directives: dict[str, Counter[str]] = {}
        self._seen: set[tuple[str, str, int, int, str]] = set()
        # Reviewing a base for attribution: the findings its suppressions silenced (a head finding
        # under a base suppression on a rewritten line is silenced only if it is one of them).
        self.silenced: list[Finding] | None = None

    def suppressions(self, path: str) -> Suppressions:
        if path not in self._suppressions:
            self._suppressions[path] = scan(self.snapshot.lines(path))
        return self._suppressions[path]

    def added_by_change(self, path: str, item: Suppression) -> bool:
        """Whether the change adds (or changes) this suppression: its line is one the change touched,
        or the base version of the file has no such directive (a file without a patch)."""
        if self.change is None or self.config.suppressions_from_pull_request:
            return False
        if self.change.touches(path, item.line, item.line):
            return True
        if self.base is None:
            return False
        old = self.change.base_path(path)
        if old not in self._base_directives:
            found = scan(self.base.lines(old)) if self.base.has(old) else None
            items = (found.all + found.file_directives) if found else []
            self._base_directives[old] = Counter(s.directive() for s in items)
        return self._base_directives[old][item.directive()] == 0

    def rewritten_under(self, path: str, item: Suppression, line: int, end: int | None) -> bool:
        """Whether a base suppression on its own line or beside one covers a line the change rewrote
        (`ignore-file` is the base's word on the whole file and stays trusted)."""
        if self.change is None or self.config.suppressions_from_pull_request or item.file_level:
            return False
        return self.change.touches(path, line, end or line)

    def run(self, rule: AnyRule, doc: object, ctx: Context, report: Report) -> None:
        """`rule.check(doc)`: `doc` is what the rule's kind says (`Kind`)."""
        self._emit_all(rule, lambda: rule.check(doc, ctx), ctx, report)

    def run_deleted(self, rule: AnyRule, doc: Document, ctx: Context, report: Report) -> None:
        self._emit_all(rule, lambda: rule.check_deleted(doc, ctx), ctx, report)

    def _emit_all(self, rule: AnyRule, hits: Callable[[], Iterable[Hit]], ctx: Context, report: Report) -> None:
        budget.checkpoint()  # a file past its time budget runs no more rules (never one cut halfway)
        ctx.lowered.clear()  # what this rule asks about the files (Context.is_production), not the last rule
        try:
            for hit in hits():
                self.emit(type(rule), hit, ctx.path, ctx.lowered)
        except Exception as exc:  # a rule bug must not take the review down: report it
            report.errors.append(Note(ctx.path, f"internal error in {rule.code}: {type(exc).__name__}: {exc}",
                                      unreviewed=True))

    def emit(self, rule: type[AnyRule], hit: Hit, default_path: str, lowered: Mapping[str, str] | None = None) -> None:
        path = hit.path or default_path
        setting = self.config.setting_for(rule.code, rule.slug, rule.category)
        if not setting.enabled or (setting.ignore and matches(path, setting.ignore)):
            return
        end = hit.end_line if hit.end_line and hit.end_line > hit.line else None
        key = (rule.code, path, hit.line, hit.column, hit.evidence or hit.message)
        if key in self._seen:
            return
        self._seen.add(key)
        directive = self.suppressions(path).covering(hit.line, end or hit.line, rule.code, rule.slug)
        added = directive is not None and self.added_by_change(path, directive)
        rewritten = directive is not None and not added and self.rewritten_under(path, directive, hit.line, end)
        message = hit.message
        if directive is not None and added:
            message += (f" (suppressed by a comment this pull request adds, line {directive.line}; it still "
                        "counts: the base branch's config does not trust suppressions from pull requests)")
        elif directive is not None and rewritten:
            message += (f" (the `dockreview: ignore` comment on line {directive.line} covers this line, which this "
                        "pull request changed: the comment was written for what the line said before, so the "
                        "finding still counts)")
        elif directive is not None:
            self.suppressed += 1
            if self.silenced is None:
                return
        line_text = self.snapshot.line(path, hit.line).strip()
        confidence = hit.confidence or rule.confidence
        context = (lowered or {}).get(path)  # the rule asked whether `path` is production: see Context
        sample = self.repository_reason(path) if rule.kind is not Kind.ENGINE else None
        if sample is not None:  # examples or a tool's test data (rules.docker.collections): the lowest tier
            confidence, message, context = Confidence.LOW, f"{message} (confidence lowered: {sample})", sample
        elif context is not None:  # reviewed, but less likely to matter: never inline by default
            confidence, message = confidence.lowered(), f"{message} (confidence lowered: {context})"
        subject, basis = hit.subject, hit.basis
        if subject is None and self.snapshot.file_type(path) is FileType.COMPOSE:
            from dockreview.rules.model.locate import service_subject

            subject = service_subject(self.snapshot, path, hit.line)
            if subject is not None:
                basis = basis or "\x1f".join((" ".join(line_text.split()), hit.evidence))
        self.findings.append(
            Finding(
                rule=rule.code,
                slug=rule.slug,
                category=rule.category,
                severity=setting.severity or hit.severity or rule.severity,
                path=path,
                line=hit.line,
                column=hit.column,
                end_line=end,
                message=message,
                suggestion=hit.suggestion if self.config.suggestions else None,
                fix=hit.fix or rule.fix,
                docs=rule.docs_url(),
                evidence=hit.evidence,
                related=hit.related,
                line_text=line_text,
                confidence=confidence,
                context=context or "",
                subject=subject,
                basis=basis,
                added_suppression=directive.line if directive is not None and added else 0,
                rewritten_suppression=directive.line if directive is not None and rewritten else 0,
            )
        )
        if directive is not None and not added and not rewritten and self.silenced is not None:
            self.silenced.append(self.findings.pop())

    def repository_reason(self, path: str) -> str | None:
        """Why `path` is an example or a tool's test data in this repository (`rules.docker.collections`),
        as the base branch says when a change is reviewed; None when the config's production patterns
        decide (a written `production.exclude`, or a `production.include` that names the file)."""
        if self.config.decides_production(path):
            return None
        from dockreview.rules.docker.collections import repository_context

        trusted = self.base if self.base is not None else self.snapshot
        found = trusted.derived("repository-context", lambda: repository_context(trusted.paths, trusted.repository))
        reason = found.reason_for(path)
        if reason is not None and path in trusted.derived("published-dockerfiles", lambda: _published(trusted)):
            return None  # the repository builds and pushes this image: a product, whatever the tree around it
        return reason

    def engine(self, rule: type[AnyRule] | None, path: str, line: int, message: str, column: int = 1) -> None:
        if rule is not None:
            self.emit(rule, Hit(line=line, column=column, message=message), path)

    def unknown_suppressions(self, path: str) -> None:
        items = self.suppressions(path).all
        if not items:
            return
        known = {r.code for r in catalog.all_rules()} | {r.slug for r in catalog.all_rules()} | {ALL}
        for item in items:
            unknown = [n for n in item.names if n not in known]
            if unknown:
                self.engine(
                    catalog.find("DR002"),
                    path,
                    item.line,
                    f"suppression names unknown rule(s) {', '.join(unknown)}; it silences nothing",
                    item.column,
                )




def _one_per_change(findings: list[Finding]) -> list[Finding]:
    """Without the findings another rule speaks for (`Rule.supersedes`): on its line, or on a place it
    names as related (DR151 on the removed healthcheck names the service that waits for it: DR111
    there is the same problem). Only a finding at least as severe and as sure speaks for another, so
    that what a pull request adds never lowers what the check concludes."""
    spoken: dict[tuple[str, str, int], tuple[int, int]] = {}
    for f in findings:
        for code in getattr(catalog.find(f.rule), "supersedes", ()):
            for path, line in ((f.path, f.line), *((r.path, r.line) for r in f.related)):
                rank = (f.severity.rank, f.confidence.rank)
                spoken[(code, path, line)] = max(rank, spoken.get((code, path, line), (0, 0)))
    return [f for f in findings
            if (by := spoken.get((f.rule, f.path, f.line))) is None
            or by[0] < f.severity.rank or by[1] < f.confidence.rank]


def _published(snapshot: Snapshot) -> frozenset[str]:
    """The Dockerfiles whose images a build of the repository pushes (or may push)."""
    from dockreview.rules.model.deployment import deployment

    return frozenset(b.dockerfile for b in deployment(snapshot).builds
                     if b.dockerfile is not None and (b.push or b.push_expr))


_ENGINE_RULES = frozenset(r.code for r in catalog.rules_for(Kind.ENGINE))


def _attribute(
    findings: list[Finding],
    change: Change,
    config: Config,
    base: Snapshot | None,
    targets: list[str],
    deadline: float | None = None,
    file_budget: float | None = None,
) -> tuple[list[Finding], list[Finding], int]:
    """(what the change made, what the base already had in touched files, how many a base suppression
    silences on lines the change rewrote) of the head's findings."""
    if base is None:
        return [f for f in findings if change.touches_finding(f)], [], 0
    base.max_bytes = config.max_file_size
    to_head = change.head_paths()
    base_targets = sorted({change.base_path(p) for p in targets} & set(base.paths))
    # Only the base's findings of rules the head reports are ever compared with (the baseline and
    # the suppressed are looked up by head findings' identities, which hold their rule): the base is
    # reviewed with those rules alone, and not at all when the head has no finding.
    asked = frozenset(f.rule for f in findings)
    if not asked:
        return [], [], 0
    # A finding in an example or development file is not the same as one in production: a rename
    # that makes a file production makes its findings the change's.
    # Past the deadline the base is not reviewed: every finding then counts as new (stricter, never laxer).
    silenced_on_base: list[Finding] = []
    with budget.ledger(fresh=True):  # a base file's stops make its findings fewer: head findings count as new
        base_findings = _review_files(base, config, base_targets, deadline=deadline, file_budget=file_budget,
                                      silenced=silenced_on_base, only=asked).findings
    silenced = Counter(f.identity(to_head) for f in silenced_on_base)
    baseline: Counter[tuple[str, ...]] = Counter(
        (*f.identity(to_head), "context" if f.context else "") for f in base_findings
    )
    made, before, still_silenced = [], [], 0
    for finding in findings:
        key = (*finding.identity(), "context" if finding.context else "")
        if finding.rewritten_suppression and silenced[finding.identity()] > 0:
            # The base's suppression silenced this very finding: the change moved or reformatted it.
            silenced[finding.identity()] -= 1
            still_silenced += 1
            continue
        # A file the change touches that cannot be reviewed is the change's business even when the
        # base had the same problem: it is never waved through.
        if finding.rule in _ENGINE_RULES and change.touches_finding(finding):
            made.append(finding)
        elif baseline[key] > 0:
            baseline[key] -= 1
            before.append(finding)
        else:
            made.append(finding)
    kept = [f for f in before if change.touches_file(f.path) and f.rule not in _ENGINE_RULES]
    return made, kept, still_silenced


__all__ = ["Change", "Finding", "Location", "Note", "Report", "Severity", "review"]  # value types re-exported
