"""Example, test, documentation and development files: reviewed at a lower confidence, not silenced;
the config's own production patterns still decide; what the config skips is said."""

from dockreview.rules import Config, Snapshot, review
from dockreview.rules.finding import Confidence

from tests.helpers import findings

SECRET = """
    services:
      db:
        image: postgres:16.4
        environment:
          POSTGRES_PASSWORD: hunter2
        volumes:
          - pg:/var/lib/postgresql/data
    volumes:
      pg: {}
    """

DEV_STACK = """
    services:
      web:
        build: .
        command: npm run dev
        volumes:
          - .:/app
        environment:
          SESSION_SECRET: 9f8e7d6c5b4a
    """


def _secret(path: str, config: Config | None = None) -> list[tuple[Confidence, str]]:
    return [(f.confidence, f.context) for f in findings({path: SECRET}, config, rule="DR101")]


def test_example_test_docs_and_dev_trees_lower_the_confidence() -> None:
    assert _secret("compose.yaml") == [(Confidence.HIGH, "")]
    for path in ("examples/shop/compose.yaml", "docs/guide/compose.yaml", "tests/e2e/compose.yaml",
                 "compose.dev.yaml", ".examples/nginx/compose.yaml", "tutorial-3/compose.yaml"):
        [(confidence, context)] = _secret(path)
        assert confidence is Confidence.MEDIUM and path in context, path


def test_a_dev_stack_by_content_lowers_the_confidence_and_is_no_dev_server_finding() -> None:
    found = findings({"compose.yaml": DEV_STACK})
    [secret] = [f for f in found if f.rule == "DR101"]
    assert secret.confidence is Confidence.MEDIUM
    assert "bind-mounts the source (`.`) and runs `npm run dev`" in secret.context
    assert [f for f in found if f.rule == "DR113"] == []  # a dev server is what a dev stack is for


def test_production_patterns_in_the_config_still_win() -> None:
    include = Config.from_text("production:\n  include: ['examples/shop/**']\n", "c.yml")
    assert _secret("examples/shop/compose.yaml", include) == [(Confidence.HIGH, "")]
    exclude = Config.from_text("production:\n  exclude: ['examples/**']\n", "c.yml")
    assert _secret("examples/shop/compose.yaml", exclude) == []
    assert _secret("compose.dev.yaml", exclude) == [(Confidence.HIGH, "")]  # the written list replaced the defaults


def test_what_the_config_ignores_is_listed() -> None:
    snapshot = Snapshot.from_mapping({
        "compose.yaml": "services:\n  web:\n    image: nginx:1.27.2\n",
        ".examples/a/compose.yaml": SECRET, ".examples/b/Dockerfile": "FROM alpine\n",
        ".examples/README.md": "# not Docker\n",
    })
    report = review(snapshot, Config.from_text("ignore: ['.examples/**']\n", ".github/dockreview.yml"))
    [note] = [n for n in report.errors if "not reviewed" in n.message]
    assert note.path == ".github/dockreview.yml"
    assert note.message == ("not reviewed: `ignore: .examples/**` in the config skips 2 Docker-related files: "
                            "`.examples/a/compose.yaml`, `.examples/b/Dockerfile`")
    assert report.files_checked == ["compose.yaml"]
