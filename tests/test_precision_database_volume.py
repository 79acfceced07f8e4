"""compose-database-without-volume says what is known about the image, and fixes fit the database."""

from tests.helpers import findings

VOLUME = "\n    volumes:\n      - data:/var/lib/postgresql/data"


def _one(image: str, volumes: str = "") -> tuple[str, str]:
    text = f"services:\n  db:\n    image: {image}{volumes}\nvolumes:\n  data: {{}}\n"
    [finding] = findings({"compose.yaml": text}, rule="DR110")
    return finding.message, finding.fix


def test_variable_tag_does_not_claim_postgres_18() -> None:
    text = f"services:\n  db:\n    image: postgres:${{POSTGRES_TAG}}{VOLUME}\nvolumes:\n  data: {{}}\n"
    assert findings({"compose.yaml": text}, rule="DR110") == []
    message, fix = _one("postgres:${POSTGRES_TAG}")
    assert "18 or later" not in message.split("(")[0] and "latest" not in message
    assert "set at run time" in message
    assert "/var/lib/postgresql/data" in fix


def test_fix_names_the_data_directory_of_that_database() -> None:
    for image, directory in (
        ("mariadb:11.4", "/var/lib/mysql"),
        ("mcr.microsoft.com/mssql/server:2022-latest", "/var/opt/mssql"),
        ("postgres:16.4", "/var/lib/postgresql/data"),
        ("postgres:18.1", "/var/lib/postgresql"),
    ):
        message, fix = _one(image)
        assert "Postgres" not in fix and "postgresql" not in fix.replace(directory, ""), (image, fix)
        assert f"`{directory}`" in message and f"`{directory}`" in fix, (image, message, fix)


def test_alpine_tag_is_named_as_written() -> None:
    message, fix = _one("postgres:alpine", VOLUME)
    assert "`postgres:alpine` is 18 or later" in message
    assert "`/var/lib/postgresql`" in fix
