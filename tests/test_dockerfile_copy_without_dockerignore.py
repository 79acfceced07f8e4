from tests.helpers import findings, lines, production_lines

RULE = "DR203"

NODE = 'FROM node:22-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD ["node", "server.js"]\n'


def test_whole_context_without_ignore_file_names_the_context() -> None:
    files = {
        "web/Dockerfile": NODE,
        "web/package.json": "{}",
        "compose.yaml": "services:\n  web:\n    build: ./web\n",
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == ("web/Dockerfile", 5, 1)
    assert "`COPY . .`" in finding.message
    assert "`web` (compose service `web`, compose.yaml:3)" in finding.message
    assert "`node_modules`" in finding.message
    assert [(r.path, r.line) for r in finding.related] == [("compose.yaml", 3)]


def test_other_spellings_of_the_whole_context() -> None:
    files = {
        "a/Dockerfile": "FROM alpine:3.20\nCOPY ./ /srv/\n",
        "b/Dockerfile": "FROM alpine:3.20\nADD . .\n",
        "c/Dockerfile": 'FROM alpine:3.20\nCOPY [".", "/srv"]\n',
    }
    assert lines(files, RULE) == [("a/Dockerfile", 2), ("b/Dockerfile", 2), ("c/Dockerfile", 2)]


def test_ignore_files_copy_from_and_dev_files_do_not_fire() -> None:
    files = {
        "Dockerfile": NODE,
        ".dockerignore": "node_modules\n",
        "tool/tool.Dockerfile": "FROM alpine:3.20\nCOPY . .\n",
        "tool/tool.Dockerfile.dockerignore": ".git\n",
        "multi/Dockerfile": (
            "FROM node:22 AS build\nCOPY src src\nFROM nginx:1.27\nCOPY --from=build . /usr/share/nginx/html\n"
        ),
        "dev/Dockerfile.dev": "FROM node:22\nCOPY . .\n",
        "heredoc/Dockerfile": "FROM alpine:3.20\nCOPY <<EOF .\nx\nEOF\n",
    }
    assert production_lines(files, RULE) == []


def test_each_context_without_an_ignore_file_is_reported() -> None:
    files = {
        "app/Dockerfile": "FROM alpine:3.20\nCOPY . .\n",
        "app/.dockerignore": ".git\n",
        "compose.yaml": "services:\n  app:\n    build:\n      context: .\n      dockerfile: app/Dockerfile\n",
    }
    [finding] = findings(files, rule=RULE)
    assert "`.` (compose service `app`, compose.yaml:3)" in finding.message
