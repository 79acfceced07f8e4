"""What a workflow step sees: `env:` of the step, job and workflow (step wins), and one matrix
combination. `${{ env.X }}` and `${{ matrix.x }}` are replaced by their literal values; every
other expression (`${{ github.sha }}`, `${{ secrets.X }}`, `${{ steps.meta.outputs.tags }}`) is
kept whole. In `run:` text, `$X` and `${X}` of those env entries are replaced too."""

from __future__ import annotations

import re

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.source import Origin
from dockreview.rules.parse.workflow import Input, Job, Step, Workflow
from dockreview.rules.values import define, field

_ENV = lazy(r"\$\{\{\s*env\.([A-Za-z_][\w-]*)\s*\}\}")
_MATRIX = lazy(r"\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}")
_MATRIX_USE = lazy(r"\bmatrix\.([A-Za-z_][\w-]*)")
Combination = dict[str, str]  # one matrix combination: key -> value
_SHELL = lazy(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


@define
class StepScope:
    workflow: Workflow
    job: Job
    step: Step | None
    matrix: Combination = field(default_factory=dict)
    _cache: dict[str, str | None] = field(default_factory=dict, repr=False)

    def env_entry(self, name: str) -> tuple[Input, int] | None:
        """The env entry that sets `name` (step, then job, then workflow) and its scope level (0-2)."""
        for level, scope in enumerate((self.step.env if self.step else {}, self.job.env, self.workflow.env)):
            item = scope.get(name)
            if item is not None:
                return item, level
        return None

    def env(self, name: str) -> str | None:
        """The value of env `name` with its own expressions resolved (None: not set, or not a scalar)."""
        if name in self._cache:
            return self._cache[name]
        self._cache[name] = None  # a cycle reads as unset
        found = self.env_entry(name)
        value = None
        if found is not None and (raw := found[0].value) is not None:
            level = found[1]
            # An env value sees the scopes above its own (keys of one map can't refer to each other).
            if level == 0:
                value = StepScope(self.workflow, self.job, None, self.matrix).resolve(raw)
            elif level == 1:
                value = StepScope(self.workflow, _no_env(self.job), None, self.matrix).resolve(raw)
            else:
                value = raw
        self._cache[name] = value
        return value

    def variables(self) -> dict[str, tuple[str, Origin | None]]:
        """Every env entry the step sees (step, job and workflow `env:`), resolved, with where it is set;
        entries that are not scalars are left out."""
        names = [*(self.step.env if self.step else {}), *self.job.env, *self.workflow.env]
        found: dict[str, tuple[str, Origin | None]] = {}
        for name in dict.fromkeys(names):
            value = self.env(name)
            if value is not None:
                found[name] = (value, self.env_origin(name))
        return found

    def env_origin(self, name: str) -> Origin | None:
        found = self.env_entry(name)
        return Origin(self.workflow.path, found[0].line, 1) if found else None

    def resolve(self, text: str) -> str:
        """`text` with `${{ env.X }}` and `${{ matrix.x }}` replaced where their values are known."""
        if "${{" not in text:
            return text
        text = _MATRIX.sub(self._matrix_value, text)

        def env_value(match: re.Match[str]) -> str:
            value = self.env(match.group(1))
            return value if value is not None else match.group(0)

        return _ENV.sub(env_value, text)

    def resolve_shell(self, text: str) -> str:
        """A run-step word: expressions resolved, then `$X` / `${X}` of known env entries."""
        text = self.resolve(text)
        if "$" not in text:
            return text

        def shell_value(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            value = self.env(name) if self.env_entry(name) is not None else None
            return value if value is not None and "$" not in value.replace("${{", "") else match.group(0)

        return _SHELL.sub(shell_value, text)

    def _matrix_value(self, match: re.Match[str]) -> str:
        value = self.matrix.get(match.group(1))
        return value if value is not None else match.group(0)


def _no_env(job: Job) -> Job:
    """The job with its own env hidden (for resolving a job env value against the workflow's)."""
    from dockreview.rules.values import replace

    return replace(job, env={})


def matrix_keys(text: str) -> set[str]:
    """The matrix keys an expression text refers to."""
    return set(_MATRIX_USE.findall(text)) if "matrix." in text else set()


__all__ = ["StepScope", "matrix_keys"]
