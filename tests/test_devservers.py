import pytest
from dockreview.rules.docker.devservers import dev_server_in


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["npm", "run", "dev"], "`npm run dev`"),
        ("yarn dev", "`yarn dev`"),
        ("yarn run serve", "`yarn run serve`"),
        ("pnpm dev --host 0.0.0.0", "`pnpm dev`"),
        ("npm run dev:ssr", "`npm run dev`"),
        (["npx", "vite", "--host"], "`vite` (dev server)"),
        ("next dev -p 3000", "`next dev`"),
        ("nodemon src/index.js", "`nodemon`"),
        ("ng serve --host 0.0.0.0", "`ng serve`"),
        (["python", "manage.py", "runserver", "0.0.0.0:8000"], "`manage.py runserver`"),
        ("flask run --debug", "`flask run --debug`"),
        ("uvicorn app.main:app --host 0.0.0.0 --reload", "`uvicorn --reload`"),
        ("gunicorn -b :8000 --reload app:app", "`gunicorn --reload`"),
        ("bin/rails server -e development", "`rails server` in development"),
        ("webpack serve --mode development", "`webpack serve`"),
        ("webpack-dev-server", "`webpack serve`"),
        ("php artisan serve --host=0.0.0.0", "`php artisan serve`"),
        ("ts-node-dev --respawn src/index.ts", "`ts-node-dev`"),
    ],
)
def test_dev_servers_are_named(command, expected) -> None:
    assert dev_server_in(command) == expected


@pytest.mark.parametrize(
    "command",
    [
        None,
        "npm start",
        ["node", "server.js"],
        "npm run build",
        "npm run serve:prod",
        "vite build",
        "vite preview --host",
        "next start",
        "uvicorn app:app --host 0.0.0.0 --workers 4",
        "gunicorn app:app",
        "flask run",
        "bin/rails server -e production",
        "webpack --mode production",
        "python manage.py migrate && gunicorn proj.wsgi",
    ],
)
def test_production_commands_are_not_dev_servers(command) -> None:
    assert dev_server_in(command) is None
