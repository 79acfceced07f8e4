from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.context_copies import (
    let_in,
    names,
    sensitive_candidates,
    whole_context_copies,
    written,
)
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.parse.dockerfile import Dockerfile
from dockreview.rules.rule import Context, Hit, Kind, Rule


class DockerignoreLetsInSensitiveFiles(Rule[Dockerfile]):
    """
    ## What it does
    For each `COPY . .` (the whole build context), checks that the `.dockerignore` of every
    context the Dockerfile is built with excludes what plausibly sits in that directory on the
    machine that builds it, judged from the project type visible there:

    - `.git` when the context is a repository root;
    - `.env` when the context has `.env.*` files (such as `.env.example`) or a `.gitignore`
      listing `.env`;
    - `node_modules` next to every `package.json` (a pattern `node_modules` only matches the
      top-level folder: nested packages need `**/node_modules`), and `.next` for Next.js projects;
    - `.venv` for Python projects, `vendor` for Composer projects.

    The finding is on the `COPY` line; the `.dockerignore` is the related location. Patterns are
    matched with Docker's own rules (last match wins, `!` exceptions, parent directories); a path
    re-included on purpose with `!` is not reported.

    Dependency folders and `.git` are only reported when the copy reaches the final image: a
    builder stage whose output is copied selectively (`COPY --from=build /app/dist ...`) does not
    ship them. `.env` and `.next` are reported in every stage, because build tools read them
    (Next.js and Vite inline `.env` values into the bundle; a stale `.next` cache makes the
    image run old code).

    ## Why is this bad?
    Whatever the ignore file lets in is baked into an image layer that anyone who can pull the
    image can read: `.env` credentials, the git history. Host `node_modules` overwrite the ones
    installed for Linux (native modules fail with `invalid ELF header`), and a host `.venv` points
    at a Python that does not exist in the container.

    ## Example
    ```
    # .dockerignore
    node_modules
    ```
    with `COPY . .` in a context holding `web/package.json` and `.env.example`.

    Use instead:
    ```
    # .dockerignore
    .git
    **/.env*
    !**/.env.example
    **/node_modules
    ```

    ## How to fix
    Add the reported paths to the `.dockerignore` (use `**/` for folders that occur at any
    depth), or copy only what the image needs instead of the whole context.
    """

    code = "DR204"
    slug = "dockerignore-lets-in-sensitive-files"
    category = Category.BUILD_CONTEXT
    severity = Severity.WARNING
    kind = Kind.DOCKERFILE
    summary = "COPY of the whole context lets in files the .dockerignore should exclude"
    fix = "Add the named paths to the .dockerignore (with `**/` for nested folders)"

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for copy in whole_context_copies(doc, ctx):
            if copy.ignore is None or copy.ignore_path is None:
                continue
            missing = let_in(sensitive_candidates(ctx.snapshot, doc, copy), copy.ignore)
            if not missing:
                continue
            reasons = "; ".join(f"`{c.path}`: {c.what}" for c in missing)
            yield Hit(
                line=copy.instruction.line,
                column=copy.instruction.column,
                message=(
                    f"`{written(copy.instruction)}` copies {names(missing)} from the build context "
                    f"{copy.context.describe()} into the image: `{copy.ignore_path}` does not exclude "
                    f"{'it' if len(missing) == 1 else 'them'} ({reasons}); add "
                    f"{', '.join(_pattern(c.path) for c in missing)} to it"
                ),
                evidence=f"{copy.stage.name}:{copy.context.directory}:{','.join(c.path for c in missing)}",
                related=(Location(copy.ignore_path, 1),),
            )


def _pattern(path: str) -> str:
    if path == ".env":
        return "`**/.env*`"
    if path.endswith("node_modules") and "/" in path:
        return "`**/node_modules`"
    return f"`{path}`"
