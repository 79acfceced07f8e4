"""Configuration: which rules run, at what severity, on which files, and what fails the check.

Read from `.github/dockreview.yml` (or `.dockreview.yml`, or the `[tool.dockreview]` table of a
`pyproject.toml`: `Config.from_pyproject`), validated against the JSON Schema in
`rules/schema/config.schema.json`. An invalid file is reported with the line of the bad key and
the defaults are used instead, so a typo never silently switches the review off.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from dockreview.rules.finding import Confidence, Severity
from dockreview.rules.globs import matches
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.errors import ParseError
from dockreview.rules.values import define, field

CONFIG_PATHS = (".github/dockreview.yml", ".github/dockreview.yaml", ".dockreview.yml", ".dockreview.yaml")
# Read after CONFIG_PATHS, and only when it has a `[tool.dockreview]` table.
PYPROJECT = "pyproject.toml"

# Files named for development, testing or examples are not production. A pattern without `/`
# matches the file name; one with `/` matches the path from the repository root.
DEFAULT_NON_PRODUCTION = (
    "*dev*",
    "*local*",
    "*override*",
    "*test*",
    "*debug*",
    "*example*",
    "*sample*",
    "*demo*",
    "*.ci.*",
    "**/test/**",
    "**/tests/**",
    "**/testdata/**",
    "**/e2e/**",
    "**/.examples/**",
    "**/dev/**",
    "**/devenv/**",
    "**/.devcontainer/**",
)

# Trees of documentation, tutorials and examples: reviewed, at a lower confidence (never inline by
# default), like the files the default patterns above name. Patterns as above.
DEFAULT_LOWERED_TREES = (
    "**/docs/**",
    "**/doc/**",
    "**/tutorial*/**",
    "**/examples/**",
    "**/example/**",
    "**/samples/**",
    "**/sample/**",
)


@define
class ConfigIssue:
    path: str
    line: int
    message: str


@define
class RuleSetting:
    severity: Severity | None = None  # None: the rule's default
    enabled: bool = True
    ignore: tuple[str, ...] = ()


@define
class Config:
    fail_on: str = "error"
    # The lowest confidence that fails the check (with `fail_on`), when the config sets one. None
    # (the default): every confidence counts, the stricter choice for a required check, except
    # findings lowered for an example, test or development file (`Finding.context`), which were
    # never reviewed before they were lowered and do not fail a check by default.
    fail_on_confidence: Confidence | None = None
    ignore: tuple[str, ...] = ()
    # The `ignore:` patterns of the config file (a CLI `--exclude` adds to `ignore` only): the
    # review lists what they skip, so a tree is never left out silently.
    written_ignore: tuple[str, ...] = ()
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    production_include: tuple[str, ...] = ()
    production_exclude: tuple[str, ...] = DEFAULT_NON_PRODUCTION
    # `production.exclude` written in the config: its files are not reviewed by production rules at
    # all. With the default patterns they are reviewed at a lower confidence instead (`context_of`).
    production_exclude_configured: bool = False
    max_file_size: int = 2 * 1024 * 1024
    max_comments: int = 30
    suggestions: bool = True
    # The lowest confidence commented inline; the others go to the check run summary and the review body.
    inline_confidence: Confidence = Confidence.HIGH
    # `suppressions: {from_pull_request: true}`: `dockreview: ignore` comments a change adds silence
    # findings. By default they do not: a pull request cannot switch off its own review.
    suppressions_from_pull_request: bool = False
    source: str | None = None
    issues: list[ConfigIssue] = field(default_factory=list)

    def is_production(self, path: str, *, strict: bool = False) -> bool:
        """Whether production rules review `path`. A file the default non-production patterns name
        is reviewed (its findings at a lower confidence, see `context_of`) unless `strict`, which
        rules about development tooling use (a dev server in a dev file is its job)."""
        lowered = path.lower()
        if self.production_include and _matches_file(lowered, self.production_include):
            return True
        if not _matches_file(lowered, self.production_exclude):
            return True
        return not (strict or self.production_exclude_configured)

    def context_of(self, path: str) -> str | None:
        """Why findings in `path` get a lower confidence: the default pattern that names it as
        development, test, example or documentation; None for production (`production.include`
        wins) and when the config writes its own `production.exclude`."""
        lowered = path.lower()
        if self.production_exclude_configured or (
            self.production_include and _matches_file(lowered, self.production_include)
        ):
            return None
        pattern = _default_lowering_pattern(lowered)
        if pattern is None:
            return None
        return f"`{path}` matches `{pattern}`, a development, test or example file by default"

    def decides_production(self, path: str) -> bool:
        """Whether the written production patterns decide for `path` (a written `production.exclude`,
        or a `production.include` that names it): then no default context lowers its findings."""
        return self.production_exclude_configured or bool(
            self.production_include and _matches_file(path.lower(), self.production_include)
        )

    def is_ignored(self, path: str) -> bool:
        return bool(self.ignore) and matches(path, self.ignore)

    def setting_for(self, code: str, slug: str, category: str) -> RuleSetting:
        for key in (code, slug, category):
            if key in self.rules:
                return self.rules[key]
        return RuleSetting()

    def fails(self, severity: Severity, confidence: Confidence = Confidence.HIGH, *, in_context: bool = False) -> bool:
        """Whether a finding fails the check; `in_context`: its confidence was lowered because its
        file is an example, test or development one."""
        if self.fail_on == "never" or severity.rank < Severity(self.fail_on).rank:
            return False
        if self.fail_on_confidence is None:
            return not in_context
        return confidence.rank >= self.fail_on_confidence.rank

    def describe_fail_on(self) -> str:
        """`fail_on` as the config would write it: `error`, or `{severity: error, confidence: high}`."""
        if self.fail_on == "never" or self.fail_on_confidence is None:
            return self.fail_on
        return f"{{severity: {self.fail_on}, confidence: {self.fail_on_confidence}}}"

    # --- loading ------------------------------------------------------------------------------
    @classmethod
    def from_text(cls, text: str, source: str) -> Config:
        """Parse and validate; on any problem return defaults carrying the issues."""
        from dockreview.rules.parse import yamlsrc

        try:
            data = yamlsrc.load(text)
        except ParseError as exc:
            return cls(source=source, issues=[ConfigIssue(source, exc.line, exc.message)])
        if data is None:
            return cls(source=source)
        issues = validate(data, source)
        if issues:
            return cls(source=source, issues=issues)
        return cls.from_dict(data, source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Config:
        config = cls(source=source)
        fail_on = data.get("fail_on", config.fail_on)
        if isinstance(fail_on, dict):
            config.fail_on = str(fail_on.get("severity", config.fail_on))
            if "confidence" in fail_on:
                config.fail_on_confidence = Confidence(str(fail_on["confidence"]))
        else:
            config.fail_on = str(fail_on)
        config.ignore = tuple(data.get("ignore") or ())
        config.written_ignore = config.ignore
        for key, value in (data.get("rules") or {}).items():
            config.rules[str(key)] = _rule_setting(value)
        production = data.get("production") or {}
        config.production_include = tuple(production.get("include") or ())
        if "exclude" in production:
            config.production_exclude = tuple(production.get("exclude") or ())
            config.production_exclude_configured = True
        config.max_file_size = int(data.get("max_file_size", config.max_file_size))
        review = data.get("review") or {}
        config.max_comments = int(review.get("max_comments", config.max_comments))
        config.suggestions = bool(review.get("suggestions", config.suggestions))
        config.inline_confidence = Confidence(str(review.get("inline_confidence", config.inline_confidence)))
        suppressions = data.get("suppressions") or {}
        config.suppressions_from_pull_request = bool(suppressions.get("from_pull_request", False))
        return config

    @classmethod
    def from_pyproject(cls, text: str, source: str) -> Config | None:
        """The `[tool.dockreview]` table of a pyproject.toml (the same keys as the YAML file), or None
        when the file has no such table. Issues point at the line of the offending key."""
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
            return cls(source=source, issues=[ConfigIssue(source, line, f"invalid TOML: {exc}")])
        tool = data.get("tool")
        table = tool.get("dockreview") if isinstance(tool, dict) else None
        if table is None:
            return None
        issues = validate(table, source, lambda path: _toml_line(text, path))
        if issues:
            return cls(source=source, issues=issues)
        return cls.from_dict(table, source)

    @classmethod
    def from_file(cls, path: str, text: str, source: str) -> Config | None:
        """A config file by its name: TOML (a pyproject.toml; None without `[tool.dockreview]`) or YAML."""
        if path.endswith(".toml"):
            return cls.from_pyproject(text, source)
        return cls.from_text(text, source)

    def unknown_rule_keys(self, known: set[str]) -> list[str]:
        return [key for key in self.rules if key not in known]


# Asked for every file by every rule: cached (bounded, the worker runs for long).
@lru_cache(maxsize=16384)
def _default_lowering_pattern(lowered: str) -> str | None:
    """The first default pattern naming `lowered` a development, test or example file."""
    for pattern in (*DEFAULT_NON_PRODUCTION, *DEFAULT_LOWERED_TREES):
        if _matches_file(lowered, (pattern,)):
            return pattern
    return None


@lru_cache(maxsize=16384)
def _matches_file(path: str, patterns: tuple[str, ...]) -> bool:
    """Case-insensitive; a pattern without `/` matches the file name, one with `/` the path."""
    name = path.rsplit("/", 1)[-1]
    return any(matches(path if "/" in p else name, (p.lower(),)) for p in patterns)


def _rule_setting(value: Any) -> RuleSetting:
    if value is False or value == "off":
        return RuleSetting(enabled=False)
    if value is True:
        return RuleSetting()
    if isinstance(value, str):
        return RuleSetting(severity=Severity(value))
    severity = value.get("severity")
    setting = RuleSetting(ignore=tuple(value.get("ignore") or ()))
    if severity == "off":
        setting.enabled = False
    elif severity:
        setting.severity = Severity(severity)
    return setting


@cache
def schema() -> dict[str, Any]:
    import json  # only when a config file is validated
    from importlib import resources

    text = resources.files("dockreview.rules").joinpath("schema/config.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)  # a JSON Schema document: an object
    return loaded


def validate(data: Any, source: str, locate: Callable[[list[Any]], int] | None = None) -> list[ConfigIssue]:
    """Schema errors with the line of the offending key (`locate(path)`; default: YAML positions)."""
    import jsonschema  # only when a config file exists: keeps CLI start-up fast

    validator = jsonschema.Draft202012Validator(schema())
    issues = []
    for error in sorted(validator.iter_errors(_plain(data)), key=lambda e: list(map(str, e.path))):
        error = _branch_error(error)
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            extra = [k for k in error.instance if k not in allowed]
            path = path + extra[:1]
        line = locate(path) if locate is not None else _line_of_path(data, path)
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        issues.append(ConfigIssue(source, line, f"invalid config at `{where}`: {error.message}"))
    return issues


def _branch_error(error: Any) -> Any:
    """For a key with several forms (`fail_on: error` or `{severity, confidence}`), the error of the
    form the value was written in, not "is not valid under any of the given schemas"."""
    if error.validator != "oneOf" or not error.context:
        return error
    fitting = [e for e in error.context if e.validator != "type"]
    mapping = isinstance(error.instance, dict)  # written as a mapping: the enum form is not the one meant
    return max(fitting, key=lambda e: (len(e.absolute_path), mapping and e.validator != "enum")) if fitting else error


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _line_of_path(root: Any, path: list[Any]) -> int:
    from dockreview.rules.parse import yamlsrc

    node, line = root, yamlsrc.line_of(root)
    for part in path:
        if isinstance(node, dict) and part in node:
            line = yamlsrc.key_line(node, part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            line = (yamlsrc.item_position(node, part) or (line, 1))[0]
            node = node[part]
        else:
            break
    return line


_TOML_HEADER = lazy(r"^\s*\[\[?\s*tool\s*\.\s*dockreview\s*((?:\.[^\]]*)?)\]")


def _toml_line(text: str, path: list[Any]) -> int:
    """The line of `path` inside `[tool.dockreview]`: the table's header, then each key in turn
    (`key =` or a `[tool.dockreview.key]` header). TOML parsers keep no positions: a text scan."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _TOML_HEADER.match(line)), None)
    if start is None:
        return 1
    found = start
    for part in (p for p in path if isinstance(p, str)):
        key = re.escape(part)
        quoted = rf"[\"']?{key}[\"']?"
        pattern = re.compile(rf"^\s*(?:{quoted}\s*=|\[\s*tool\s*\.\s*dockreview\s*\.(?:.*\.)?\s*{quoted}\s*\])")
        nxt = next((i for i in range(found + 1, len(lines)) if pattern.match(lines[i])), None)
        if nxt is None:
            break
        found = nxt
    return found + 1
