from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.contexts import build_contexts
from dockreview.rules.docker.devservers import dev_server_in
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.deployment import deployment
from dockreview.rules.parse.dockerfile import Dockerfile, Instruction, Stage
from dockreview.rules.rule import Context, Hit, Kind, Rule

# A production server command that development environment turns into a development server.
_ENV_DEV_MODE: tuple[tuple[re.Pattern[str], str, re.Pattern[str], str], ...] = (
    (re.compile(r"\bflask\b.*\brun\b"), "FLASK_DEBUG", re.compile(r"^(?:1|true|yes|on)$", re.I),
     "`flask run` in debug mode"),
    (re.compile(r"\bflask\b.*\brun\b"), "FLASK_ENV", re.compile(r"^development$", re.I),
     "`flask run` in debug mode"),
    (re.compile(r"\brails\s+(?:server|s)\b"), "RAILS_ENV", re.compile(r"^development$", re.I),
     "`rails server` in development"),
)


class DevServerInImage(Rule[Dockerfile]):
    """
    ## What it does
    Finds an image whose `CMD` or `ENTRYPOINT` (exec or shell form, inherited from an earlier
    stage included) starts a development server: `npm run dev`, `yarn dev`, `pnpm dev`, `vite`,
    `next dev`, `nodemon`, `ng serve`, `webpack serve`, `ts-node-dev`, `manage.py runserver`,
    `uvicorn --reload`, `gunicorn --reload`, `flask run --debug` (or `flask run` with
    `FLASK_DEBUG=1` set by `ENV`), `rails server` in development, `php artisan serve`, ...
    The image is the last stage, or the stage a compose file or workflow builds with `target:`
    (a `dev` stage that only `docker-compose.dev.yml` targets is not the production image).
    Only production Dockerfiles are checked: `Dockerfile.dev` and other files named for
    development are meant to run these.

    ## Why is this bad?
    Development servers are built for one developer on one machine: code compiled on each
    request, file watchers that burn CPU and restart the app, a single process, no production
    optimisations, and debug pages that print stack traces, settings and secrets (Werkzeug's
    debugger even runs code typed into the browser). Under real traffic they are slow, use
    several times the memory and fall over.

    `vite preview` and `next start` are not reported: they serve a production build.

    ## Example
    ```dockerfile
    FROM node:22-slim
    WORKDIR /app
    COPY . .
    RUN npm ci
    CMD ["npm", "run", "dev"]
    ```

    Use instead:
    ```dockerfile
    FROM node:22-slim AS build
    WORKDIR /app
    COPY . .
    RUN npm ci && npm run build

    FROM nginx:1.27-alpine
    COPY --from=build /app/dist /usr/share/nginx/html
    ```

    ## How to fix
    Build the production artifact in the image and run the production server (`next start`,
    `node server.js`, `gunicorn` or `uvicorn` without `--reload`, `rails server -e production`,
    a web server for static files). Keep the dev command in `Dockerfile.dev` or in a compose
    override for local development.
    """

    code = "DR207"
    slug = "dockerfile-dev-server"
    category = Category.DEV_SERVER
    severity = Severity.WARNING
    kind = Kind.DOCKERFILE
    summary = "Image runs a development server"
    fix = "Run the production server on a built artifact; keep dev commands in Dockerfile.dev"

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production(strict=True):
            return
        model = deployment(ctx.snapshot).dockerfile(ctx.path)
        if model is None:
            return
        targets: dict[int, tuple[Stage, frozenset[int]]] = {}
        for context in build_contexts(ctx.snapshot, ctx.path):
            image = model.image(target=context.target)
            targets.setdefault(image.target.index, (image.target.parsed, frozenset(image.shipped)))
        for stage, shipped in targets.values():
            yield from self._check_stage(doc, stage, shipped)

    def _check_stage(self, doc: Dockerfile, stage: Stage, shipped: frozenset[int]) -> Iterator[Hit]:
        entrypoint, command = _effective(doc, stage, "ENTRYPOINT"), _effective(doc, stage, "CMD")
        if entrypoint is not None and command is not None and entrypoint.stage > command.stage:
            command = None  # an ENTRYPOINT set in a later stage resets the CMD it inherited
        parts = [i for i in (entrypoint, command) if i is not None]
        if not parts:
            return
        combined = " ".join(i.command_text() for i in parts)
        found = dev_server_in(combined)
        if found is None:
            found = _dev_by_environment(doc, shipped, combined)
        if found is None:
            return
        target = next((i for i in parts if dev_server_in(i.command_text())), parts[-1])
        written = _short(combined)
        shown = "" if f"`{written}`" == found else f" (`{written}`)"
        yield Hit(
            line=target.line,
            column=target.column,
            end_line=target.end_line,
            message=(
                f"the image starts {found}{shown}: a development server with reloaders and "
                "debug output, slow and fragile under production traffic"
            ),
            evidence=found,
        )


def _effective(doc: Dockerfile, target: Stage, keyword: str) -> Instruction | None:
    """The last `keyword` of the target stage, or of the earlier stage it is built FROM."""
    stage: Stage | None = target
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        found = stage.last(keyword)
        if found is not None:
            return found
        stage = doc.base_stage(stage)
    return None


def _dev_by_environment(doc: Dockerfile, shipped: frozenset[int], command: str) -> str | None:
    environment: dict[str, str] = {}
    for instruction in doc.instructions:
        if instruction.keyword == "ENV" and instruction.stage in shipped:
            for pair in instruction.pairs():
                environment[pair.name] = pair.value or ""
    for command_pattern, name, value_pattern, label in _ENV_DEV_MODE:
        if command_pattern.search(command) and value_pattern.match(environment.get(name, "").strip()):
            return f"{label} (`{name}={environment[name]}`)"
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."
