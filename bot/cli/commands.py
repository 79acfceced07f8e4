"""The `dockreview` command line.

    dockreview check [PATH ...]          review every Docker-related file under the paths
    dockreview diff --base REF [--head REF]   review what a change adds (a pull request, a branch)
    dockreview rules                     list the rule catalog
    dockreview rule CODE|SLUG            a rule's documentation
    dockreview serve / worker            the GitHub App: webhook service, queue workers
    dockreview setup / redeliver / replay   register the App, recover missed deliveries, replay one

Exit status: 0 nothing at or above the fail threshold, 1 something is, 2 usage error or crash.

This module builds the parser and dispatches to the command modules beside it.

Start-up matters (pre-commit runs this on every commit): this module and every command module it
imports import only the standard library at the top; the analysis library, git plumbing and each
output format are imported when a command needs them, and `check`, `diff`, `rules` and `rule` never
import the GitHub App's dependencies.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any, NoReturn

from dockreview.bot.cli.app import add_app_commands
from dockreview.bot.cli.catalog import cmd_rule, cmd_rules
from dockreview.bot.cli.check import cmd_check
from dockreview.bot.cli.common import EXIT_ERROR, FAIL_ON, FORMATS, PROG, UsageError
from dockreview.bot.cli.diff import cmd_diff


class _VersionAction(argparse.Action):
    """`--version`, looking the version up only when asked (importlib.metadata costs ~15 ms)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kw: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kw: object) -> None:
        sys.stdout.write(f"{PROG} {_version()}\n")
        parser.exit()


# --- argument parsing -------------------------------------------------------------------------
def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` finds it ($COLUMNS, then stdout, else 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout. argparse builds one for every argument it adds and finds the width
    with shutil, whose import (with bz2, lzma and zlib) cost every command 2-3 ms of start-up."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser with `_Formatter` (its subcommands' parsers are of this class too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Review Docker-related files (Dockerfiles, compose files, workflows, .dockerignore, "
        "scripts) and say on the exact line what will break in production.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    common = _Parser(add_help=False)
    common.add_argument("--config", metavar="FILE",
                        help="config file: YAML, or a pyproject.toml with [tool.dockreview] (default: "
                        ".github/dockreview.yml, .dockreview.yml or pyproject.toml, found from the current "
                        "directory up to the repository's top)")
    common.add_argument("--no-config", action="store_true", help="ignore any config file: review with the defaults")
    common.add_argument(
        "--fail-on", choices=FAIL_ON, help="lowest severity that makes the exit status 1 (default: the config's, error)"
    )
    common.add_argument("--output", "--output-file", "-o", dest="output", metavar="FILE",
                        help="write the report to FILE instead of stdout")
    common.add_argument("--color", choices=("auto", "always", "never"),
                        help="ANSI colours in text output (default auto: on a terminal, unless NO_COLOR is set; "
                        "FORCE_COLOR turns them on)")
    common.add_argument("--no-color", action="store_true", help="the same as --color never")
    common.add_argument("--select", action="append", metavar="RULES",
                        help="only these rules: codes, prefixes (DR1), slugs or categories, comma-separated")
    common.add_argument("--extend-select", action="append", metavar="RULES", help="add rules to --select")
    common.add_argument("--ignore", action="append", metavar="RULES", help="switch these rules off")
    common.add_argument("--exclude", action="append", metavar="GLOBS",
                        help="do not review files matching these globs (comma-separated; added to the config's "
                        "`ignore:`)")
    common.add_argument("--quiet", "-q", action="store_true",
                        help="text output: only the findings, no notes or summary line")
    common.add_argument("--statistics", action="store_true",
                        help="print how many findings each rule has instead of the findings")

    check = sub.add_parser(
        "check",
        parents=[common],
        help="review every Docker-related file under the paths",
        description="Review every Docker-related file under PATH (default: the current directory). "
        "PATH `-` reads one file from stdin (named by --stdin-filename).",
    )
    check.add_argument("paths", nargs="*", metavar="PATH", default=["."])
    check.add_argument("--stdin-filename", metavar="NAME",
                       help="the name of the file read from stdin (PATH `-`; default: Dockerfile)")
    check.add_argument("--jobs", "-j", type=int, metavar="N",
                       help="processes to review with (default: one per core for large trees, else 1)")
    check.add_argument("--show-files", action="store_true",
                       help="list the files that would be reviewed, with their kind, and exit")
    check.add_argument("--respect-gitignore", action=argparse.BooleanOptionalAction, default=True,
                       help="skip files that git ignores (.gitignore, .git/info/exclude) when walking a "
                       "directory (default: on)")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe suggestions to the files, then report what is left")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff: apply the unsafe suggestions too")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes --fix would apply as a unified diff; change nothing")
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

    add_app_commands(sub)

    rules_cmd = sub.add_parser("rules", help="list the rules", description="List the rule catalog.")
    rules_cmd.add_argument("--format", choices=("text", "json"), default="text")
    rules_cmd.set_defaults(handler=cmd_rules)

    rule_cmd = sub.add_parser("rule", help="show a rule's documentation", description="Show a rule's documentation.")
    rule_cmd.add_argument("name", metavar="CODE|SLUG")
    rule_cmd.set_defaults(handler=cmd_rule)
    return parser


REVIEW_COMMANDS = ("check", "diff")


def main(argv: list[str] | None = None, *, exit_after_review: bool = False) -> int:
    """Run one command and return its exit status. With `exit_after_review` (the `dockreview`
    script), a `check` or `diff` ends the process as soon as its output is out (`_exit_now`)."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # said by the subcommand, with its own usage (not the top-level one)
            subcommand = _subcommands(parser).get(getattr(args, "command", None) or "", parser)
            subcommand.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    review = getattr(args, "command", None) in REVIEW_COMMANDS
    if review:  # not for `serve` or `worker`: only the App's engine child runs reviews
        from dockreview.rules.budget import collect_less_during_reviews

        collect_less_during_reviews()
    status = _run(args)
    if review and exit_after_review and not _observed():
        _exit_now(status)
    return status


def _observed() -> bool:
    """Whether a profiler, tracer or coverage tool watches this process: their results are written
    at the usual exit, so a review then ends that way."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring: Any = getattr(sys, "monitoring", None)  # Python 3.12+: tools may use sys.monitoring instead
    return monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))


def console() -> NoReturn:
    """The `dockreview` script and `python -m dockreview.bot.cli`."""
    sys.exit(main(exit_after_review=True))


def _run(args: argparse.Namespace) -> int:
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
        from dockreview.bot.cli.gitrepo import GitError

        if isinstance(exc, GitError):
            print(f"{PROG}: error: {exc}", file=sys.stderr)
        else:
            print(f"{PROG}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            if os.environ.get("DOCKREVIEW_DEBUG"):
                import traceback

                traceback.print_exc()
        return EXIT_ERROR


def _exit_now(status: int) -> NoReturn:
    """End the process without the interpreter's teardown, as mypy's `hard_exit` does. Freeing a
    review's objects one by one, module by module, took 40-60 ms of a 0.2 s `diff`: a fifth of a
    typical pull request's review. Everything a review writes is out by then (files are closed
    where they are written, git's processes are waited for by their `with` blocks, a parallel
    check's pool is joined), so only the standard streams and logging's handlers are flushed here."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `dockreview check | head`: as in main, a broken pipe is an error
        status = EXIT_ERROR
    except (OSError, ValueError):
        status = status or EXIT_ERROR
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.shutdown()
    os._exit(status)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


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
