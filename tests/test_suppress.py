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


# --- suppressions a change adds (the engine decides, so `dockreview diff` and the App agree) ------
def _review_change(base_text: str, head_text: str, config=None):
    from dockreview.rules import Snapshot, review
    from dockreview.rules.diff import Change

    base_lines = base_text.splitlines()
    head_lines = head_text.splitlines()
    touched = {i for i, line in enumerate(head_lines, start=1) if i > len(base_lines) or base_lines[i - 1] != line}
    change = Change(lines={"compose.yaml": touched})
    return review(Snapshot.from_mapping({"compose.yaml": head_text}), config, change=change,
                  base=Snapshot.from_mapping({"compose.yaml": base_text}))


PLAIN = "services:\n  web:\n    image: example/web:1.4\n"
RISK = "services:\n  web:\n    image: example/web:1.4\n    environment:\n      API_TOKEN: tok-1234567890{c}\n"


def test_a_suppression_the_change_adds_is_shown_and_still_counts() -> None:
    from dockreview.rules import Config

    report = _review_change(PLAIN, RISK.format(c="  # dockreview: ignore[DR101]"))
    [finding] = [f for f in report.findings if f.rule == "DR101"]
    assert finding.added_suppression == 5
    assert "suppressed by a comment this pull request adds, line 5" in finding.message
    assert report.failing(Config()) and report.suppressed == 0


def test_an_ignore_file_the_change_adds_on_an_untouched_line_still_counts() -> None:
    base = "# dockreview: ignore-file[DR103]\n" + PLAIN
    head = "# dockreview: ignore-file\n" + RISK.format(c="")  # the directive changed: every rule now
    report = _review_change(base, head)
    assert [f.added_suppression for f in report.findings if f.rule == "DR101"] == [1]


def test_a_change_without_line_information_compares_the_directives_with_the_base() -> None:
    from dockreview.rules import Snapshot, review
    from dockreview.rules.diff import Change

    head = RISK.format(c="  # dockreview: ignore[DR101]")
    report = review(Snapshot.from_mapping({"compose.yaml": head}), change=Change(lines={"compose.yaml": set()}),
                    base=Snapshot.from_mapping({"compose.yaml": PLAIN}))
    assert [f.added_suppression for f in report.findings if f.rule == "DR101"] == [5]


def test_trusted_or_base_suppressions_silence_as_before() -> None:
    from dockreview.rules import Config

    trusting = Config.from_dict({"suppressions": {"from_pull_request": True}})
    report = _review_change(PLAIN, RISK.format(c="  # dockreview: ignore[DR101]"), trusting)
    assert not [f for f in report.findings if f.rule == "DR101"] and report.suppressed == 1
    suppressed = RISK.format(c="  # dockreview: ignore[DR101]")
    report = _review_change(suppressed, suppressed + "# more\n")
    assert report.suppressed == 1 and not report.findings


# --- a base suppression over a line the change rewrites ---------------------------------------------
SUPPRESSED = ("services:\n  web:\n    image: example/web:1.4\n    environment:\n"
              "      # dockreview: ignore[DR101] a test token, revoked\n      API_TOKEN: tok-1234567890{v}\n")


def test_a_base_suppression_does_not_cover_a_new_value_on_the_line_it_guarded() -> None:
    from dockreview.rules import Config

    report = _review_change(SUPPRESSED.format(v="ab"), SUPPRESSED.format(v="cd"))
    [finding] = [f for f in report.findings if f.rule == "DR101"]
    assert finding.rewritten_suppression == 5 and finding.added_suppression == 0
    assert "comment on line 5 covers this line, which this pull request changed" in finding.message
    assert report.failing(Config()) and report.suppressed == 0


def test_a_base_suppression_still_covers_the_finding_it_was_written_for_on_a_touched_line() -> None:
    base = SUPPRESSED.format(v="ab")
    report = _review_change(base, base.replace("7890ab\n", "7890ab   \n"))  # touched, the same finding
    assert not [f for f in report.findings if f.rule == "DR101"] and report.suppressed == 1


def test_a_base_ignore_file_and_a_trusting_config_keep_covering_rewritten_lines() -> None:
    from dockreview.rules import Config

    trusting = Config.from_dict({"suppressions": {"from_pull_request": True}})
    report = _review_change(SUPPRESSED.format(v="ab"), SUPPRESSED.format(v="cd"), trusting)
    assert not [f for f in report.findings if f.rule == "DR101"] and report.suppressed == 1
    whole = "# dockreview: ignore-file[DR101]\n" + RISK.format(c="")
    report = _review_change(whole, whole.replace("1234567890", "0987654321"))
    assert not [f for f in report.findings if f.rule == "DR101"] and report.suppressed == 1
