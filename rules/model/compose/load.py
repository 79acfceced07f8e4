"""Loading one compose project as compose-go's loader does: files in `-f` order, `include`, `extends`, merge.

Per file and per YAML document (compose-go `loader.loadYamlFile`): interpolate with the project
environment, load what it includes (each include with its own project directory and `.env`, the
including project's variables winning), merge the included resources under the local ones, drop
from the project so far what the document marks `!reset`/`!override`, resolve `extends` (same file
or `file:`, chains, cycles), then merge the document over the project so far.

Relative paths keep the directory they resolve against on every node (`base`): the project
directory for the `-f` files (an override in another folder included), the included project's
directory for an included file, the extended file's own directory for an `extends` base.
`extends.file` resolves like the other paths of the file that writes it.

Bounds: include and extends chains deeper than MAX_DEPTH stop with a problem, as do cycles; a
project reads at most MAX_FILES files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dockreview.rules.classify import FileType
from dockreview.rules.model.compose.dotenv import env_file_of
from dockreview.rules.model.compose.merge import apply_resets, merge_node, merge_service, merge_top
from dockreview.rules.model.compose.paths import directory_of, is_remote, repo_path
from dockreview.rules.model.compose.template import EnvValue
from dockreview.rules.model.compose.tree import Document, Mapping, Node, Path, Scalar, Sequence, convert
from dockreview.rules.model.compose.types import ExtendsRef, Problem
from dockreview.rules.model.source import Origin
from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.compose import ComposeFile
from dockreview.rules.parse.errors import ParseError
from dockreview.rules.snapshot import ParserCrash, Snapshot
from dockreview.rules.values import define, field

MAX_DEPTH = 32
MAX_FILES = 500
RESOURCE_KINDS = ("services", "volumes", "networks", "secrets", "configs", "models")


class Env:
    """The variables a file is interpolated with: name -> value and the line that set it."""

    def __init__(self, values: dict[str, EnvValue] | None = None) -> None:
        self.values: dict[str, EnvValue] = dict(values or {})
        self.fingerprint = tuple(sorted((k, v.value, v.origin) for k, v in self.values.items()))

    def get(self, name: str) -> EnvValue | None:
        return self.values.get(name)

    def under(self, winners: Env) -> Env:
        """These values with `winners` on top (the including project's over an included `.env`)."""
        return Env({**self.values, **winners.values})


def read_env_files(snapshot: Snapshot, passes: list[list[str]], outer: Env | None = None) -> tuple[
        Env, list[str], list[Problem]]:
    """The environment from env files read in passes: within a pass a later file wins, an earlier pass
    wins over a later one, and `outer` wins over all (compose: the OS environment, or the including
    project for an include). Returns the files read and the problems (a file that stops parsing)."""
    values: dict[str, EnvValue] = dict(outer.values) if outer else {}
    read: list[str] = []
    problems: list[Problem] = []
    for files in passes:
        found: dict[str, EnvValue] = {}
        for path in files:
            text = snapshot.text(path) if snapshot.has(path) else None
            if text is None:
                continue
            read.append(path)

            def lookup(name: str, found: dict[str, EnvValue] = found) -> EnvValue | None:
                return values.get(name) or found.get(name)

            parsed = env_file_of(snapshot, path, text, lookup)
            for name, entry in parsed.values().items():
                found[name] = EnvValue(entry.value, entry.origin)
            if parsed.error:
                problems.append(Problem(Origin(path, parsed.error[0]), parsed.error[1]))
        for name, value in found.items():
            values.setdefault(name, value)
    return Env(values), read, problems


@define
class YamlSource:
    documents: list[Any]
    lines: list[str]
    problem: str | None = None
    line: int = 1


def yaml_source(snapshot: Snapshot, path: str) -> YamlSource:
    """The YAML documents of a file (the parsed compose document when it is one), once per snapshot."""
    return snapshot.from_text("model:compose-yaml", path, lambda: _yaml_source(snapshot, path))


def _yaml_source(snapshot: Snapshot, path: str) -> YamlSource:
    text = snapshot.text(path)
    if text is None:
        return YamlSource([], [], "cannot be read")
    lines = text.split("\n")
    if snapshot.file_type(path) is FileType.COMPOSE:
        try:
            doc = snapshot.document(path)
        except ParseError as exc:
            return YamlSource([], lines, f"does not parse: {exc.message}", exc.line)
        except ParserCrash as exc:
            return YamlSource([], lines, f"does not parse: {exc}")
        if isinstance(doc, ComposeFile):
            return YamlSource(doc.documents or [doc.root], lines)
        return YamlSource([], lines, "is not a compose file")
    try:
        return YamlSource(yamlsrc.load_documents(text), lines)
    except ParseError as exc:
        return YamlSource([], lines, f"does not parse: {exc.message}", exc.line)
    except RecursionError:
        return YamlSource([], lines, "nested too deeply")


def documents(snapshot: Snapshot, path: str, base: str, env: Env) -> list[Document]:
    """The converted documents of `path` for an environment and base directory (shared across projects).

    A conversion depends on the environment only through the variables it looks up, so it is kept
    with their values and reused for any environment that gives each of them the same value: the
    configurations of one project (other files, profiles, a different variable elsewhere) convert a
    shared file once, not once each. The lookups are deterministic (which variable comes next
    depends only on the answers so far), so the kept conversions form a decision tree on them: finding
    one costs one conversion's lookups, however many environments a repository has."""
    memo: _Lookups = snapshot.from_text(("model:compose-docs", base), path, _Lookups)
    get = env.values.get
    node = memo.root
    while isinstance(node, _Ask):
        node = node.answers.get(get(node.name), _UNKNOWN)
    if isinstance(node, list):
        return node
    seen: dict[str, EnvValue | None] = {}

    def lookup(name: str) -> EnvValue | None:
        if name not in seen:
            seen[name] = get(name)
        return seen[name]

    converted = _documents(snapshot, path, base, lookup)
    memo.keep(list(seen.items()), converted)
    return converted


class _Ask:
    """The next variable a conversion looks up, and where each of its values leads."""

    __slots__ = ("answers", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.answers: dict[EnvValue | None, _Ask | list[Document]] = {}


_UNKNOWN: Any = object()


class _Lookups:
    """The conversions of one file (text and base directory), by the answers to their lookups."""

    __slots__ = ("root",)

    def __init__(self) -> None:
        self.root: _Ask | list[Document] | None = None

    def keep(self, asked: list[tuple[str, EnvValue | None]], converted: list[Document]) -> None:
        if not asked:
            self.root = converted
            return
        if self.root is None:
            self.root = _Ask(asked[0][0])
        node = self.root
        for index, (name, value) in enumerate(asked):
            if not isinstance(node, _Ask) or node.name != name:
                return  # (cannot happen: lookups are deterministic) keep nothing rather than a wrong answer
            following = node.answers.get(value)
            if index + 1 == len(asked):
                node.answers[value] = converted
                return
            if following is None:
                following = node.answers[value] = _Ask(asked[index + 1][0])
            node = following


def _documents(snapshot: Snapshot, path: str, base: str, lookup: Callable[[str], EnvValue | None]) -> list[
        Document]:
    source = yaml_source(snapshot, path)
    if source.problem:
        document = Document(Mapping({}, {}, Origin(path, 1), base))
        document.problems.append((Origin(path, source.line), f"{path} {source.problem}"))
        return [document]
    return [convert(root, path, source.lines, lookup, base) for root in source.documents
            if root is not None]


@define
class Loader:
    """Loads the files of one project, collecting what it read and what went wrong."""

    snapshot: Snapshot
    problems: list[Problem] = field(default_factory=list)
    included: list[str] = field(default_factory=list)
    extends_files: list[str] = field(default_factory=list)
    env_files: list[str] = field(default_factory=list)
    files_read: int = 0
    _seen: set[Problem] = field(default_factory=set)
    _extends_cache: dict[tuple[str, tuple[Any, ...]], tuple[dict[str, Node], list[Path]]] = field(
        default_factory=dict)
    _bases: dict[tuple[str, str, tuple[Any, ...]], Node] = field(default_factory=dict)  # resolved services of
    # extended files (a chain longer than MAX_DEPTH is cut where it was first resolved)

    def problem(self, origin: Origin, message: str) -> None:
        problem = Problem(origin, message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    # --- files ---------------------------------------------------------------------------------------
    def load_files(self, files: list[str], base: str, env: Env, chain: tuple[str, ...] = ()) -> Mapping:
        """Files merged in order, as `-f a -f b` (or an include's `path` list)."""
        model = Mapping({}, {}, Origin(files[0] if files else "", 1), base)
        for path in files:
            model = self.load_file(path, base, env, model, chain)
        return model

    def load_file(self, path: str, base: str, env: Env, model: Mapping, chain: tuple[str, ...]) -> Mapping:
        self.files_read += 1
        if self.files_read > MAX_FILES:
            self.problem(Origin(path, 1), f"the project reads more than {MAX_FILES} files; the rest is not resolved")
            return model
        for document in documents(self.snapshot, path, base, env):
            for origin, message in document.problems:
                self.problem(origin, message)
            cfg = self.apply_include(document.tree, path, base, env, (*chain, path), document.resets)
            model = apply_resets(model, document.resets)
            cfg = self.apply_extends(cfg, path, base, env, document.resets)
            model = merge_top(model, cfg)
        return model

    # --- include ---------------------------------------------------------------------------------------
    def apply_include(self, cfg: Mapping, path: str, base: str, env: Env, chain: tuple[str, ...],
                      resets: list[Path]) -> Mapping:
        node = cfg.get("include")
        if node is None:
            return cfg
        items = {k: v for k, v in cfg.items.items() if k != "include"}
        keys = {k: v for k, v in cfg.keys.items() if k != "include"}
        cfg = cfg.with_items(items, keys)
        if not isinstance(node, Sequence):
            self.problem(cfg.key_origin("include"), "`include` must be a list")
            return cfg
        for entry in node.items:
            cfg = self.include_one(cfg, entry, base, env, chain, resets)
        return cfg

    def include_one(self, cfg: Mapping, entry: Node, base: str, env: Env, chain: tuple[str, ...],
                    resets: list[Path]) -> Mapping:
        path_nodes: list[Node]
        project_directory: Node | None = None
        env_file: Node | None = None
        if isinstance(entry, Mapping):
            written = entry.get("path")
            path_nodes = list(written.items) if isinstance(written, Sequence) else [written] if written else []
            project_directory = entry.get("project_directory")
            env_file = entry.get("env_file")
        else:
            path_nodes = [entry]
        files: list[str] = []
        for item in path_nodes:
            text = item.text if isinstance(item, Scalar) else None
            if not text:
                self.problem(item.origin, "an `include` entry without a path")
                continue
            if is_remote(text):
                self.problem(item.origin, f"remote include {text} is not resolved")
                continue
            resolved = repo_path(base, text)
            if resolved is None or not self.snapshot.has(resolved):
                self.problem(item.origin, f"included file {text} not found")
                continue
            files.append(resolved)
        if not files:
            return cfg
        origin = path_nodes[0].origin
        if files[0] in chain:
            self.problem(origin, "include cycle: " + " -> ".join((*chain, files[0])))
            return cfg
        if len(chain) > MAX_DEPTH:
            self.problem(origin, f"includes nested deeper than {MAX_DEPTH} levels")
            return cfg
        directory = directory_of(files[0])
        if isinstance(project_directory, Scalar) and project_directory.text:
            found = repo_path(base, project_directory.text)
            if found is None:
                self.problem(project_directory.origin, "project_directory outside the repository")
            else:
                directory = found
        env_paths: list[str] = []
        if env_file is not None:
            for item in env_file.items if isinstance(env_file, Sequence) else [env_file]:
                text = item.text if isinstance(item, Scalar) else None
                if not text or text == "/dev/null":
                    continue
                resolved = repo_path(base, text)
                if resolved is None or not self.snapshot.has(resolved):
                    self.problem(item.origin, f"env_file {text} of the include not found")
                    continue
                env_paths.append(resolved)
        else:
            default = _join(directory, ".env")
            if self.snapshot.has(default):
                env_paths.append(default)
        own, read, problems = read_env_files(self.snapshot, [env_paths], outer=env)
        self.env_files.extend(p for p in read if p not in self.env_files)
        for problem in problems:
            self.problem(problem.origin, problem.message)
        imported = Mapping({}, {}, origin, directory)
        for path in files:
            if path not in self.included:
                self.included.append(path)
            imported = self.load_file(path, directory, own, imported, chain)
        return import_resources(imported, cfg, resets)

    # --- extends ------------------------------------------------------------------------------------------
    def apply_extends(self, cfg: Mapping, path: str, base: str, env: Env, resets: list[Path]) -> Mapping:
        services = cfg.get("services")
        if not isinstance(services, Mapping) or not any(
                isinstance(s, Mapping) and "extends" in s.items for s in services.items.values()):
            return cfg
        work = dict(services.items)
        for name in _bases_first(work):
            work[name] = self.extend(name, work, path, base, env, resets, ())
        items = dict(cfg.items)
        items["services"] = services.with_items(work, dict(services.keys))
        return cfg.with_items(items, dict(cfg.keys))

    def extend(self, name: str, services: dict[str, Node], filename: str, base: str, env: Env,
               resets: list[Path], chain: tuple[tuple[str, str], ...]) -> Node:
        service = services.get(name)
        if not isinstance(service, Mapping):
            return service  # type: ignore[return-value]
        extends = service.get("extends")
        if extends is None:
            return service
        origin = service.key_origin("extends")
        without = _without(service, "extends")
        reference: str | None = None
        file_node: Node | None = None
        if isinstance(extends, Mapping):
            ref = extends.get("service")
            reference = ref.text if isinstance(ref, Scalar) else None
            file_node = extends.get("file")
        elif isinstance(extends, Scalar):
            reference = extends.text
        if not reference:
            self.problem(origin, f"`extends` of service {name} names no service")
            return without
        identity = (filename, name)
        if identity in chain:
            self.problem(origin, f"extends cycle: service {name} of {filename} extends itself")
            return without
        if len(chain) >= MAX_DEPTH:
            self.problem(origin, f"extends chain deeper than {MAX_DEPTH} levels")
            return without
        target_file, target_base, target_services, target_resets = filename, base, services, resets
        if file_node is not None:
            text = file_node.text if isinstance(file_node, Scalar) else None
            resolved = repo_path(base, text) if text else None
            if resolved is None or not self.snapshot.has(resolved):
                self.problem(file_node.origin, f"extended file {text} not found")
                return without
            target_file, target_base = resolved, directory_of(resolved)
            loaded, target_resets = self.extends_source(resolved, env)
            target_services = dict(loaded)
            if resolved not in self.extends_files:
                self.extends_files.append(resolved)
        if reference not in target_services:
            self.problem(origin, f"service {name} extends {reference}, which {target_file} does not define")
            return without
        if file_node is None:
            base_service = self.extend(reference, target_services, target_file, target_base, env, target_resets,
                                       (*chain, identity))
        else:  # a service of another file resolves the same for every service extending it: once
            key = (target_file, reference, env.fingerprint)
            if key not in self._bases:
                self._bases[key] = self.extend(reference, target_services, target_file, target_base, env,
                                               target_resets, (*chain, identity))
            base_service = self._bases[key]
        if not isinstance(base_service, Mapping):
            return without
        source = apply_resets(Mapping({"services": Mapping({name: base_service}, {}, origin, base)}, {}, origin,
                                      base), resets)
        cloned = _dig(source, ("services", name)) or Mapping({}, {}, origin, base)
        merged = merge_service(cloned, without)
        if isinstance(merged, Mapping):
            merged.defs = without.defs + cloned.defs
            merged.extended = (ExtendsRef(reference, target_file, origin), *cloned.extended)
        services[name] = merged
        return merged

    def extends_source(self, path: str, env: Env) -> tuple[dict[str, Node], list[Path]]:
        """The services of an extended file (its documents merged, no include/extends), its own paths."""
        key = (path, env.fingerprint)
        if key not in self._extends_cache:
            model = Mapping({}, {}, Origin(path, 1), directory_of(path))
            resets: list[Path] = []
            for document in documents(self.snapshot, path, directory_of(path), env):
                for origin, message in document.problems:
                    self.problem(origin, message)
                model = merge_top(apply_resets(model, document.resets), document.tree)
                resets = document.resets
            services = model.get("services")
            self._extends_cache[key] = (dict(services.items) if isinstance(services, Mapping) else {}, resets)
        return self._extends_cache[key]


def import_resources(source: Mapping, target: Mapping, resets: list[Path]) -> Mapping:
    """Included resources added to the including file's, a local definition merged over an included one."""
    items = dict(target.items)
    keys = dict(target.keys)
    for kind in RESOURCE_KINDS:
        imported = source.get(kind)
        if not isinstance(imported, Mapping):
            continue
        local = items.get(kind)
        local_items = dict(local.items) if isinstance(local, Mapping) else {}
        local_keys = dict(local.keys) if isinstance(local, Mapping) else {}
        merged_items: dict[str, Node] = {}
        merged_keys: dict[str, Origin] = {}
        for name, node in imported.items.items():
            if name in local_items:
                cleared = _dig(apply_resets(Mapping({kind: Mapping({name: node}, {}, node.origin, node.base)}, {},
                                                    node.origin, node.base), resets), (kind, name))
                base_node: Node = cleared if cleared is not None else Mapping({}, {}, node.origin, node.base)
                local_node = local_items.pop(name)
                merged_items[name] = merge_service(base_node, local_node) if kind == "services" else merge_node(
                    base_node, local_node, ("#resource",))
                merged_keys[name] = imported.key_origin(name)
                local_keys.pop(name, None)
            else:
                merged_items[name] = node
                merged_keys[name] = imported.key_origin(name)
        merged_items.update(local_items)
        merged_keys.update(local_keys)
        origin = local.origin if isinstance(local, Mapping) else imported.origin
        items[kind] = Mapping(merged_items, merged_keys, origin, target.base)
        if kind not in keys:
            keys[kind] = source.key_origin(kind)
    return target.with_items(items, keys)


def _bases_first(services: dict[str, Node]) -> list[str]:
    """Service names with every same-file `extends` base before the services extending it.

    Each service is then resolved over an already resolved base: a long chain costs one step per
    service, whatever order it is written in."""
    def base_of(name: str) -> str | None:
        node = services.get(name)
        extends = node.get("extends") if isinstance(node, Mapping) else None
        if isinstance(extends, Scalar):
            return extends.text
        if isinstance(extends, Mapping) and extends.get("file") is None:
            ref = extends.get("service")
            return ref.text if isinstance(ref, Scalar) else None
        return None

    order: list[str] = []
    placed: set[str] = set()
    for start in services:
        chain: list[str] = []
        name: str | None = start
        while name is not None and name in services and name not in placed and name not in chain:
            chain.append(name)
            name = base_of(name)
        for item in reversed(chain):
            placed.add(item)
            order.append(item)
    return order


def _without(mapping: Mapping, key: str) -> Mapping:
    if key not in mapping.items:
        return mapping
    items = {k: v for k, v in mapping.items.items() if k != key}
    keys = {k: v for k, v in mapping.keys.items() if k != key}
    return mapping.with_items(items, keys)


def _dig(node: Node | None, path: tuple[str, ...]) -> Mapping | None:
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node if isinstance(node, Mapping) else None


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


__all__ = ["Env", "Loader", "documents", "import_resources", "read_env_files", "yaml_source"]
