"""Env templates: the `.env.example` a project ships for its users to copy to `.env`.

Compose reads `.env`, never the template. A repository that is deployed by copying the template
keeps its real `.env` out of git, so on each existing server the `.env` is the copy made when it
was installed: a variable the template gains later is not in it. What a template sets tells what
the project expects a deployment's `.env` to hold, and the value it suggests.
"""

from __future__ import annotations

from posixpath import basename, dirname

from dockreview.rules.model.compose.dotenv import EnvEntry, env_file_of
from dockreview.rules.snapshot import Snapshot

# File names of env templates, as repositories write them (compared lowercased).
TEMPLATE_NAMES = frozenset({
    ".env.example", "env.example", ".env.sample", "env.sample", ".env.dist", "env.dist", ".env.template",
    "env.template", ".env.tmpl", "example.env", "sample.env", "template.env", ".env.defaults", "default.env",
    "dot.env.example", ".env-example", ".env_example",
})


def is_env_template(path: str) -> bool:
    return basename(path).lower() in TEMPLATE_NAMES


def template_entries(snapshot: Snapshot, directory: str) -> dict[str, EnvEntry]:
    """The variables the env templates of `directory` set (a later file in name order wins); read as
    written, nothing interpolated. Once per snapshot and directory."""
    def read() -> dict[str, EnvEntry]:
        found: dict[str, EnvEntry] = {}
        for path in snapshot.paths:
            if dirname(path) == directory and is_env_template(path):
                text = snapshot.text(path)
                if text is not None:
                    found.update(env_file_of(snapshot, path, text, raw=True).values())
        return found

    return snapshot.derived(("docker:env-templates", directory), read)


__all__ = ["TEMPLATE_NAMES", "is_env_template", "template_entries"]
