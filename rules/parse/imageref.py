"""Image reference syntax: `[registry[:port]/]path[:tag][@digest]`, as written in any Docker file.

Interpolations stay whole while the reference is split: `${REGISTRY:-ghcr.io}/app:${TAG:-1.0}` has
the name `${REGISTRY:-ghcr.io}/app` and the tag `${TAG:-1.0}` (the colons inside the braces are not
separators), and a GitHub expression such as `${{ env.IMAGE }}:${{ github.sha }}` keeps its
expressions whole too. Nothing here decides whether a tag moves: that is `rules.docker.images`.

The normalization helpers follow `distribution/reference` (`ParseNormalizedNamed`, `FamiliarString`):
a first path component is a registry when it has a `.` or a `:` or is `localhost`; without one the
registry is `docker.io`, and a one-component Docker Hub path is under `library/`.
"""

from __future__ import annotations

from dockreview.rules.lazyre import lazy
from dockreview.rules.values import frozen

DEFAULT_REGISTRY = "docker.io"
_LEGACY_REGISTRIES = frozenset({"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
_VARIABLE = lazy(r"\$\{?[A-Za-z_][A-Za-z0-9_]*|\$\{\{")


@frozen
class ImageRef:
    raw: str
    name: str  # registry and repository, without tag or digest
    tag: str | None
    digest: str | None

    @property
    def has_variable(self) -> bool:
        """A `$VAR`, `${VAR...}` or `${{ expression }}` takes part somewhere in the reference."""
        return bool(_VARIABLE.search(self.raw))

    @property
    def is_scratch(self) -> bool:
        return self.name.lower() == "scratch"

    @property
    def registry(self) -> str | None:
        """The registry written in the reference (`ghcr.io`, `localhost:5000`), None for Docker Hub
        by default."""
        first, sep, _rest = self.name.partition("/")
        if sep and _is_registry(first):
            return first
        return None

    @property
    def repository(self) -> str:
        """The path without the registry: `acme/api` for `ghcr.io/acme/api:1`."""
        registry = self.registry
        return self.name[len(registry) + 1 :] if registry else self.name

    @property
    def familiar(self) -> str:
        """The short name Docker prints: `nginx` for `docker.io/library/nginx`, registry kept otherwise."""
        return familiar_name(self.name)

    @property
    def canonical(self) -> str:
        """Fully qualified, tag defaulted: `docker.io/library/nginx:latest`, digest kept when present."""
        out = normalize_name(self.name)
        if self.tag or not self.digest:
            out += f":{self.tag or 'latest'}"
        if self.digest:
            out += f"@{self.digest}"
        return out


def parse_image(reference: str) -> ImageRef:
    """Split a reference into name, tag and digest; never fails (a bad reference keeps its parts)."""
    raw = reference.strip()
    masked = _mask_interpolations(raw)
    at = masked.find("@")
    rest_masked = masked if at == -1 else masked[:at]
    digest = raw[at + 1 :] if at != -1 else ""
    rest = raw[: len(rest_masked)]
    # The tag follows the last colon after the last slash (a registry may have a port).
    slash = rest_masked.rfind("/")
    colon = rest_masked.rfind(":")
    if colon > slash:
        name, tag = rest[:colon], rest[colon + 1 :]
    else:
        name, tag = rest, ""
    return ImageRef(raw=raw, name=name, tag=tag or None, digest=digest or None)


def normalize_name(name: str) -> str:
    """`nginx` -> `docker.io/library/nginx`, `acme/api` -> `docker.io/acme/api`, others kept (the
    Docker Hub host names that redirect to `docker.io` become `docker.io`)."""
    first, sep, rest = name.partition("/")
    if sep and _is_registry(first):
        if first.lower() in _LEGACY_REGISTRIES:
            first = DEFAULT_REGISTRY
        if first == DEFAULT_REGISTRY and "/" not in rest:
            rest = f"library/{rest}"
        return f"{first}/{rest}"
    if not sep:
        return f"{DEFAULT_REGISTRY}/library/{name}"
    return f"{DEFAULT_REGISTRY}/{name}"


def familiar_name(name: str) -> str:
    """`docker.io/library/nginx` -> `nginx`, `docker.io/acme/api` -> `acme/api`, others kept."""
    normalized = normalize_name(name)
    if normalized.startswith(f"{DEFAULT_REGISTRY}/library/") and normalized.count("/") == 2:
        return normalized.rsplit("/", 1)[1]
    if normalized.startswith(f"{DEFAULT_REGISTRY}/"):
        return normalized[len(DEFAULT_REGISTRY) + 1 :]
    return normalized


def familiar_reference(reference: str) -> str:
    """What BuildKit looks a named context up by: the familiar name, tag and digest kept, `:latest`
    dropped (`docker.io/library/alpine:latest` -> `alpine`)."""
    ref = parse_image(reference)
    out = familiar_name(ref.name)
    if ref.tag and ref.tag != "latest":
        out += f":{ref.tag}"
    if ref.digest:
        out += f"@{ref.digest}"
    return out


def _is_registry(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost" or component.startswith("${")


def _mask_interpolations(text: str) -> str:
    """`text` with every `${...}` / `${{ ... }}` span replaced by `_` of the same length, so the
    separators inside them are not read as the reference's own."""
    out = list(text)
    index = 0
    while index < len(text):
        if text.startswith("${", index):
            end = _span_end(text, index)
            for position in range(index, end):
                out[position] = "_"
            index = end
        else:
            index += 1
    return "".join(out)


def _span_end(text: str, start: int) -> int:
    """End (exclusive) of the interpolation starting at `start`: `${{ ... }}` or nested `${...}`."""
    if text.startswith("${{", start):
        close = text.find("}}", start + 3)
        return len(text) if close == -1 else close + 2
    depth = 0
    for index in range(start, len(text)):
        if text.startswith("${", index):
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


__all__ = ["ImageRef", "familiar_name", "familiar_reference", "normalize_name", "parse_image"]
