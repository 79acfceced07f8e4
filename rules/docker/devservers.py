"""Development servers: commands that run code with auto-reload, debuggers or unoptimized bundles.

`dev_server_in(argv_or_text)` takes a command as an argv list (exec form) or as shell text and
returns a short name for the development server it starts (`"vite"`, `"uvicorn --reload"`), or
None. Shared by the Dockerfile and compose rules, so both judge a command the same way.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from dockreview.rules.lazyre import lazy

# (pattern over the normalized command text, what to call it). Order matters: first match wins.
_DEV_SERVERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"\b(?:npm|pnpm|bun|yarn)\s+(?:run\s+)?(?:dev|develop|serve|start:dev|watch)(?![\w-])(?!:prod)", "{match}"),
        (r"\bnext\s+dev\b", "`next dev`"),
        (r"\bnuxt\s+dev\b|\bnuxi\s+dev\b", "`nuxt dev`"),
        (r"(?:^|[\s/])vite(?:\s+(?:dev|serve)\b|\s*$|\s+--)", "`vite` (dev server)"),
        (r"\bng\s+serve\b", "`ng serve`"),
        (r"\bvue-cli-service\s+serve\b", "`vue-cli-service serve`"),
        (r"\breact-scripts\s+start\b", "`react-scripts start`"),
        (r"\bwebpack(?:-dev-server|\s+serve)\b", "`webpack serve`"),
        (r"\bgatsby\s+develop\b", "`gatsby develop`"),
        (r"\bastro\s+dev\b", "`astro dev`"),
        (r"\bremix\s+dev\b", "`remix dev`"),
        (r"\bsvelte-kit\s+dev\b", "`svelte-kit dev`"),
        (r"\bnodemon\b", "`nodemon`"),
        (r"\bts-node-dev\b", "`ts-node-dev`"),
        (r"\bnest\s+start\s+.*--watch\b", "`nest start --watch`"),
        (r"\bnode\s+(?:.*\s)?--watch\b", "`node --watch`"),
        (r"\btsx\s+watch\b", "`tsx watch`"),
        (r"\buvicorn\b.*\s--reload\b", "`uvicorn --reload`"),
        (r"\bfastapi\s+dev\b", "`fastapi dev`"),
        (r"\bgunicorn\b.*\s--reload\b", "`gunicorn --reload`"),
        (r"\bhypercorn\b.*\s--reload\b", "`hypercorn --reload`"),
        (r"\bflask\b.*\brun\b.*--(?:debug|reload)\b|\bflask\s+--debug\s+run\b", "`flask run --debug`"),
        (r"\bmanage\.py\s+runserver(?:_plus)?\b", "`manage.py runserver`"),
        (r"\bdjango-admin\s+runserver\b", "`django-admin runserver`"),
        (
            r"\b(?:bin/)?rails\s+(?:server|s)\b.*(?:-e\s*|--environment[= ])development\b",
            "`rails server` in development",
        ),
        (r"\bphp\s+artisan\s+serve\b", "`php artisan serve`"),
        (r"\bphp\s+-S\s", "`php -S` (built-in server)"),
        (r"(?:^|&&\s*|;\s*)air(?:\s+-c\b|\s*$)", "`air` (Go live reload)"),
        (r"\bdotnet\s+watch\b", "`dotnet watch`"),
        (r"\bmix\s+phx\.server\b", "`mix phx.server`"),
        (r"\bjekyll\s+serve\b", "`jekyll serve`"),
        (r"\bhugo\s+server\b", "`hugo server`"),
        (r"\bwatchmedo\s+auto-restart\b", "`watchmedo auto-restart`"),
    )
)


def dev_server_in(command: str | Sequence[str] | None) -> str | None:
    """A short name for the development server `command` runs, or None."""
    if command is None:
        return None
    text = command if isinstance(command, str) else " ".join(_quote(part) for part in command)
    text = " ".join(text.split())
    for pattern, name in _DEV_SERVERS:
        match = pattern.search(text)
        if match:
            return f"`{match.group(0)}`" if name == "{match}" else name
    return None


def _quote(part: str) -> str:
    return part if not part or part.replace("-", "").replace("/", "").isalnum() else shlex.quote(part)


# A bind mount of the project's source: `.:/app`, `./:/usr/src/app`, `./src:/app/src`, `../app:/code`.
_SOURCE_MOUNT = lazy(r"^\.{1,2}(?:/(?:src|app|code|web|frontend|backend|server|client|lib)?/?)?$")


def dev_stack(doc: object) -> str | None:
    """Why a compose file is a development stack by its content: a service that bind-mounts the
    project's source and runs a development server on it (`npm run dev`, `uvicorn --reload`)."""
    services = getattr(doc, "services", None)
    if not isinstance(services, dict):
        return None
    for service in services.values():
        mounts = getattr(service, "mounts", ())
        source = next((m for m in mounts if m.kind == "bind" and _SOURCE_MOUNT.match(m.source or "")), None)
        if source is None:
            continue
        server = dev_server_in(service.command_text()) or dev_server_in(service.command_text("entrypoint"))
        if server:
            return (
                f"service `{service.name}` bind-mounts the source (`{source.source}`) and runs {server}: "
                "a development stack"
            )
    return None
