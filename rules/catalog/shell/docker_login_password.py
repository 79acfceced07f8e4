from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.commands import docker_calls, line_with, subcommand
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.rule import Context, Hit, Kind, Rule


class DockerLoginPasswordLiteral(Rule[ShellSource]):
    """
    ## What it does
    Finds `docker login` given a password written out in the file: `-p secret`, `--password secret`,
    `--password=secret`, `-psecret`, in scripts, Makefile recipes, workflow `run:` steps and
    commands sent over `ssh`. A value read from elsewhere is not reported: `$VAR`, `${VAR}`,
    `${{ secrets.X }}`, `$(cat file)`.

    ## Why is this bad?
    The registry password is now in git, in every clone and fork, and in the history after it is
    removed; anyone who reads the repository can push images under your name, including to the
    tags production pulls. Passed on the command line it also shows up in `ps` output and shell
    history on the machine that runs it.

    ## Example
    ```yaml
    - run: docker login -u deploybot -p hunter2 registry.example.com
    ```

    Use instead:
    ```yaml
    - run: echo "$REGISTRY_PASSWORD" | docker login -u deploybot --password-stdin registry.example.com
      env:
        REGISTRY_PASSWORD: ${{ secrets.REGISTRY_PASSWORD }}
    ```

    ## How to fix
    Keep the password in a secret store (GitHub Actions secrets, the CI's masked variables, a file
    outside the repository) and feed it on standard input with `--password-stdin`; in GitHub
    Actions, `docker/login-action` does this for you. Then revoke the password or token that was
    committed: it stays in the git history.
    """

    code = "DR404"
    slug = "docker-login-password-literal"
    category = Category.REGISTRY_CREDENTIALS
    severity = Severity.ERROR
    kind = Kind.SHELL
    summary = "`docker login` with a password written in the file"
    fix = "Feed the password from a secret with `--password-stdin` (or docker/login-action), then revoke it"
    security_severity = 8.0

    def check(self, doc: ShellSource, ctx: Context) -> Iterator[Hit]:
        for call in docker_calls(doc):
            args = subcommand(call.args, "login")
            if args is None:
                continue
            found = _password(args)
            if found is None:
                continue
            flag, value, word = found
            if not _is_literal(value):
                continue
            line, column = line_with(ctx, call.command, word)
            registry = _registry(args)
            yield Hit(
                line=line,
                column=column,
                message=(
                    f"`docker login{' ' + registry if registry else ''}` gets its password as a literal "
                    f"`{flag}` value: it is committed with the file and visible in the process list"
                ),
                evidence=f"login {registry}".strip(),
            )


def _password(args: list[str]) -> tuple[str, str, str] | None:
    """(flag, value, the word holding the flag) of the password option, if any."""
    for index, word in enumerate(args):
        if word == "--":
            return None
        if word in ("-p", "--password"):
            return (word, args[index + 1], word) if index + 1 < len(args) else None
        if word.startswith("--password="):
            return "--password", word.partition("=")[2], "--password"
        if word.startswith("-p") and len(word) > 2 and not word.startswith("--"):
            return "-p", word[2:], word
    return None


def _is_literal(value: str) -> bool:
    text = value.strip()
    if not text or "$" in text or "`" in text:
        return False
    return not text.startswith("<") and not (text.startswith("%") and text.endswith("%"))


def _registry(args: list[str]) -> str:
    with_value = {"-u", "--username", "-p", "--password"}
    index = 0
    while index < len(args):
        word = args[index]
        if word.startswith("-"):
            index += 2 if word in with_value else 1
            continue
        return word
    return ""
