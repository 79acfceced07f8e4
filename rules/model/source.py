"""Where a resolved value comes from: the file, line and column that set it, and how it was resolved.

Every value of the resolved model keeps its `Origin`, so a finding lands on the line to change, in
whichever file that is (an included compose file, an override, the `.env` that sets a tag, the
workflow `env:` that names a registry). A `Resolved` scalar also records the variables that went
into it (`${TAG:-latest}`, a build arg, `${{ env.REGISTRY }}`), so a rule can tell "written here"
from "defaulted because unset" from "set in `.env` on line 3".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from dockreview.rules.values import field, frozen

T = TypeVar("T")


@frozen
class Origin:
    """A place in the repository: 1-based line and column; `end_line` for a block. Ordered as
    `@dataclass(order=True)` orders: by path, line, column, then end line."""

    path: str
    line: int
    column: int = 1
    end_line: int | None = None

    def _key(self) -> tuple[str, int, int, int | None]:
        return self.path, self.line, self.column, self.end_line

    def __lt__(self, other: Origin) -> bool:
        return self._key() < other._key() if other.__class__ is Origin else NotImplemented

    def __le__(self, other: Origin) -> bool:
        return self._key() <= other._key() if other.__class__ is Origin else NotImplemented

    def __gt__(self, other: Origin) -> bool:
        return self._key() > other._key() if other.__class__ is Origin else NotImplemented

    def __ge__(self, other: Origin) -> bool:
        return self._key() >= other._key() if other.__class__ is Origin else NotImplemented

    @property
    def last_line(self) -> int:
        return self.end_line or self.line


@frozen
class Located(Generic[T]):
    """A value and the place that set it."""

    value: T
    origin: Origin


class VarSource(StrEnum):
    """Where the value of a variable reference came from."""

    ENV_FILE = "env_file"  # a `.env` / `env_file` / `--env-file` of the repository
    DEFAULT = "default"  # the default written in the reference (`${V:-d}`, `${V-d}`), the variable being unset
    UNSET = "unset"  # no value and no default: empty (compose warns)
    REQUIRED = "required"  # `${V:?msg}` / `${V?msg}` and unset: the deploy must set it, or it fails
    BUILD_ARG = "build_arg"  # a build argument (compose `build.args`, workflow `build-args`, bake `args`)
    ARG_DEFAULT = "arg_default"  # the default of a Dockerfile `ARG`
    WORKFLOW_ENV = "workflow_env"  # a workflow, job or step `env:` entry
    MATRIX = "matrix"  # a matrix value
    RUNTIME = "runtime"  # decided when the workflow or deploy runs (`${{ github.ref_name }}`, a secret)
    DOCKERFILE_ENV = "dockerfile_env"  # a Dockerfile `ENV` in effect (its stage, or a stage it is built FROM)
    COMPOSE = "compose"  # set by compose itself: `COMPOSE_PROJECT_NAME`, the resolved project name


@frozen
class VariableUse:
    """One variable reference inside a value, and what it resolved to."""

    name: str
    source: VarSource
    value: str | None  # what it resolved to (None: unknown until run time, or unset)
    origin: Origin | None = None  # the line that set the value (a `.env` line, an `ARG`, an `env:` key)
    default: str | None = None  # the default written in the reference, if any
    written: str = ""  # the reference as written (`${TAG:-latest}`)


@frozen
class Resolved:
    """A scalar after interpolation: the effective text, the text as written, where, and from what."""

    text: str  # effective value: variables replaced by their `.env` value, default or "" (see VariableUse)
    raw: str  # as written in the file
    origin: Origin
    variables: tuple[VariableUse, ...] = field(default_factory=tuple)

    @property
    def literal(self) -> bool:
        """Written out in full: no variable took part."""
        return not self.variables

    @property
    def decided_at_runtime(self) -> bool:
        """Part of the value is only known when the deploy or workflow runs (a required or runtime variable)."""
        return any(v.source in (VarSource.REQUIRED, VarSource.RUNTIME) for v in self.variables)

    def origin_of(self, name: str) -> Origin:
        """Where the value of variable `name` was set, else where the reference is written."""
        for use in self.variables:
            if use.name == name and use.origin is not None:
                return use.origin
        return self.origin


__all__ = ["Located", "Origin", "Resolved", "VarSource", "VariableUse"]
