import re

from dockreview.bot.review import markdown as md
from dockreview.bot.review.markers import Marker, marker, parse_marker, strip_marker
from hypothesis import given
from hypothesis import strategies as st

# GitHub's mention pattern: `@` after a non-word character, then a letter or digit.
MENTION = re.compile(r"(?:^|[^A-Za-z0-9_`])@[A-Za-z0-9]")
ISSUE_REF = re.compile(r"(?<!&)#[0-9]")
DANGEROUS = ("](", "<img", "<a ", "<a>", "<details", "<!--", "![", "<http", "<script", "<")

nasty = st.text(
    alphabet=st.sampled_from(list("@#[]()!<>`|\\*_~-=+:/ \n\r\tabcXYZ019.&;\u200d")) | st.characters(),
    max_size=80,
)


def code_spans(text: str) -> list[tuple[int, int]]:
    """Where CommonMark code spans are (independent of the implementation: brute force)."""
    spans, i = [], 0
    while i < len(text):
        if text[i] != "`":
            i += 1
            continue
        j = i
        while j < len(text) and text[j] == "`":
            j += 1
        n, k = j - i, j
        end = None
        while k < len(text):
            if text[k] == "`":
                m = k
                while m < len(text) and text[m] == "`":
                    m += 1
                if m - k == n:
                    end = m
                    break
                k = m
            else:
                k += 1
        if end is None:
            i = j
        else:
            spans.append((i, end))
            i = end
    return spans


def outside_code(text: str) -> str:
    out, pos = [], 0
    for start, end in code_spans(text):
        out.append(text[pos:start] + " ")
        pos = end
    out.append(text[pos:])
    return "".join(out)


@given(nasty)
def test_escape_text_has_no_markup(text: str) -> None:
    escaped = md.escape_text(text)
    assert "\n" not in escaped and "\r" not in escaped
    assert not MENTION.search(escaped)
    assert not ISSUE_REF.search(escaped)
    assert "`" not in escaped
    for bad in DANGEROUS:
        assert bad not in escaped
    assert not re.match(r"[#>=+-]|\d+[.)]", escaped)


@given(nasty)
def test_escape_markdown_keeps_only_code_spans(text: str) -> None:
    escaped = md.escape_markdown(text)
    assert "\n" not in escaped
    plain = outside_code(escaped)
    assert "`" not in plain  # every backtick left belongs to a real code span
    assert not MENTION.search(plain)
    for bad in DANGEROUS:
        assert bad not in plain


def test_escape_examples() -> None:
    assert md.escape_text("ping @octocat and @org/team") == "ping @\u200doctocat and @\u200dorg/team"
    assert md.escape_text("[x](http://e.vil) ![i](y)") == "&#91;x&#93;(http://e.vil) !&#91;i&#93;(y)"
    assert md.escape_text("<!-- dockreview:v1 -->") == "&lt;!-- dockreview:v1 --&gt;"
    assert md.escape_text("# heading") == "\\# heading"
    assert md.escape_text("1. item") == "1\\. item"
    assert md.escape_text("fixes #12") == "fixes #\u200d12"
    assert md.escape_text("a@b.com") == "a@\u200db.com"  # harmless, and simpler to always break
    kept = md.escape_markdown("`POSTGRES_PASSWORD` of service `@admin` is <b>bad</b> @you")
    assert kept == "`POSTGRES_PASSWORD` of service `@admin` is &lt;b&gt;bad&lt;/b&gt; @\u200dyou"
    assert md.escape_markdown("a ` lone tick") == "a &#96; lone tick"


@given(nasty)
def test_inline_code_is_one_span(text: str) -> None:
    code = md.inline_code(text)
    assert code_spans(code) == [(0, len(code))]
    assert "\n" not in code


@given(st.text(max_size=200), st.sampled_from(["", "yaml", "dockerfile", "x`y"]))
def test_code_fence_cannot_be_closed_from_inside(text: str, lang: str) -> None:
    block = md.code_fence(text, lang)
    lines = block.split("\n")
    fence = re.match(r"`+", lines[0]).group()
    assert len(fence) >= 3
    assert "`" not in lines[0][len(fence) :]  # a backtick in the info string would break the fence
    assert lines[-1] == fence
    for line in lines[1:-1]:
        assert fence not in line  # nothing inside is as long as the fence, so nothing closes it
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    inner = "\n".join(lines[1:-1])
    assert inner == normalized.removesuffix("\n") or (inner + "\n" == normalized)


def test_code_fence_escalates() -> None:
    assert md.code_fence("a ``` b\n````\n", "yaml") == "`````yaml\na ``` b\n````\n`````"
    assert md.code_fence("plain") == "```\nplain\n```"


def test_table_cell_escapes_pipes_in_code() -> None:
    assert md.table_cell("`a|b` x&#124;y") == "`a\\|b` x&#124;y"


FP = "0123456789abcdef0123456789abcdef"


def test_marker_roundtrip_and_strictness() -> None:
    text = marker(FP, "DR101")
    assert text == f"<!-- dockreview:v1 fp={FP} rule=DR101 -->"
    assert parse_marker(f"body\n\n{text}\n") == Marker(FP, "DR101")
    assert parse_marker(f"body\n\n{marker(FP, 'DR101', 'abcdef1')}") == Marker(FP, "DR101", "abcdef1")
    assert parse_marker(text) == Marker(FP, "DR101")
    # not at the end, not on its own line, wrong version, malformed
    assert parse_marker(f"{text}\nmore text") is None
    assert parse_marker(f"text {text}") is None
    assert parse_marker(text.replace("v1", "v2")) is None
    assert parse_marker(text.replace(FP, "XYZ")) is None
    assert parse_marker(text.replace("-->", "--> ")) is not None  # trailing whitespace is fine
    assert parse_marker(text.replace(" rule", "  rule")) is None
    assert parse_marker(f"```\n{text}\n```") is None
    assert parse_marker(None) is None
    assert strip_marker(f"body\n\n{text}") == "body"
    assert strip_marker("no marker") == "no marker"


def test_marker_refuses_bad_values() -> None:
    import pytest

    with pytest.raises(ValueError):
        marker("not-hex --> <img>", "DR101")
    with pytest.raises(ValueError):
        marker(FP, "DR101 -->")
