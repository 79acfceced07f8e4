from tests.helpers import findings, lines

RULE = "DR113"


def test_dev_commands_and_dev_environment_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              web:
                build: ./web
                command: npm run dev -- --host 0.0.0.0
                environment:
                  NODE_ENV: development
              api:
                build: ./api
                command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--reload"]
                environment:
                  - FLASK_DEBUG=1
              admin:
                build: ./admin
                entrypoint:
                  - sh
                  - -c
                  - python manage.py migrate && python manage.py runserver 0.0.0.0:8000
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(4, 14), (6, 7), (9, 14), (11, 9), (17, 9)]
    assert found[0].message.startswith("service `web` runs `npm run dev`: a development server")
    assert found[1].message.startswith("service `web` sets `NODE_ENV=development`")
    assert "`uvicorn --reload`" in found[2].message
    assert "`manage.py runserver`" in found[4].message


def test_production_servers_and_dev_files_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              web:
                build: ./web
                command: npm run build && npm start
                environment:
                  NODE_ENV: production
                  DEBUG: "true"
              api:
                build: ./api
                command: gunicorn app:app --workers 4
              vite_build:
                build: ./site
                command: vite build
            """,
        "compose.override.yaml": "services:\n  web:\n    command: npm run dev\n",
    }
    assert lines(files, RULE) == []
