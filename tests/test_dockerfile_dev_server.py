from tests.helpers import findings, lines

RULE = "DR207"


def test_exec_and_shell_form_dev_servers() -> None:
    files = {
        "web/Dockerfile": 'FROM node:22\nWORKDIR /app\nCMD ["npm", "run", "dev"]\n',
        "api/Dockerfile": 'FROM python:3.12\nENTRYPOINT ["uvicorn"]\nCMD ["app:app", "--port", "80", "--reload"]\n',
    }
    api, web = findings(files, rule=RULE)
    assert (web.path, web.line, web.column) == ("web/Dockerfile", 3, 1)
    assert web.message.startswith("the image starts `npm run dev`:")
    assert (api.path, api.line) == ("api/Dockerfile", 3)
    assert "`uvicorn --reload`" in api.message


def test_inherited_cmd_and_flask_debug_environment() -> None:
    files = {
        "Dockerfile": "FROM node:22 AS base\nCMD nodemon server.js\nFROM base\nRUN npm ci\n",
        "flask/Dockerfile": "FROM python:3.12\nENV FLASK_DEBUG=1\nCMD flask run --host=0.0.0.0\n",
    }
    assert lines(files, RULE) == [("Dockerfile", 2), ("flask/Dockerfile", 3)]
    flask = findings(files, rule=RULE)[1]
    assert "`FLASK_DEBUG=1`" in flask.message


def test_compose_target_selects_the_stage() -> None:
    dockerfile = (
        "FROM node:22 AS dev\nCMD [\"npm\", \"run\", \"dev\"]\n"
        "FROM node:22 AS prod\nCMD [\"node\", \"server.js\"]\n"
    )
    targeted = {"app/Dockerfile": dockerfile,
                "compose.yaml": "services:\n  app:\n    build:\n      context: app\n      target: dev\n"}
    assert lines(targeted, RULE) == [("app/Dockerfile", 2)]
    default = {"app/Dockerfile": dockerfile}
    assert lines(default, RULE) == []


def test_near_misses() -> None:
    files = {
        "Dockerfile": 'FROM node:22\nCMD ["npx", "vite", "preview", "--host"]\n',
        "b/Dockerfile": "FROM python:3.12\nCMD flask run --host=0.0.0.0\n",
        "c/Dockerfile.dev": 'FROM node:22\nCMD ["npm", "run", "dev"]\n',
        "d/Dockerfile": 'FROM node:22\nCMD ["npm", "start"]\n',
    }
    assert lines(files, RULE) == []
