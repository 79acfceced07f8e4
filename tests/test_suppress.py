from tests.helpers import findings

BASE = """
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: hunter2{trailing}
          API_TOKEN: abcdef123
    """


def compose(text: str) -> dict[str, str]:
    return {"compose.yaml": text}


def test_trailing_ignore_by_code_and_by_slug() -> None:
    for name in ("DR101", "compose-hardcoded-secret", "dr101"):
        text = BASE.format(trailing=f"  # dockreview: ignore[{name}] rotated, dev only")
        result = findings(compose(text), rule="DR101")
        assert [f.line for f in result] == [6], name


def test_comment_on_line_above() -> None:
    text = BASE.format(trailing="").replace(
        "      POSTGRES_PASSWORD", "      # dockreview: ignore[DR101]\n          POSTGRES_PASSWORD"
    )
    result = findings(compose(text), rule="DR101")
    assert [f.line for f in result] == [7]  # only API_TOKEN, one line lower now


def test_bare_ignore_covers_every_rule_on_the_line() -> None:
    result = findings(compose(BASE.format(trailing="  # dockreview: ignore")), rule="DR101")
    assert [f.line for f in result] == [6]


def test_other_rule_code_does_not_suppress() -> None:
    result = findings(compose(BASE.format(trailing="  # dockreview: ignore[DR001]")), rule="DR101")
    assert [f.line for f in result] == [5, 6]


def test_ignore_file_at_top() -> None:
    text = "# dockreview: ignore-file[DR101]\n" + BASE
    assert findings(compose(text), rule="DR101") == []
    # Not at the top: no effect.
    text = BASE + "\n# dockreview: ignore-file\n"
    assert len(findings(compose(text), rule="DR101")) == 2


def test_unknown_code_is_a_warning() -> None:
    result = findings(compose(BASE.format(trailing="  # dockreview: ignore[DR9999]")))
    unknown = [f for f in result if f.rule == "DR002"]
    assert len(unknown) == 1 and unknown[0].line == 5
    assert "DR9999" in unknown[0].message
    # And the finding it meant to silence still fires.
    assert [f.line for f in result if f.rule == "DR101"] == [5, 6]


def test_upper_case_directive_is_honoured() -> None:
    text = "# DOCKREVIEW: IGNORE-FILE\n" + BASE.format(trailing="")
    assert findings(compose(text), rule="DR101") == []
    text = BASE.format(trailing="  # DockReview: Ignore[DR101]")
    assert [f.line for f in findings(compose(text), rule="DR101")] == [6]
