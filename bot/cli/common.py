"""What `check` and `diff` share: usage errors and exit codes, the config, the review, writing the report.

Imports only the standard library at the top (start-up matters: see bot/cli/commands.py).
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
FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit", "checkstyle")
FAIL_ON = ("error", "warning", "note", "never")
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user (missing path, unknown rule, bad revision): exit 2 with a message."""


def load_config(args: argparse.Namespace, snapshot: Snapshot, root: Path) -> Config:
    """The config in force: `--config FILE`, else the snapshot's own (.github/dockreview.yml ...),
    none with `--no-config`. An invalid config is a usage error (exit 2) with its line: reviewing with
    the defaults instead would drop its `ignore:` and `rules:` without a word."""
    from dockreview.rules.config import CONFIG_PATHS, PYPROJECT, Config

    config: Config | None
    if getattr(args, "no_config", False):
        config = Config()
    elif args.config:
        path = Path(os.path.abspath(args.config))
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError as exc:
            raise UsageError(f"--config {args.config}: {exc.strerror or exc}") from exc
        source = relative(path, root) if is_under(path, root) else str(path)
        config = Config.from_file(path.name, text, source)
        if config is None:
            raise UsageError(f"--config {args.config}: no [tool.dockreview] table")
    else:
        config = None
        for found in (*CONFIG_PATHS, PYPROJECT):
            found_text = snapshot.text(found) if snapshot.has(found) else None
            if found_text is not None:
                config = Config.from_file(found, found_text, found)
            if config is not None:
                break
        config = config or Config()
    if config.issues:
        shown = config.issues[0].path if os.path.isabs(config.issues[0].path) else str(root / config.issues[0].path)
        where = relative(Path(shown), Path.cwd()) if is_under(Path(shown), Path.cwd()) else shown
        lines = "; ".join(f"{where}:{i.line}: {i.message}" for i in config.issues[:5])
        raise UsageError(f"invalid config: {lines} (fix it, or pass --no-config to review with the defaults)")
    if args.fail_on:
        config.fail_on = args.fail_on
    apply_selection(config, getattr(args, "select", None), getattr(args, "extend_select", None),
                    getattr(args, "ignore", None))
    config.ignore = (*config.ignore, *_names(getattr(args, "exclude", None)))
    return config


def _names(values: list[str] | None) -> list[str]:
    return [n.strip() for value in values or () for n in value.split(",") if n.strip()]


def apply_selection(config: Config, select: list[str] | None, extend_select: list[str] | None,
                    ignore: list[str] | None) -> None:
    """`--select`, `--extend-select` and `--ignore` (as in ruff): codes, code prefixes (`DR1`), slugs or
    categories, comma-separated or repeated. `--select` keeps only those rules (the engine's own DR0xx
    stay unless ignored), `--extend-select` adds to it, `--ignore` switches rules off; they override
    the config file. An unknown name is a usage error."""
    if not (_names(select) or _names(extend_select) or _names(ignore)):
        return  # nothing to resolve: the catalog is not even imported
    from dockreview.rules import catalog
    from dockreview.rules.config import RuleSetting

    rules = catalog.all_rules()

    def resolve(name: str, option: str) -> set[str]:
        upper = name.upper()
        found = {r.code for r in rules if r.code.startswith(upper) or name.lower() in (r.slug, str(r.category))}
        if upper in ("ALL", "DR"):
            found = {r.code for r in rules}
        if not found:
            raise UsageError(f"{option} {name}: no rule has this code, prefix, slug or category "
                             "(see `dockreview rules`)")
        return found

    chosen = [(n, "--select") for n in _names(select)] + [(n, "--extend-select") for n in _names(extend_select)]
    if _names(select):
        kept = {r.code for r in rules if r.code.startswith("DR0")}
        for name, option in chosen:
            kept |= resolve(name, option)
        for rule in rules:
            if rule.code not in kept:
                config.rules[rule.code] = RuleSetting(enabled=False)
            elif rule.code in config.rules and not config.rules[rule.code].enabled:
                config.rules[rule.code] = RuleSetting()
    for name in _names(ignore):
        for code in resolve(name, "--ignore"):
            config.rules[code] = RuleSetting(enabled=False)


def config_root(start: Path) -> Path | None:
    """The nearest directory from `start` up that has a config file (a pyproject.toml counts when it
    has `[tool.dockreview]`), not above the repository's top (the first directory with `.git`); None
    when there is none."""
    from dockreview.rules.config import CONFIG_PATHS, PYPROJECT

    for directory in (start, *start.parents):
        if any((directory / p).is_file() for p in CONFIG_PATHS):
            return directory
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return directory
        if (directory / ".git").exists():
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    import tomllib

    try:
        data = tomllib.loads(path.read_text("utf-8", errors="replace"))
    except (OSError, tomllib.TOMLDecodeError):
        return True  # let loading it report the problem
    tool = data.get("tool")
    return isinstance(tool, dict) and "dockreview" in tool


def run_review(snapshot: Snapshot, config: Config, **kw: object) -> Report:
    from dockreview.rules.engine import review

    report = review(snapshot, config, **kw)  # type: ignore[arg-type]
    add_config_notes(report, config)
    return report


def add_config_notes(report: Report, config: Config) -> None:
    from dockreview.rules import catalog
    from dockreview.rules.engine import Note

    if config.source and not config.issues:
        known = {r.code for r in catalog.all_rules()} | {r.slug for r in catalog.all_rules()}
        known |= {str(r.category) for r in catalog.all_rules()}
        for key in config.unknown_rule_keys(known):
            report.errors.append(Note(config.source, f"rules: unknown rule or category `{key}`; it changes nothing"))


def github_review(args: argparse.Namespace, report: Report, config: Config, patches: dict[str, str] | None,
                  head: str, repo_url: str | None = None) -> int:
    """Print exactly what the App would post for this report: the review with its inline comments,
    then the check run (the same functions render both)."""
    from dockreview.bot.review.diffmap import DiffMap
    from dockreview.bot.review.render import render_markdown

    diff = DiffMap.from_patches(patches) if patches is not None else None
    write(args, render_markdown(report, diff, config, head, repo_url))
    return EXIT_FINDINGS if report.fails(config) else EXIT_OK


def write(args: argparse.Namespace, text: str) -> None:
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
        return github_review(args, report, config, None, "HEAD")

    color = args.format in ("text", "concise") and use_color(args)
    run = Run(report=report, snapshot=snapshot, config=config, root=root, cwd=cwd, color=color, diff=diff,
              quiet=bool(getattr(args, "quiet", False)))
    if getattr(args, "statistics", False):
        from dockreview.bot.output.statistics import render as statistics

        write(args, statistics(run, args.format))
    else:
        write(args, render(args.format, run))
    return EXIT_FINDINGS if report.fails(config) else EXIT_OK


def use_color(args: argparse.Namespace) -> bool:
    """`--color always|never` (`--no-color`), else auto: never to a file or with NO_COLOR set (any
    value but empty), always with FORCE_COLOR set, else only when stdout is a terminal
    (https://no-color.org, https://force-color.org)."""
    choice = "never" if args.no_color else (args.color or "auto")
    if choice != "auto":
        return choice == "always"
    if args.output not in (None, "-") or os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or _isatty(sys.stdout)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def is_under(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
