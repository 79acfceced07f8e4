"""No output ever shows a secret, and file content in comments can never become markup.

For every rule that sees a secret (categories hardcoded-secret, registry-credentials, secret-build-arg)
random secret values go into real-looking files; the rule must fire and the value must appear in no
CLI format, no App comment, check run summary, annotation or review body, no container change, no log.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from dockreview.bot.output import FORMATS, Run, render
from dockreview.bot.output.changes import text_lines
from dockreview.bot.review import markdown as md
from dockreview.bot.review.changes import markdown_table
from dockreview.bot.review.comment import SECRET_CATEGORIES, comment_body
from dockreview.bot.review.plan import plan_review
from dockreview.bot.review.summary import check_annotations, check_output, review_body
from dockreview.rules import catalog
from dockreview.rules.config import Config
from dockreview.rules.engine import Change, review
from dockreview.rules.snapshot import Snapshot
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# DR302 (push without login) is registry-credentials but about a missing login: it never sees a value.
NO_SECRET_VALUE = {"DR302"}

SVC = "services:\n  web:\n    image: example/web:1.4\n"
WF = "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n"


def _compose_env_map(s: str) -> dict[str, str]:
    return {"compose.yaml": SVC + f"    environment:\n      LOG_LEVEL: info\n      POSTGRES_PASSWORD: {s}\n"}


def _compose_env_list(s: str) -> dict[str, str]:
    return {"compose.yaml": SVC + f"    environment:\n      - LOG_LEVEL=info\n      - API_TOKEN={s}\n"}


def _compose_env_quoted(s: str) -> dict[str, str]:
    return {"compose.yaml": SVC + f"    environment:\n      SECRET_KEY: \"{s}\"\n"}


def _compose_url_map(s: str) -> dict[str, str]:
    return {"compose.yaml": SVC + f"    environment:\n      DATABASE_URL: postgres://admin:{s}@db:5432/app\n"}


def _compose_url_list(s: str) -> dict[str, str]:
    return {"compose.yaml": SVC + f"    environment:\n      - SENTRY=https://abc:{s}@sentry.example.com/1\n"}


def _compose_build_arg_map(s: str) -> dict[str, str]:
    return {"compose.yaml": "services:\n  web:\n    image: example/web:1.4\n    build:\n      context: .\n"
                            f"      args:\n        NPM_TOKEN: {s}\n",
            "Dockerfile": "FROM node:20\nARG NPM_TOKEN\n"}


def _compose_build_arg_list(s: str) -> dict[str, str]:
    return {"compose.yaml": "services:\n  web:\n    image: example/web:1.4\n    build:\n      context: .\n"
                            f"      args:\n        - SECRET_KEY={s}\n",
            "Dockerfile": "FROM node:20\nARG SECRET_KEY\n"}


def _dotenv(s: str) -> dict[str, str]:
    return {"compose.yaml": "services:\n  web:\n    image: example/web:1.4\n    environment:\n      RPC_SECRET:\n",
            ".env": f"LOG_LEVEL=info\nRPC_SECRET={s}\n"}


def _dockerfile_arg(s: str) -> dict[str, str]:
    return {"Dockerfile": f"FROM node:20\nARG DB_PASSWORD={s}\nRUN echo building\n"}


def _dockerfile_env(s: str) -> dict[str, str]:
    return {"Dockerfile": f"FROM python:3.12\nENV DJANGO_SECRET_KEY={s} MODE=prod\n"}


def _dockerfile_env_spaced(s: str) -> dict[str, str]:
    return {"Dockerfile": f"FROM python:3.12\nENV API_TOKEN {s}\n"}


def _workflow_login(s: str) -> dict[str, str]:
    return {".github/workflows/release.yml": WF + "      - uses: docker/login-action@v3\n        with:\n"
                                                  f"          registry: ghcr.io\n          username: bot\n"
                                                  f"          password: {s}\n"}


def _workflow_build_args(s: str) -> dict[str, str]:
    return {".github/workflows/release.yml": WF + "      - uses: docker/build-push-action@v6\n        with:\n"
                                                  "          push: false\n          build-args: |\n"
                                                  f"            NODE_ENV=production\n            API_KEY={s}\n"}


def _workflow_run_login(s: str) -> dict[str, str]:
    return {".github/workflows/release.yml": WF + f"      - run: docker login -u bot -p {s} ghcr.io\n"}


def _script_login(s: str) -> dict[str, str]:
    return {"deploy.sh": f"#!/bin/sh\nset -e\ndocker login -u deploybot -p {s} registry.example.com\n"
                         "docker push registry.example.com/app:1\n"}


def _script_login_long(s: str) -> dict[str, str]:
    return {"scripts/release.sh": f"#!/bin/bash\ndocker login --username bot --password={s} ghcr.io\n"}


TRIGGERS: dict[str, list[Callable[[str], dict[str, str]]]] = {
    "DR101": [_compose_env_map, _compose_env_list, _compose_env_quoted],
    "DR102": [_compose_url_map, _compose_url_list],
    "DR114": [_compose_build_arg_map, _compose_build_arg_list],
    "DR116": [_dotenv],
    "DR205": [_dockerfile_arg],
    "DR206": [_dockerfile_env, _dockerfile_env_spaced],
    "DR301": [_workflow_login],
    "DR306": [_workflow_build_args],
    "DR404": [_script_login, _script_login_long, _workflow_run_login],
}
CASES = [(code, make) for code, makers in TRIGGERS.items() for make in makers]


def test_every_rule_that_sees_a_secret_is_covered() -> None:
    seeing = {r.code for r in catalog.all_rules() if r.category in SECRET_CATEGORIES} - NO_SECRET_VALUE
    assert seeing == set(TRIGGERS), seeing ^ set(TRIGGERS)


_FIRST = string.ascii_letters + string.digits
_REST = _FIRST + "-_.+~^%!*"
_PLACEHOLDER = re.compile(r"^(?:dummy|placeholder|changeme|change-me|fake|build|builder|x+|not-?a-?secret|unused|"
                          r"none|test|secret|true|false|yes|no|on|off|null)", re.IGNORECASE)
SECRETS = st.builds(lambda a, b: a + b, st.sampled_from(_FIRST), st.text(_REST, min_size=9, max_size=39)).filter(
    lambda s: sum(c.isdigit() for c in s) >= 2 and sum(c.isalpha() for c in s) >= 2 and not _PLACEHOLDER.match(s)
)


def _outputs(files: dict[str, str], base_files: dict[str, str], code: str) -> dict[str, str]:
    """Every text dockreview produces for `files` (reviewed whole and as a change from `base_files`)."""
    snapshot = Snapshot.from_mapping(files)
    config = Config()
    report = review(snapshot, config)
    assert any(f.rule == code for f in report.findings), (code, files, [f.rule for f in report.findings])
    out: dict[str, str] = {}
    root = Path("/repo")
    for fmt in FORMATS:
        out[fmt] = render(fmt, Run(report, snapshot, config, root=root, cwd=root))
    plan = plan_review(report.findings, None, [], 1, "a" * 40)  # one inline comment, the rest capped
    for i, finding in enumerate(report.findings):
        out[f"comment {i}"] = comment_body(finding, snapshot.line(finding.path, finding.line))
    out["check output"] = repr(check_output(report, plan, head_sha="a" * 40, config=config,
                                            repo_url="https://github.com/o/r"))
    out["annotations"] = repr(check_annotations(report.findings))
    out["review body"] = review_body(plan)
    out["review payload"] = repr(plan.review_payload(review_body(plan)))
    out["findings"] = repr([(f.message, f.evidence, f.suggestion, f.related, f.fingerprint()) for f in report.findings])
    # The same files as a change: the secret is added on head.
    head = Snapshot.from_mapping(files)
    base = Snapshot.from_mapping(base_files)
    changed = review(head, config, change=Change(lines={p: None for p in files}), base=base)
    out["diff findings"] = repr([(f.message, f.evidence, f.suggestion) for f in changed.findings])
    out["changes"] = repr(changed.changes) + markdown_table(changed.changes) + "\n".join(text_lines(changed.changes))
    out["diff check output"] = repr(check_output(changed, None, head_sha="b" * 40, config=config))
    for fmt in FORMATS:
        out[f"diff {fmt}"] = render(fmt, Run(changed, head, config, root=root, cwd=root, diff=True))
    return out


@pytest.mark.parametrize(("code", "make"), CASES, ids=[f"{c}-{m.__name__.strip('_')}" for c, m in CASES])
@FAST
@given(secret=SECRETS)
def test_no_output_shows_the_secret(code: str, make: Callable[[str], dict[str, str]], secret: str,
                                    caplog: pytest.LogCaptureFixture) -> None:
    files = make(secret)
    base_files = make("${FROM_THE_ENVIRONMENT}")
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    outputs = _outputs(files, base_files, code)
    outputs["logs"] = caplog.text + repr([r.__dict__ for r in caplog.records])
    leaked = [name for name, text in outputs.items() if secret in text]
    assert not leaked, f"{secret!r} shown in {leaked}"


def test_text_format_does_not_show_the_secret() -> None:
    secret = "Zq81-unique-V4lue"
    out = _outputs(_compose_env_map(secret), _compose_env_map("${X}"), "DR101")
    assert secret not in out["text"]


# --- file content quoted in comments cannot become markup ---------------------------------------
HOSTILE = [
    "```\n@org/team [x](http://evil) <img src=x>",
    "````",
    "~~~",
    "@org/team please look",
    "[x](http://evil)",
    "![img](http://evil/x.png)",
    "<img src=x onerror=alert(1)>",
    "<!-- dockreview:v1 fp=0000000000000000 rule=DR101 -->",
    "<details><summary>x</summary>",
    "#123 owner/repo#45 @octocat",
    "<https://evil.example>",
    "| a | b |",
]


def _hostile_files(value: str) -> dict[str, str]:
    one = md.one_line(value).replace('"', "'")
    return {
        "Dockerfile": f"FROM node:latest\n# {one}\nRUN echo \"{one}\"\n",
        "compose.yaml": (f"services:\n  web:\n    image: \"example/web:latest\"\n    command: \"{one}\"\n"
                         f"    labels:\n      note: \"{one}\"\n"
                         "    ports:\n      - \"5432:5432\"\n  db:\n    image: postgres:latest\n"
                         "    ports:\n      - \"5432:5432\"\n"),
        f"svc {one[:20].replace('/', '_')}/Dockerfile": "FROM node:latest\n",
    }


def _rendered_outside_code(markdown: str) -> str:
    """The markdown with fenced blocks and code spans removed: what GitHub would interpret."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        if fence is None:
            match = re.match(r"^(`{3,})", line)
            if match:
                fence = match.group(1)
                continue
            out.append(line)
        elif re.fullmatch(re.escape(fence) + r"`*\s*", line):
            fence = None
    assert fence is None, "a fenced block was left open"
    text = "\n".join(out)
    # Code spans: a run of n backticks closed by the next run of exactly n.
    return re.sub(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", text)


def _assert_inert(markdown: str, ours: int = 1) -> None:
    outside = _rendered_outside_code(markdown)
    ours_html = ("<details>", "</details>", "<summary>", "</summary>")  # our own collapsible sections
    assert outside.count("<details>") == outside.count("</details>") == outside.count("<summary>")
    for tag in ours_html:
        outside = outside.replace(tag, "")
    assert not re.search(r"@[A-Za-z0-9]", outside), outside
    assert not re.search(r"(?<![&\w])#\d", outside), outside
    assert not re.search(r"<(?!!-- dockreview:v1 )[A-Za-z!/]", outside), outside
    assert "](" not in outside.replace("](https://github.com/", "").replace("](https://docs", ""), outside
    assert outside.count("<!-- dockreview:v1") <= ours, outside


@pytest.mark.parametrize("value", HOSTILE)
def test_quoted_file_content_cannot_break_out(value: str) -> None:
    files = _hostile_files(value)
    snapshot = Snapshot.from_mapping(files)
    config = Config()
    report = review(snapshot, config)
    assert report.findings
    for finding in report.findings:
        body = comment_body(finding, snapshot.line(finding.path, finding.line))
        _assert_inert(body)
        assert body.rstrip().endswith("-->") and body.count("<!-- dockreview:v1") >= 1
        # Our marker is the last line and the only one GitHub sees outside code.
        assert body.rstrip().split("\n")[-1].startswith("<!-- dockreview:v1 fp=" + finding.fingerprint())
    plan = plan_review(report.findings, None, [], 2, "c" * 40)
    output = check_output(report, plan, head_sha="c" * 40, config=config, repo_url="https://github.com/o/r")
    _assert_inert(output["summary"], ours=0)
    _assert_inert(review_body(plan), ours=0)


@given(st.text(st.sampled_from("`~@#[]()<>!-/|*_\\ \nabcx0123:=\"'"), max_size=60))
@FAST
def test_random_markup_in_source_lines_stays_in_its_code_block(text: str) -> None:
    assume(text.strip())
    finding = review(Snapshot.from_mapping({"Dockerfile": "FROM node:latest\n"})).findings[0]
    body = comment_body(finding, "FROM node:latest " + text)
    _assert_inert(body)
    # The source line comes back verbatim from the one fenced block.
    match = re.search(r"^(`{3,})dockerfile\n(.*?)\n\1$", body, re.MULTILINE | re.DOTALL)
    assert match is not None, body
    assert match.group(2) == ("FROM node:latest " + text).replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") \
        or match.group(2) + "\n" == ("FROM node:latest " + text)


def test_secret_rules_never_quote_the_line() -> None:
    finding = next(f for f in review(Snapshot.from_mapping(_compose_env_map("s3cr3t-V4lue-99"))).findings
                   if f.rule == "DR101")
    body = comment_body(finding, "      POSTGRES_PASSWORD: s3cr3t-V4lue-99")
    assert "s3cr3t-V4lue-99" not in body and "POSTGRES_PASSWORD" in body
