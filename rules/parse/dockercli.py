"""The docker command line, parsed with docker's own option grammar: the one table of CLI options.

`docker_command(argv)` turns the words of a shell command (`docker compose -f a.yml -p app down -v`,
`docker buildx build --push -t x:1 .`, `docker-compose up -d`, `podman push x`) into a
`DockerCommand`: the program, the subcommand path in canonical form, the options of the subcommand
(each with its value), the operands, and the global options (docker's `-H`/`--context`, compose's
`-f`/`-p`/`--profile`/`--env-file`/`--project-directory`).

Canonical paths: `docker image build`, `docker builder build` and `docker buildx build` are
`("build",)` (with `buildx` telling which was written); `docker image push` is `("push",)`,
`docker image tag` is `("tag",)`, `docker container run` is `("run",)`, `docker-compose x` is
`("compose", "x")`. Options follow pflag, as docker does: `--name value`, `--name=value`, `-t value`,
`-tvalue`, combined boolean short flags (`-fv`), a value-taking short flag ending a group
(`-it`, `-vt 0`), and `--` ending options. An option this table does not know is taken as a
boolean flag (docker would reject it; a reviewer still wants the operands after it).
"""

from __future__ import annotations

from dockreview.rules.lazyre import lazy
from dockreview.rules.values import field, frozen

# --- the table --------------------------------------------------------------------------------------
# For each command: long options that take a value, and short letters mapped to their long name
# (those taking a value are the ones whose long name is in the value set).

_DOCKER_GLOBAL_VALUES = frozenset({"--host", "--context", "--config", "--log-level", "--tlscacert", "--tlscert",
                                   "--tlskey"})
_DOCKER_GLOBAL_SHORT = {"H": "--host", "c": "--context", "l": "--log-level", "D": "--debug"}

_COMPOSE_GLOBAL_VALUES = frozenset({"--file", "--project-name", "--profile", "--env-file", "--project-directory",
                                    "--ansi", "--parallel", "--progress", "--workdir", "--host", "--context",
                                    "--log-level", "--tlscacert", "--tlscert", "--tlskey"})
_COMPOSE_GLOBAL_SHORT = {"f": "--file", "p": "--project-name", "H": "--host", "c": "--context"}

_BUILD_VALUES = frozenset({
    "--tag", "--file", "--build-arg", "--target", "--platform", "--output", "--cache-from", "--cache-to", "--secret",
    "--ssh", "--label", "--network", "--progress", "--builder", "--iidfile", "--metadata-file", "--annotation",
    "--attest", "--build-context", "--add-host", "--shm-size", "--ulimit", "--allow", "--memory", "--memory-swap",
    "--cgroup-parent", "--cpu-shares", "--cpuset-cpus", "--cpuset-mems", "--cpu-period", "--cpu-quota",
    "--isolation", "--security-opt", "--call", "--no-cache-filter", "--policy", "--label-file",
})
_BUILD_SHORT = {"t": "--tag", "f": "--file", "o": "--output", "m": "--memory", "c": "--cpu-shares",
                "q": "--quiet"}

_RUN_VALUES = frozenset({
    "--env", "--env-file", "--volume", "--mount", "--publish", "--name", "--network", "--net", "--user",
    "--workdir", "--entrypoint", "--platform", "--cap-add", "--cap-drop", "--device", "--security-opt", "--pid",
    "--ipc", "--userns", "--cgroupns", "--label", "--label-file", "--log-driver", "--log-opt", "--restart",
    "--memory", "--memory-reservation", "--memory-swap", "--memory-swappiness", "--cpus", "--cpu-shares",
    "--cpuset-cpus", "--add-host", "--dns", "--dns-option", "--dns-search", "--hostname", "--domainname",
    "--tmpfs", "--ulimit", "--health-cmd", "--health-interval", "--health-retries", "--health-timeout",
    "--health-start-period", "--pull", "--stop-signal", "--stop-timeout", "--shm-size", "--sysctl", "--gpus",
    "--runtime", "--volumes-from", "--link", "--mac-address", "--ip", "--ip6", "--network-alias", "--expose",
    "--cidfile", "--detach-keys", "--group-add", "--isolation", "--oom-score-adj", "--pids-limit",
    "--storage-opt", "--uts", "--blkio-weight", "--cgroup-parent", "--annotation", "--attach", "--device-cgroup-rule",
    "--volume-driver", "--kernel-memory", "--cpu-period", "--cpu-quota", "--cpu-rt-period", "--cpu-rt-runtime",
    "--cpuset-mems", "--device-read-bps", "--device-write-bps", "--link-local-ip", "--log-level",
})
_RUN_SHORT = {"e": "--env", "v": "--volume", "p": "--publish", "u": "--user", "w": "--workdir", "l": "--label",
              "h": "--hostname", "m": "--memory", "c": "--cpu-shares", "a": "--attach", "d": "--detach",
              "i": "--interactive", "t": "--tty", "P": "--publish-all", "q": "--quiet"}

_COMPOSE_SUB_VALUES: dict[str, frozenset[str]] = {
    "up": frozenset({"--scale", "--timeout", "--exit-code-from", "--pull", "--wait-timeout", "--attach",
                     "--no-attach", "--attach-dependencies"}),
    "down": frozenset({"--rmi", "--timeout"}),
    "run": frozenset({"--env", "--label", "--publish", "--volume", "--workdir", "--user", "--name", "--entrypoint",
                      "--cap-add", "--cap-drop", "--env-from-file", "--pull"}),
    "exec": frozenset({"--env", "--user", "--workdir", "--index"}),
    "build": frozenset({"--build-arg", "--builder", "--memory", "--ssh", "--progress", "--provenance", "--sbom"}),
    "logs": frozenset({"--tail", "--since", "--until", "--index"}),
    "config": frozenset({"--format", "--output", "--hash"}),
    "stop": frozenset({"--timeout"}),
    "restart": frozenset({"--timeout"}),
    "pull": frozenset({"--policy"}),
    "cp": frozenset({"--index"}),
    "ps": frozenset({"--format", "--filter", "--status"}),
    "create": frozenset({"--scale", "--pull"}),
    "kill": frozenset({"--signal"}),
    "scale": frozenset(),
    "watch": frozenset(),
}
_COMPOSE_SUB_SHORT: dict[str, dict[str, str]] = {
    "up": {"t": "--timeout", "d": "--detach"},
    "down": {"t": "--timeout", "v": "--volumes"},
    "run": {"e": "--env", "l": "--label", "p": "--publish", "v": "--volume", "w": "--workdir", "u": "--user",
            "d": "--detach", "T": "--no-TTY", "i": "--interactive"},
    "exec": {"e": "--env", "u": "--user", "w": "--workdir", "d": "--detach", "T": "--no-TTY"},
    "build": {"m": "--memory", "q": "--quiet"},
    "logs": {"n": "--tail", "f": "--follow", "t": "--timestamps"},
    "config": {"o": "--output", "q": "--quiet"},
    "stop": {"t": "--timeout"},
    "restart": {"t": "--timeout"},
    "rm": {"f": "--force", "s": "--stop", "v": "--volumes"},
    "ps": {"a": "--all", "q": "--quiet"},
    "kill": {"s": "--signal"},
    "pull": {"q": "--quiet"},
}

_COMMANDS: dict[tuple[str, ...], tuple[frozenset[str], dict[str, str]]] = {
    ("build",): (_BUILD_VALUES, _BUILD_SHORT),
    ("buildx", "bake"): (frozenset({"--file", "--set", "--progress", "--builder", "--metadata-file", "--allow",
                                    "--call", "--var", "--provenance", "--sbom", "--list"}),
                         {"f": "--file"}),
    ("buildx", "imagetools", "create"): (frozenset({"--tag", "--file", "--annotation", "--builder", "--progress",
                                                    "--platform"}), {"t": "--tag", "f": "--file"}),
    ("push",): (frozenset({"--platform"}), {"a": "--all-tags", "q": "--quiet"}),
    ("pull",): (frozenset({"--platform"}), {"a": "--all-tags", "q": "--quiet"}),
    ("tag",): (frozenset(), {}),
    ("manifest", "create"): (frozenset(), {"a": "--amend"}),
    ("manifest", "push"): (frozenset(), {"p": "--purge"}),
    ("manifest", "annotate"): (frozenset({"--arch", "--os", "--variant", "--os-features", "--os-version"}), {}),
    ("run",): (_RUN_VALUES, _RUN_SHORT),
    ("create",): (_RUN_VALUES, _RUN_SHORT),
    ("login",): (frozenset({"--username", "--password"}), {"u": "--username", "p": "--password"}),
    ("logout",): (frozenset(), {}),
    ("volume", "rm"): (frozenset(), {"f": "--force"}),
    ("volume", "prune"): (frozenset({"--filter"}), {"a": "--all", "f": "--force"}),
    ("volume", "create"): (frozenset({"--driver", "--label", "--name", "--opt"}), {"d": "--driver", "o": "--opt"}),
    ("system", "prune"): (frozenset({"--filter"}), {"a": "--all", "f": "--force"}),
    ("image", "prune"): (frozenset({"--filter"}), {"a": "--all", "f": "--force"}),
    ("container", "prune"): (frozenset({"--filter"}), {"f": "--force"}),
    ("network", "prune"): (frozenset({"--filter"}), {"f": "--force"}),
    ("builder", "prune"): (frozenset({"--filter", "--keep-storage", "--max-used-space", "--min-free-space",
                                      "--reserved-space", "--builder"}), {"a": "--all", "f": "--force"}),
    ("rm",): (frozenset(), {"f": "--force", "v": "--volumes", "l": "--link"}),
    ("exec",): (frozenset({"--env", "--env-file", "--user", "--workdir", "--detach-keys"}),
                {"e": "--env", "u": "--user", "w": "--workdir", "d": "--detach", "i": "--interactive",
                 "t": "--tty"}),
    ("save",): (frozenset({"--output", "--platform"}), {"o": "--output"}),
    ("load",): (frozenset({"--input", "--platform"}), {"i": "--input", "q": "--quiet"}),
    ("stack", "deploy"): (frozenset({"--compose-file", "--resolve-image"}), {"c": "--compose-file"}),
    ("stack", "rm"): (frozenset(), {}),
}

# Aliases written in place of a canonical path (the longest match wins).
_ALIASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("image", "build"): ("build",),
    ("builder", "build"): ("build",),
    ("buildx", "build"): ("build",),
    ("buildx", "b"): ("build",),
    ("image", "push"): ("push",),
    ("image", "pull"): ("pull",),
    ("image", "tag"): ("tag",),
    ("container", "run"): ("run",),
    ("container", "create"): ("create",),
    ("container", "rm"): ("rm",),
    ("container", "exec"): ("exec",),
    ("image", "save"): ("save",),
    ("image", "load"): ("load",),
    ("volume", "remove"): ("volume", "rm"),
    ("buildx", "prune"): ("builder", "prune"),
}
# Groups whose next word is a further subcommand.
_GROUPS = {"buildx", "image", "container", "volume", "system", "manifest", "network", "builder", "stack",
           "imagetools", "compose", "context", "plugin", "trust", "swarm", "node", "service", "secret", "config"}

_VARIABLE = lazy(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_SHORT_GROUP = lazy(r"^-[A-Za-z0-9]")


@frozen
class Option:
    name: str  # the long name (`--tag`), or the word itself for an unknown short flag (`-x`)
    value: str | None  # None for a boolean flag
    index: int  # index in `DockerCommand.words` of the word that holds the option


@frozen
class DockerCommand:
    """One docker invocation. `words` is argv as given; indexes in options point into it."""

    program: str  # docker | docker-compose | podman | podman-compose
    path: tuple[str, ...]  # canonical subcommand path: ("compose", "down"), ("build",), ("buildx", "bake")
    written: tuple[str, ...]  # the subcommand words as written (`image`, `build`)
    options: tuple[Option, ...]
    operands: tuple[str, ...]
    global_options: tuple[Option, ...] = field(default_factory=tuple)  # docker's and compose's
    words: tuple[str, ...] = field(default_factory=tuple)

    @property
    def buildx(self) -> bool:
        """Whether a build goes through buildx (`docker buildx build`, or plain `docker build` today)."""
        return self.path == ("build",) and self.written[:1] != ("builder",)

    def is_(self, *path: str) -> bool:
        return self.path == path

    def values(self, *names: str) -> list[str]:
        """Every value of the options called `names` (long names), in order (`-t a -t b` -> [a, b])."""
        return [o.value for o in self.options if o.name in names and o.value is not None]

    def value(self, *names: str) -> str | None:
        """The last value of the option (later ones win, as in pflag)."""
        found = self.values(*names)
        return found[-1] if found else None

    def flag(self, name: str) -> bool:
        """Whether a boolean flag is set (`--push`, `--push=true`; `--push=false` is not)."""
        state = False
        for option in self.options:
            if option.name == name:
                state = option.value is None or option.value.lower() not in ("false", "0")
        return state

    def option_word(self, name: str) -> str | None:
        """The word that holds the option as written (for locating it on a line)."""
        for option in self.options:
            if option.name == name:
                return self.words[option.index]
        return None

    def global_values(self, *names: str) -> list[str]:
        return [o.value for o in self.global_options if o.name in names and o.value is not None]


def program_of(word: str) -> str | None:
    """`docker`, `docker-compose`, `podman` or `podman-compose` for argv[0], including a variable named
    like them (`$DOCKER`, `${DOCKER_COMPOSE}`, `$dc`); None for anything else."""
    variable = _VARIABLE.match(word)
    if variable:
        name = (variable.group(1) or variable.group(2)).lower()
        if "compose" in name or name in ("dc", "dco"):
            return "docker-compose"
        if "docker" in name:
            return "docker"
        if "podman" in name:
            return "podman"
        return None
    program = word.rsplit("/", 1)[-1].lower().removesuffix(".exe")
    if program in ("docker-compose", "docker-compose-v1"):
        return "docker-compose"
    if program in ("docker", "podman", "podman-compose"):
        return program
    return None


def docker_command(argv: list[str] | tuple[str, ...]) -> DockerCommand | None:
    """The docker invocation in `argv` (wrappers such as `sudo` already removed), or None."""
    words = tuple(argv)
    if not words:
        return None
    program = program_of(words[0])
    if program is None:
        return None
    index = 1
    global_options: list[Option] = []
    written: list[str] = []
    if program in ("docker-compose", "podman-compose"):
        written.append("compose")
    else:
        index = _parse_options(words, index, _DOCKER_GLOBAL_VALUES, _DOCKER_GLOBAL_SHORT, global_options,
                               stop_at_operand=True)
        if index < len(words) and words[index] == "compose":
            written.append("compose")
            index += 1
    if written[:1] == ["compose"]:
        index = _parse_options(words, index, _COMPOSE_GLOBAL_VALUES, _COMPOSE_GLOBAL_SHORT, global_options,
                               stop_at_operand=True)
        if index < len(words):
            written.append(words[index])
            index += 1
        sub = written[1] if len(written) > 1 else ""
        values = _COMPOSE_SUB_VALUES.get(sub, frozenset())
        short = _COMPOSE_SUB_SHORT.get(sub, {})
        path = tuple(written)
    else:
        while index < len(words) and not words[index].startswith("-"):
            written.append(words[index])
            index += 1
            if written[-1] not in _GROUPS or len(written) >= 3:
                break
        path = _canonical(tuple(written))
        values, short = _COMMANDS.get(path, (frozenset(), {}))
    options: list[Option] = []
    operands: list[str] = []
    while index < len(words):
        word = words[index]
        if word == "--":
            operands.extend(words[index + 1:])
            break
        if word.startswith("-") and word != "-":
            index = _parse_options(words, index, values, short, options, stop_at_operand=True, one=True)
            continue
        operands.append(word)
        index += 1
    return DockerCommand(program, path, tuple(written), tuple(options), tuple(operands), tuple(global_options),
                         words)


def _canonical(written: tuple[str, ...]) -> tuple[str, ...]:
    for length in range(len(written), 0, -1):
        alias = _ALIASES.get(written[:length])
        if alias is not None:
            return alias + written[length:]
    return written


def _parse_options(words: tuple[str, ...], index: int, values: frozenset[str], short: dict[str, str],
                   out: list[Option], *, stop_at_operand: bool, one: bool = False) -> int:
    """Options from `index` on, appended to `out`; returns the index of the first word after them."""
    while index < len(words):
        word = words[index]
        if word == "--" or not word.startswith("-") or word == "-":
            return index if stop_at_operand else index + 1
        if word.startswith("--"):
            name, eq, value = word.partition("=")
            if eq:
                out.append(Option(name, value, index))
                index += 1
            elif name in values and index + 1 < len(words):
                out.append(Option(name, words[index + 1], index))
                index += 2
            else:
                out.append(Option(name, None, index))
                index += 1
        elif _SHORT_GROUP.match(word):
            index = _short_group(words, index, values, short, out)
        else:
            out.append(Option(word, None, index))
            index += 1
        if one:
            return index
    return index


def _short_group(words: tuple[str, ...], index: int, values: frozenset[str], short: dict[str, str],
                 out: list[Option]) -> int:
    """`-fv`, `-t0`, `-it`, `-vt 0`: booleans until a letter that takes a value, which takes the rest."""
    word = words[index]
    letters = word[1:]
    for position, letter in enumerate(letters):
        if not letter.isalnum():  # `-x=1` of an unknown flag: keep the word whole
            out.append(Option(word, None, index))
            return index + 1
        name = short.get(letter, f"-{letter}")
        if name in values:
            rest = letters[position + 1:]
            if rest:
                out.append(Option(name, rest.removeprefix("="), index))
                return index + 1
            if index + 1 < len(words):
                out.append(Option(name, words[index + 1], index))
                return index + 2
            out.append(Option(name, None, index))
            return index + 1
        out.append(Option(name, None, index))
    return index + 1


__all__ = ["DockerCommand", "Option", "docker_command", "program_of"]
