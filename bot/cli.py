"""The `dockreview` command line.

    dockreview check [PATH ...]          review every Docker-related file under the paths
    dockreview diff --base REF [--head REF]   review what a change adds (a pull request, a branch)
    dockreview rules                     list the rule catalog
    dockreview rule CODE|SLUG            a rule's documentation
    dockreview serve / worker            the GitHub App: webhook service, queue workers
    dockreview setup / redeliver / replay   register the App, recover missed deliveries, replay one

Exit status: 0 nothing at or above the fail threshold, 1 something is, 2 usage error or crash.

Start-up matters (pre-commit runs this on every commit): this module imports only the standard
library at the top; the analysis library, git plumbing and each output format are imported when a
command needs them, and never the GitHub App's dependencies.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from dockreview.rules.config import Config
    from dockreview.rules.engine import Report
    from dockreview.rules.snapshot import Snapshot

PROG = "dockreview"
FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = ("error", "warning", "note", "never")
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user (missing path, unknown rule, bad revision): exit 2 with a message."""


class _VersionAction(argparse.Action):
    """`--version`, looking the version up only when asked (importlib.metadata costs ~15 ms)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kw: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kw: object) -> None:
        sys.stdout.write(f"{PROG} {_version()}\n")
        parser.exit()


# --- argument parsing -------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Review Docker-related files (Dockerfiles, compose files, workflows, .dockerignore, "
        "scripts) and say on the exact line what will break in production.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="config file (default: .github/dockreview.yml if present)")
    common.add_argument(
        "--fail-on", choices=FAIL_ON, help="lowest severity that makes the exit status 1 (default: the config's, error)"
    )
    common.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    common.add_argument("--no-color", action="store_true", help="no ANSI colours (also: NO_COLOR=1)")

    check = sub.add_parser(
        "check",
        parents=[common],
        help="review every Docker-related file under the paths",
        description="Review every Docker-related file under PATH (default: the current directory).",
    )
    check.add_argument("paths", nargs="*", metavar="PATH", default=["."])
    check.add_argument("--jobs", "-j", type=int, metavar="N",
                       help="processes to review with (default: one per core for large trees, else 1)")
    check.set_defaults(handler=cmd_check)

    diff = sub.add_parser(
        "diff",
        parents=[common],
        help="review what a git change adds",
        description="Review the change from the merge base of --base and HEAD (or --head) to HEAD (or "
        "the working tree, untracked files included, when --head is not given). Only findings on added "
        "or modified lines, and those the change causes elsewhere, are reported.",
    )
    diff.add_argument("--base", required=True, metavar="REF", help="the branch or commit the change is against")
    diff.add_argument("--head", metavar="REF", help="the changed commit (default: the working tree)")
    diff.set_defaults(handler=cmd_diff)
    for command in (check, diff):
        # `github-review`: the pull request review and check run the App would post, as markdown.
        command.add_argument("--format", choices=(*FORMATS, "github-review"), default="text",
                             help="output format (default: text)")

    from dockreview.bot.cli_app import add_app_commands

    add_app_commands(sub)

    rules_cmd = sub.add_parser("rules", help="list the rules", description="List the rule catalog.")
    rules_cmd.add_argument("--format", choices=("text", "json"), default="text")
    rules_cmd.set_defaults(handler=cmd_rules)

    rule_cmd = sub.add_parser("rule", help="show a rule's documentation", description="Show a rule's documentation.")
    rule_cmd.add_argument("name", metavar="CODE|SLUG")
    rule_cmd.set_defaults(handler=cmd_rule)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_ERROR
    except Exception as exc:
        from dockreview.bot.gitrepo import GitError

        if isinstance(exc, GitError):
            print(f"{PROG}: error: {exc}", file=sys.stderr)
        else:
            print(f"{PROG}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            if os.environ.get("DOCKREVIEW_DEBUG"):
                import traceback

                traceback.print_exc()
        return EXIT_ERROR


# --- check --------------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    from dockreview.rules.engine import Note
    from dockreview.rules.snapshot import Snapshot

    cwd = Path.cwd()
    targets = [Path(os.path.abspath(p)) for p in args.paths]
    for original, target in zip(args.paths, targets, strict=True):
        if not target.exists():
            raise UsageError(f"{original}: no such file or directory")
    root = snapshot_root(cwd, targets)
    snapshot = Snapshot.from_directory(root)
    config = load_config(args, snapshot, root)
    paths, missing = select_paths(snapshot, root, targets)
    jobs = args.jobs
    if jobs is None:
        from dockreview.bot.parallel import default_jobs

        jobs = default_jobs(len(paths))
    if jobs > 1 and len(paths) > 1:
        from dockreview.bot.parallel import review_parallel

        report = review_parallel(root, paths, config, jobs)
        _add_config_notes(report, config)
    else:
        report = _review(snapshot, config, paths=paths)
    report.errors.extend(Note(_rel(p, root), "in a directory dockreview never reads; not reviewed") for p in missing)
    return finish(args, report, snapshot, config, root, cwd)


def snapshot_root(cwd: Path, targets: list[Path]) -> Path:
    """The current directory when every path is under it, else the paths' common directory."""
    if all(_is_under(t, cwd) for t in targets):
        return cwd
    dirs = [t if t.is_dir() else t.parent for t in targets]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def select_paths(snapshot: Snapshot, root: Path, targets: list[Path]) -> tuple[list[str], list[Path]]:
    """Root-relative Docker-related paths under the targets; explicit files the snapshot lacks."""
    chosen: dict[str, None] = {}
    missing: list[Path] = []
    for target in targets:
        rel = _rel(target, root)
        if target.is_dir():
            prefix = "" if rel == "." else rel + "/"
            for path in snapshot.paths:
                if path.startswith(prefix) and snapshot.file_type(path) is not None:
                    chosen[path] = None
        elif snapshot.has(rel):
            if snapshot.file_type(rel) is not None:  # pre-commit may pass files that are not ours
                chosen[rel] = None
        else:
            missing.append(target)
    return list(chosen), missing


def _is_under(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _rel(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


# --- diff ---------------------------------------------------------------------------------------
def cmd_diff(args: argparse.Namespace) -> int:
    from dockreview.bot.gitrepo import GitError, GitRepo

    for ref in (args.base, args.head):
        if ref is not None and (not ref or ref.startswith("-")):
            raise UsageError(f"invalid revision {ref!r}")
    cwd = Path.cwd()
    with GitRepo(cwd) as repo:
        try:
            base_tip = repo.resolve(args.base)
        except GitError as exc:
            raise UsageError(f"unknown revision {args.base!r} (--base)") from exc
        try:
            head_rev = repo.resolve(args.head) if args.head else None
        except GitError as exc:
            raise UsageError(f"unknown revision {args.head!r} (--head)") from exc
        merge_base = repo.merge_base(base_tip, head_rev or "HEAD")
        base = repo.snapshot_at(merge_base)
        head = repo.snapshot_at(head_rev) if head_rev else repo.snapshot_worktree()
        config = load_config(args, head, repo.root)
        base.max_bytes = config.max_file_size
        change = repo.change(merge_base, head_rev)
        report = _review(head, config, change=change, base=base)
        if args.format == "github-review":
            return _github_review(args, report, config, repo.patches(merge_base, head_rev), head_rev or "HEAD")
        return finish(args, report, head, config, repo.root, cwd, diff=True)


# --- shared -------------------------------------------------------------------------------------
def load_config(args: argparse.Namespace, snapshot: Snapshot, root: Path) -> Config:
    from dockreview.rules.config import CONFIG_PATHS, Config

    config: Config
    if args.config:
        path = Path(os.path.abspath(args.config))
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError as exc:
            raise UsageError(f"--config {args.config}: {exc.strerror or exc}") from exc
        source = _rel(path, root) if _is_under(path, root) else str(path)
        config = Config.from_text(text, source)
    else:
        found = next((p for p in CONFIG_PATHS if snapshot.has(p)), None)
        text = snapshot.text(found) if found else None
        config = Config.from_text(text, found) if found and text is not None else Config()
    if args.fail_on:
        config.fail_on = args.fail_on
    return config


def _review(snapshot: Snapshot, config: Config, **kw: object) -> Report:
    from dockreview.rules.engine import review

    report = review(snapshot, config, **kw)  # type: ignore[arg-type]
    _add_config_notes(report, config)
    return report


def _add_config_notes(report: Report, config: Config) -> None:
    from dockreview.rules import catalog
    from dockreview.rules.engine import Note

    if config.source and not config.issues:
        known = {r.code for r in catalog.all_rules()} | {r.slug for r in catalog.all_rules()}
        known |= {str(r.category) for r in catalog.all_rules()}
        for key in config.unknown_rule_keys(known):
            report.errors.append(Note(config.source, f"rules: unknown rule or category `{key}`; it changes nothing"))


def _github_review(args: argparse.Namespace, report: Report, config: Config, patches: dict[str, str] | None,
                   head: str) -> int:
    """Print exactly what the App would post: the review with its inline comments, then the check run."""
    from dockreview.bot.review.diffmap import DiffMap
    from dockreview.bot.review.render import render_review_markdown

    diff = DiffMap.from_patches(patches) if patches is not None else None
    _write(args, render_review_markdown(report.findings, diff, head, config))
    return EXIT_FINDINGS if report.failing(config) else EXIT_OK


def _write(args: argparse.Namespace, text: str) -> None:
    if args.output not in (None, "-"):
        try:
            Path(args.output).write_text(text, "utf-8")
        except OSError as exc:
            raise UsageError(f"--output {args.output}: {exc.strerror or exc}") from exc
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def finish(args: argparse.Namespace, report: Report, snapshot: Snapshot, config: Config, root: Path, cwd: Path,
           *, diff: bool = False) -> int:
    from dockreview.bot.output import Run, render

    if args.format == "github-review":
        return _github_review(args, report, config, None, "HEAD")

    to_file = args.output not in (None, "-")
    color = (
        args.format == "text"
        and not to_file
        and not args.no_color
        and not os.environ.get("NO_COLOR")
        and _isatty(sys.stdout)
    )
    run = Run(report=report, snapshot=snapshot, config=config, root=root, cwd=cwd, color=color, diff=diff)
    _write(args, render(args.format, run))
    return EXIT_FINDINGS if report.failing(config) else EXIT_OK


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _silence_stdout() -> None:
    """After EPIPE (`dockreview check | head`), stop Python complaining while flushing at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("dockreview")
    except Exception:
        return "unknown"


# --- the catalog --------------------------------------------------------------------------------
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
    lines += ["", rule.docs() or rule.summary, "", f"Fix: {rule.fix}", f"Docs: {rule.docs_url()}"]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
