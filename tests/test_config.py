from dockreview.rules import Config, Snapshot, review
from dockreview.rules.finding import Severity

from tests.helpers import findings

SECRET = {
    "compose.yaml": """
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: hunter2
        """
}


def test_valid_config_changes_severity_and_disables() -> None:
    config = Config.from_text("rules:\n  DR101: warning\n", ".github/dockreview.yml")
    assert config.issues == []
    [finding] = findings(SECRET, config, rule="DR101")
    assert finding.severity is Severity.WARNING
    off = Config.from_text("rules:\n  hardcoded-secret: off\n", ".github/dockreview.yml")
    assert findings(SECRET, off, rule="DR101") == []


def test_code_beats_slug_beats_category() -> None:
    config = Config.from_text(
        "rules:\n  hardcoded-secret: off\n  compose-hardcoded-secret: note\n", "c.yml"
    )
    [finding] = findings(SECRET, config, rule="DR101")
    assert finding.severity is Severity.NOTE


def test_per_rule_path_ignore_and_global_ignore() -> None:
    config = Config.from_text("rules:\n  DR101:\n    ignore: ['compose.yaml']\n", "c.yml")
    assert findings(SECRET, config, rule="DR101") == []
    config = Config.from_text("ignore: ['*.yaml']\n", "c.yml")
    assert findings(SECRET, config) == []


def test_invalid_config_reports_the_bad_key_line_and_uses_defaults() -> None:
    text = "fail_on: error\nrules:\n  DR101: loud\nunknown_key: 1\n"
    config = Config.from_text(text, ".github/dockreview.yml")
    lines = sorted(issue.line for issue in config.issues)
    assert lines == [3, 4], config.issues
    assert any("unknown_key" in issue.message for issue in config.issues)
    # Defaults still review everything, and the problem is reported.
    report = review(Snapshot.from_mapping({"compose.yaml": SECRET["compose.yaml"].replace("        ", "")}), config)
    assert any(f.rule == "DR101" for f in report.findings)
    assert any("invalid config" in note.message for note in report.errors)


def test_invalid_yaml_config() -> None:
    config = Config.from_text("rules: [\n", "c.yml")
    assert config.issues and config.issues[0].line >= 1


def test_production_patterns() -> None:
    config = Config.from_text("production:\n  include: ['docker-compose.dev.yml']\n  exclude: ['staging/**']\n",
                              "c.yml")
    assert config.is_production("docker-compose.dev.yml")
    assert not config.is_production("staging/compose.yaml")
    assert config.is_production("compose.override.yaml")  # exclude replaced the defaults
    default = Config()
    # the default patterns: reviewed at a lower confidence, not production for development rules
    assert not default.is_production("compose.override.yaml", strict=True)
    assert default.is_production("compose.override.yaml")
    assert default.context_of("compose.override.yaml") and default.context_of("docs/guide/compose.yaml")
    assert default.context_of("deploy/compose.yaml") is None
    assert config.context_of("compose.override.yaml") is None  # a written exclude decides alone
    assert default.is_production("localstack/docker-compose.yml")


def test_fail_threshold() -> None:
    assert Config().fails(Severity.ERROR) and not Config().fails(Severity.WARNING)
    assert Config(fail_on="warning").fails(Severity.WARNING)
    assert not Config(fail_on="never").fails(Severity.ERROR)


def test_max_file_size_raises_the_cap_for_files_on_disk(tmp_path) -> None:
    big = "services:\n  db:\n    image: example/db:1\n    environment:\n      API_TOKEN: tok-123456\n"
    big += "# " + "x" * (3 * 1024 * 1024) + "\n"
    (tmp_path / "compose.yaml").write_text(big)
    skipped = review(Snapshot.from_directory(tmp_path))
    assert skipped.findings == [] and "larger than" in skipped.errors[0].message
    config = Config.from_text("max_file_size: 5000000\n", "c.yml")
    reviewed = review(Snapshot.from_directory(tmp_path), config)
    assert [(f.rule, f.line) for f in reviewed.findings] == [("DR101", 5)]


def test_production_patterns_are_case_insensitive() -> None:
    config = Config.from_text("production:\n  include: ['Dockerfile.Dev']\n", "c.yml")
    assert config.is_production("Dockerfile.dev")
