from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.context_copies import names, sensitive_candidates, whole_context_copies, written
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.parse.dockerfile import Dockerfile
from dockreview.rules.rule import Context, Hit, Kind, Rule


class CopyWithoutDockerignore(Rule[Dockerfile]):
    """
    ## What it does
    Finds `COPY . .`, `COPY ./ /app/` and `ADD . .` (the whole build context) when no
    `.dockerignore` applies to the context the Dockerfile is built with. Contexts come from the
    compose files (`build:`) and GitHub workflows (`docker/build-push-action`, `docker build`) of
    the repository; otherwise the Dockerfile's own directory. BuildKit's
    `<Dockerfile>.dockerignore` next to the Dockerfile counts too.

    Not reported: copies with a `.dockerignore` for the build context (root `.dockerignore`
    included when the build model builds a Dockerfile in a subdirectory with context `.`:
    workflows, bake targets, scripts and Makefiles), `COPY --from`, and stages the build does
    not run.

    ## Why is this bad?
    Without an ignore file the whole directory goes into the image: `.git` (the full history,
    including secrets removed long ago), `.env` files with real credentials, the host's
    `node_modules` (native modules built for macOS overwrite the ones installed for Linux:
    `invalid ELF header` at start-up), local build output and caches (stale `.next` or `dist`
    files that make the image run old code). Anyone who can pull the image can read it all, the
    build context upload is slow, and every unrelated file change busts the layer cache.

    ## Example
    ```dockerfile
    FROM node:22-slim
    WORKDIR /app
    COPY package*.json ./
    RUN npm ci --omit=dev
    COPY . .
    ```
    with no `.dockerignore` beside it.

    Use instead: the same Dockerfile, and a `.dockerignore` in the build context:
    ```
    .git
    **/.env*
    **/node_modules
    .next
    dist
    ```

    ## How to fix
    Add a `.dockerignore` to the build context (or `<Dockerfile>.dockerignore` next to the
    Dockerfile) that excludes version control, environment files, dependencies installed on the
    host and build output. Or copy only what the image needs (`COPY src/ ./src/`).
    """

    code = "DR203"
    slug = "dockerfile-copy-without-dockerignore"
    category = Category.BUILD_CONTEXT
    severity = Severity.WARNING
    kind = Kind.DOCKERFILE
    summary = "Whole build context copied without a .dockerignore"
    fix = "Add a .dockerignore that excludes .git, .env files, host dependencies and build output"

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for copy in whole_context_copies(doc, ctx):
            if copy.ignore_path is not None:
                continue
            context = copy.context
            related: tuple[Location, ...] = ()
            if context.source_path and context.source_line:
                related = (Location(context.source_path, context.source_line),)
            likely = sensitive_candidates(ctx.snapshot, doc, copy)
            including = f", including {names(likely)}" if likely else ", local `.env` files included"
            yield Hit(
                line=copy.instruction.line,
                column=copy.instruction.column,
                message=(
                    f"`{written(copy.instruction)}` copies the whole build context "
                    f"{context.describe()} into the image and no `.dockerignore` applies to it: everything in "
                    f"that directory on the machine that builds goes in{including}"
                ),
                evidence=f"{copy.stage.name}:{context.directory}",
                related=related,
            )
