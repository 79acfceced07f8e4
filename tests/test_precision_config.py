"""`review.inline_confidence` and `fail_on` by confidence, in the config, the CLI and the App."""

from dockreview.bot.review import render, summary
from dockreview.rules import Config, Snapshot, review
from dockreview.rules.finding import Confidence

from tests.cli_support import run_cli, write

# One high-confidence error (a literal password) and one medium one (a `${VAR:-literal}` default).
COMPOSE = """\
services:
  db:
    image: postgres:16.4
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-s3cr3t-default}
    volumes:
      - pg:/var/lib/postgresql/data
volumes:
  pg: {}
"""


def test_config_reads_both_keys_and_the_schema_accepts_them() -> None:
    config = Config.from_text(
        "fail_on: {severity: warning, confidence: high}\nreview:\n  inline_confidence: medium\n", "c.yml"
    )
    assert config.issues == []
    assert (config.fail_on, config.fail_on_confidence, config.inline_confidence) == (
        "warning", Confidence.HIGH, Confidence.MEDIUM,
    )
    assert config.describe_fail_on() == "{severity: warning, confidence: high}"
    plain = Config.from_text("fail_on: error\n", "c.yml")
    assert (plain.fail_on, plain.fail_on_confidence, plain.inline_confidence) == ("error", None, Confidence.HIGH)
    for bad in ("fail_on: {confidence: sure}\n", "review: {inline_confidence: always}\n",
                "fail_on: {severity: error, when: push}\n"):
        assert Config.from_text(bad, "c.yml").issues, bad


def test_cli_exit_code_follows_fail_on_confidence(capsys, tmp_path) -> None:
    write(tmp_path, {"compose.yaml": COMPOSE})
    assert run_cli(capsys, "check", cwd=tmp_path).code == 1  # default: every confidence counts
    write(tmp_path, {".dockreview.yml": "fail_on: {severity: error, confidence: high}\n"})
    result = run_cli(capsys, "check", cwd=tmp_path)
    assert result.code == 0, result.out
    assert "DR101" in result.out  # still reported


def _report(config: Config):  # type: ignore[no-untyped-def]
    snapshot = Snapshot.from_mapping({"compose.yaml": COMPOSE})
    return review(snapshot, config)


def test_app_inline_comments_and_conclusion_follow_the_config() -> None:
    default = Config()
    report = _report(default)
    [finding] = [f for f in report.findings if f.rule == "DR101"]
    assert finding.confidence is Confidence.MEDIUM
    plan = render.review_plan(report, None, [], default, "a" * 40)
    assert [f.rule for f in plan.summary_only] == ["DR101"] and not plan.new
    assert summary.conclusion(report, default) == "failure"  # the default conclusion stays strict

    configured = Config.from_text(
        "fail_on: {severity: error, confidence: high}\nreview: {inline_confidence: medium}\n", "c.yml"
    )
    report = _report(configured)
    plan = render.review_plan(report, None, [], configured, "a" * 40)
    assert not plan.summary_only and [c.finding.rule for c in plan.new] == ["DR101"]
    assert summary.conclusion(report, configured) == "success"


def test_findings_lowered_for_a_dev_file_do_not_fail_by_default(capsys, tmp_path) -> None:
    write(tmp_path, {"compose.override.yaml": COMPOSE.replace("${POSTGRES_PASSWORD:-s3cr3t-default}", "hunter2")})
    result = run_cli(capsys, "check", cwd=tmp_path)
    assert result.code == 0, result.out
    assert "confidence lowered: `compose.override.yaml` matches `*override*`" in result.out
    write(tmp_path, {".dockreview.yml": "fail_on: {severity: error, confidence: medium}\n"})
    assert run_cli(capsys, "check", cwd=tmp_path).code == 1  # a written confidence decides alone
