"""The `dockreview` command line (`python -m dockreview.bot.cli`, or the `dockreview` script).

    commands   the parser and dispatch (`main`)
    common     what check and diff share: exit codes, usage errors, the config, writing the report
    check      `check [PATH ...]`, on several processes for large trees (parallel)
    diff       `diff --base REF`, reading the change with git plumbing (gitrepo)
    catalog    `rules` and `rule CODE|SLUG`
    app        the App's commands: serve, worker, setup, redeliver, replay (imported lazily)
    processes  start-up of the long-running `serve` and `worker` processes
    setup      `setup`: register the App with GitHub's manifest flow

`check`, `diff`, `rules` and `rule` never import the App's dependencies (a test and an import
contract in .importlinter keep it so).
"""

from __future__ import annotations

from dockreview.bot.cli.commands import build_parser, console, main

__all__ = ["build_parser", "console", "main"]
