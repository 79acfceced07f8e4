"""rules.parse.shellwords.split against shlex.split (POSIX, no comments), the behaviour it replaces:
the same words for any text, and a ValueError wherever shlex raises one."""

from __future__ import annotations

import shlex

import pytest
from dockreview.rules.parse.shellwords import split
from hypothesis import given, settings
from hypothesis import strategies as st

# The characters shlex treats specially, some it does not (\f and \v are not blanks to it), others.
ALPHABET = st.sampled_from([*" \t\r\n\f\v'\"\\$`#;|&()<>=*?~a-zé0", "\\\n", "''", '""', "\\\"", "\\\\"])


def _shlex(text: str) -> list[str] | type[ValueError]:
    try:
        return shlex.split(text)
    except ValueError:
        return ValueError


def _ours(text: str) -> list[str] | type[ValueError]:
    try:
        return split(text)
    except ValueError:
        return ValueError


@settings(max_examples=3000, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_the_same_words_or_the_same_error_as_shlex(text: str) -> None:
    assert _ours(text) == _shlex(text)


@pytest.mark.parametrize("text", [
    "", "   ", "a", "a b\tc\r\nd", "'a b' c", '"a b" c', "a''b", "'' ''", '"a\\"b"', '"a\\\\b"', '"a\\$b"',
    "a\\ b", "a\\\nb", "\\'x", '"\'"', "'\"'", "apt-get install -y \"curl=7.*\" 'jq' && echo \"done: $HOME\"",
    "x\fy", "x\vy", "'unclosed", '"unclosed', '"ends in backslash\\', "dangling\\", "é 'ü' \"ß\"",
])
def test_known_cases(text: str) -> None:
    assert _ours(text) == _shlex(text)
