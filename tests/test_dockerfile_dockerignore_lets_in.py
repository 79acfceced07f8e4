from tests.helpers import findings, lines

RULE = "DR204"

NODE = 'FROM node:22-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD ["node", "server.js"]\n'


def test_names_what_gets_in_and_points_at_the_ignore_file() -> None:
    files = {
        "Dockerfile": NODE,
        ".dockerignore": "node_modules\n",
        "package.json": '{"dependencies": {"next": "15.0.0"}}',
        "packages/ui/package.json": "{}",
        ".env.example": "API_URL=\n",
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == ("Dockerfile", 5, 1)
    assert "copies `.git`, `.env`, `packages/ui/node_modules` and `.next`" in finding.message
    assert "`.dockerignore` does not exclude them" in finding.message
    assert "`**/node_modules`" in finding.message and "`**/.env*`" in finding.message
    assert [(r.path, r.line) for r in finding.related] == [(".dockerignore", 1)]
    assert finding.suggestion is None


def test_a_complete_ignore_file_is_quiet() -> None:
    files = {
        "Dockerfile": NODE,
        ".dockerignore": ".git\n**/node_modules\n.env*\n!.env.example\n.next\n",
        "package.json": '{"dependencies": {"next": "15.0.0"}}',
        ".env.example": "API_URL=\n",
    }
    assert lines(files, RULE) == []


def test_deliberate_reinclusion_is_respected() -> None:
    files = {"Dockerfile": NODE, ".dockerignore": "*\n!.git\n!src\n!package*.json\n"}
    assert lines(files, RULE) == []


def test_only_plausible_things_are_named() -> None:
    # A subdirectory context has no `.git`; a Go project has no node_modules; no `.env` evidence.
    files = {
        "svc/Dockerfile": "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
        "svc/.dockerignore": "bin\n",
        "svc/go.mod": "module x\n",
    }
    assert lines(files, RULE) == []


def test_dependencies_in_a_builder_stage_copied_selectively_are_not_reported() -> None:
    dockerfile = (
        "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
        "FROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n"
    )
    files = {"web/Dockerfile": dockerfile, "web/.dockerignore": ".env\n", "web/package.json": "{}"}
    assert lines(files, RULE) == []
    wholesale = dockerfile.replace("/app/dist /usr/share/nginx/html", "/app /app")
    files["web/Dockerfile"] = wholesale
    [finding] = findings(files, rule=RULE)
    assert "`node_modules`" in finding.message


def test_python_project_and_gitignore_evidence() -> None:
    files = {
        "Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\n",
        ".dockerignore": ".git\n",
        "pyproject.toml": "[project]\nname='x'\n",
        ".gitignore": "venv/\n.env\n",
    }
    [finding] = findings(files, rule=RULE)
    assert "`.env`, `.venv` and `venv`" in finding.message
