import re

from dockreview.bot.review.comment import (
    MAX_BODY,
    comment_body,
    docs_url,
    fixed_note,
    mark_fixed,
    suggestion_block,
    why,
)
from dockreview.bot.review.markers import parse_marker
from dockreview.rules import Category, Finding, Severity
from dockreview.rules.values import replace
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import findings

MENTION = re.compile(r"(?:^|[^A-Za-z0-9_`])@[A-Za-z0-9]")

COMPOSE = {
    "compose.yaml": """
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_USER: app
              POSTGRES_PASSWORD: hunter2-Sup3rSecret
        """
}


def secret_finding() -> Finding:
    [finding] = findings(COMPOSE, rule="DR101")
    return finding


def make(**kw: object) -> Finding:
    base = Finding(
        rule="DR101",
        slug="compose-hardcoded-secret",
        category=Category.DATA_PERSISTENCE,
        severity=Severity.ERROR,
        path="compose.yaml",
        line=4,
        message="service `db` keeps data in the container",
        fix="Mount a named volume",
        docs="docs/rules/compose-hardcoded-secret.md",
        evidence="db",
        line_text="image: postgres:16",
    )
    return replace(base, **kw)


def test_real_secret_finding_body() -> None:
    finding = secret_finding()
    body = comment_body(finding, "      POSTGRES_PASSWORD: hunter2-Sup3rSecret")
    assert body.startswith("**DR101 · compose-hardcoded-secret** (error)\n\n")
    assert "hunter2" not in body  # the source line is not quoted for secret rules
    assert "**Why:** A compose file is committed" in body
    assert "**Fix:** Read it from the environment" in body
    assert "```suggestion\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}\n```" in body
    assert f"Docs: [compose-hardcoded-secret]({finding.docs})" in body and finding.docs.startswith("https://")
    relative = comment_body(replace(finding, docs="docs/rules/compose-hardcoded-secret.md"), "")
    assert "Docs: `docs/rules/compose-hardcoded-secret.md`" in relative  # relative: text, not a broken link
    assert parse_marker(body).fingerprint == finding.fingerprint()
    assert parse_marker(body).rule == "DR101"


def test_source_line_quoted_for_other_categories() -> None:
    body = comment_body(make(), "    image: postgres:16 # ``` @someone")
    assert "Line 4:\n````yaml\n    image: postgres:16 # ``` @someone\n````" in body


def test_docs_link_with_absolute_base(monkeypatch) -> None:
    monkeypatch.setenv("DOCKREVIEW_DOCS_URL", "https://dockreview.dev/rules/")
    assert docs_url("docs/rules/x.md") == "https://dockreview.dev/rules/x.md"
    body = comment_body(make())
    assert "Docs: [compose-hardcoded-secret](https://dockreview.dev/rules/compose-hardcoded-secret.md)" in body
    assert docs_url("https://a.example/x.md", "") == "https://a.example/x.md"
    monkeypatch.setenv("DOCKREVIEW_DOCS_URL", "javascript:alert(1)/")
    assert docs_url("docs/rules/x.md") is None


def test_suggestion_block_exact_and_fence_escalation() -> None:
    assert suggestion_block("a\nb\n") == "```suggestion\na\nb\n```"
    assert suggestion_block("a\nb") == "```suggestion\na\nb\n```"
    assert suggestion_block("") == "```suggestion\n```"  # deletes the lines
    assert suggestion_block("\n") == "```suggestion\n\n```"  # one empty line
    text = 'RUN echo "```"\nRUN echo ````'
    assert suggestion_block(text) == f"`````suggestion\n{text}\n`````"
    body = comment_body(make(suggestion=text))
    assert f"`````suggestion\n{text}\n`````" in body


@given(st.text(max_size=60), st.text(max_size=60))
def test_no_mention_or_markup_from_file_content(name: str, line: str) -> None:
    finding = make(message=f"service `{name}` and {name} break", suggestion=line, path=f"{name}/compose.yaml")
    body = comment_body(finding, line)
    prose = body.split("\n\n")[1]  # the message paragraph
    assert "\n" not in prose
    stripped = re.sub(r"(`+)(?:(?!\1).)+?\1", " ", prose)
    assert not MENTION.search(stripped)
    assert "<" not in stripped and "](" not in stripped
    assert parse_marker(body) is not None


def test_body_is_capped() -> None:
    huge = make(message="x" * 200_000, suggestion="y\n" * 40_000)
    body = comment_body(huge, "z" * 100_000)
    assert len(body) <= MAX_BODY
    assert parse_marker(body) is not None
    assert "too long to show" in body


def test_why_is_first_paragraph_only() -> None:
    text = why("DR101")
    assert text.startswith("A compose file is committed")
    assert "Values that come from elsewhere" not in text
    assert why("DR999") == ""


def test_fixed_note_and_mark_fixed() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert fixed_note(sha) == "✅ Fixed in 0123456789ab: dockreview no longer reports this."
    body = comment_body(secret_finding())
    edited = mark_fixed(body, sha)
    assert edited.startswith(fixed_note(sha))
    assert "```suggestion" not in edited
    assert "(suggestion removed)" in edited
    marker = parse_marker(edited)
    assert marker.fixed == sha and marker.fingerprint == secret_finding().fingerprint()
    assert fixed_note("not a sha @x").count("`") == 2
