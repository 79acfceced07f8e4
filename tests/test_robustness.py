"""No input crashes the engine: arbitrary bytes under every Docker-related name."""

from dockreview.rules import Snapshot, review
from hypothesis import given
from hypothesis import strategies as st

NAMES = ["Dockerfile", "compose.yaml", ".github/workflows/ci.yml", ".dockerignore", "deploy.sh", "Makefile",
         "deploy/stack.yml"]

TOKENS = [*"abc: -\n\t'\"{}[]&*!|>#%@`$\\=,.0123456789", "services", "image", "build", "<<", "\r\n", "\x00", "é",
          "FROM ", "RUN ", "COPY . .", "<<EOF", "EOF", "docker compose down -v", "${{ secrets.X }}", "jobs:", "steps:"]
yaml_like = st.lists(st.sampled_from(TOKENS), max_size=120).map("".join)


def _check(files: dict[str, bytes | str]) -> None:
    report = review(Snapshot.from_mapping(files))
    internal = [n for n in report.errors if "internal error" in n.message]
    assert internal == []
    for finding in report.findings:
        assert finding.line >= 1 and finding.column >= 1


@given(st.sampled_from(NAMES), st.binary(max_size=600))
def test_arbitrary_bytes(name: str, data: bytes) -> None:
    _check({name: data})


@given(st.sampled_from(NAMES), yaml_like)
def test_yaml_and_shell_like_text(name: str, text: str) -> None:
    _check({name: text})


def test_alias_bomb_is_bounded() -> None:
    # 9^12 leaves if expanded: walkers must follow each alias once.
    lines = ["x-a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"x-{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\nservices:\n  web:\n    image: nginx:1.27\n    labels: *l\n    environment: *l\n"
    _check({"compose.yaml": text, "deploy/stack.yml": text})


def test_deeply_nested_yaml() -> None:
    text = "services:\n  web:\n    image: nginx:1.27\n    x: " + "[" * 5000 + "]" * 5000 + "\n"
    report = review(Snapshot.from_mapping({"compose.yaml": text}))
    assert [f.rule for f in report.findings] == ["DR001"]


def test_huge_and_binary_files_are_skipped_with_a_note() -> None:
    files = {"Dockerfile": "FROM alpine:3.20\n" + "RUN true\n" * 400_000, "compose.yaml": b"\x00\x01services"}
    report = review(Snapshot.from_mapping(files))
    notes = {n.path: n.message for n in report.errors}
    assert "larger than" in notes["Dockerfile"]
    assert "binary" in notes["compose.yaml"]
    assert report.findings == []


def test_jinja_templated_compose_parses() -> None:
    text = (
        "services:\n  django:\n    image: {{ cookiecutter.project_slug }}_django:1.0\n"
        "{% if cookiecutter.use_celery == 'y' %}\n  celery:\n    image: app:1.0\n{% endif %}\n"
    )
    report = review(Snapshot.from_mapping({"docker-compose.production.yml": text}))
    assert [f for f in report.findings if f.rule == "DR001"] == []


def test_crlf_and_bom() -> None:
    text = "\ufeffservices:\r\n  db:\r\n    image: postgres:16\r\n    environment:\r\n      POSTGRES_PASSWORD: x1\r\n"
    report = review(Snapshot.from_mapping({"compose.yaml": text}))
    assert [(f.rule, f.line) for f in report.findings if f.rule == "DR101"] == [("DR101", 5)]


def test_templated_values_are_not_literal_secrets() -> None:
    text = "services:\n  db:\n    image: example/db:16\n    environment:\n      DB_PASSWORD: {{ vault_db_password }}\n"
    report = review(Snapshot.from_mapping({"compose.yaml": text}))
    assert [f for f in report.findings if f.rule == "DR101"] == []
