from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.devservers import dev_server_in
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.compose import ComposeFile, Service
from dockreview.rules.parse.yamlsrc import item_position
from dockreview.rules.rule import Context, Hit, Kind, Rule

# Environment that switches a framework into development mode (debug pages, reloaders).
_DEV_ENVIRONMENT: dict[str, re.Pattern[str]] = {
    "NODE_ENV": re.compile(r"^dev(?:elopment)?$", re.I),
    "FLASK_ENV": re.compile(r"^development$", re.I),
    "FLASK_DEBUG": re.compile(r"^(?:1|true|yes|on)$", re.I),
    "RAILS_ENV": re.compile(r"^development$", re.I),
    "RACK_ENV": re.compile(r"^development$", re.I),
    "APP_ENV": re.compile(r"^(?:dev|development|local)$", re.I),
    "APP_DEBUG": re.compile(r"^(?:1|true|yes|on)$", re.I),
    "DJANGO_DEBUG": re.compile(r"^(?:1|true|yes|on)$", re.I),
    "ASPNETCORE_ENVIRONMENT": re.compile(r"^development$", re.I),
    "MIX_ENV": re.compile(r"^dev$", re.I),
}


class DevServerInProduction(Rule[ComposeFile]):
    """
    ## What it does
    Finds services whose `command` or `entrypoint` starts a development server (`npm run dev`,
    `yarn dev`, `vite`, `next dev`, `nodemon`, `uvicorn --reload`, `flask run --debug`,
    `manage.py runserver`, `ng serve`, `rails server -e development`, `webpack serve`, ...), and
    environment that puts a framework in development mode (`NODE_ENV=development`,
    `FLASK_DEBUG=1`, `RAILS_ENV=development`, `APP_DEBUG=true`, `DJANGO_DEBUG=true`,
    `ASPNETCORE_ENVIRONMENT=Development`), in production compose files.

    ## Why is this bad?
    Development servers are built for one developer: unminified bundles compiled on every
    request, file watchers that burn CPU (and restart the app when a log file changes), no worker
    processes, and debug pages that print stack traces, settings and environment variables —
    Werkzeug's debugger and Laravel's debug page execute code or show secrets to anyone who
    triggers an error. They are slow, use several times the memory, and fall over under load.

    A plain `DEBUG=true` is not reported: too many applications use it only for log verbosity.

    ## Example
    ```yaml
    services:
      web:
        build: ./web
        command: npm run dev
        environment:
          NODE_ENV: development
    ```

    Use instead:
    ```yaml
    services:
      web:
        build: ./web          # the Dockerfile builds the bundle (`npm run build`)
        command: node server.js
        environment:
          NODE_ENV: production
    ```

    ## How to fix
    Build the production artifact in the image (`npm run build`, `collectstatic`) and run the
    production server (`next start`, `node server.js`, `gunicorn`, `uvicorn` without `--reload`,
    `rails server -e production`). Keep the dev command in `compose.override.yaml` or
    `docker-compose.dev.yml`, which is not treated as production.
    """

    code = "DR113"
    slug = "compose-dev-server"
    category = Category.DEV_SERVER
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    summary = "Production service runs a development server"
    fix = "Run the production server on a built artifact; keep dev commands in an override file"

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production(strict=True):
            return
        for service in doc.services.values():
            yield from _commands(service)
            yield from _environment(service)


def _commands(service: Service) -> Iterator[Hit]:
    for key in ("command", "entrypoint"):
        argv = service.command_argv(key)
        server = dev_server_in(argv if argv is None or len(argv) != 1 else argv[0])
        if server is None:
            continue
        line, column = _position(service, key)
        yield Hit(
            line=line,
            column=column,
            message=(
                f"service `{service.name}` runs {server}: a development server (file watching, unoptimized "
                "builds, debug output) that is slow and fragile under production traffic"
            ),
            evidence=f"{service.name}:{key}",
        )


def _position(service: Service, key: str) -> tuple[int, int]:
    """The list item that starts the server (`sh -c "..."` form), else the value."""
    raw = service.get(key)
    if isinstance(raw, list):
        for index, item in enumerate(raw):
            if isinstance(item, str) and dev_server_in(item):
                return item_position(raw, index) or service.value_position(key)
    return service.value_position(key)


def _environment(service: Service) -> Iterator[Hit]:
    for var in service.environment:
        pattern = _DEV_ENVIRONMENT.get(var.name)
        value = (var.value or "").strip().strip("'\"")
        if pattern is None or not pattern.match(value):
            continue
        yield Hit(
            line=var.line,
            column=var.column,
            message=(
                f"service `{service.name}` sets `{var.name}={value}`: the framework runs in development mode "
                "(debug pages that show code and settings, no production optimizations)"
            ),
            evidence=f"{service.name}:{var.name}",
        )
