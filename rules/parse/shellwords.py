"""`shlex.split(text)` (POSIX mode, no comments) in one regular expression pass.

shlex reads a character at a time in Python: about a millisecond for a long `RUN` line with
quotes, which made it a tenth of a small review. `split` gives the same words, and raises
`ValueError` where shlex does (an unclosed quote, a backslash at the end); tests/test_shellwords.py
compares the two on generated text.

The rules shlex follows here:
- words are separated by runs of space, tab, CR and LF (nothing else is a blank);
- `'...'` is literal; `"..."` is literal except that a backslash before `"` or another backslash
  gives that character (before anything else it stays);
- outside quotes a backslash gives the next character, whatever it is;
- quoted and unquoted pieces with no blank between them are one word, and `''` is an empty word.
"""

from __future__ import annotations

import re

# One piece of a word, or a run of blanks. An unclosed quote or a lone final backslash is matched
# by its own alternative, so that the error is raised where shlex raises it.
_PIECE = re.compile(r"""
    (?P<blank>[ \t\r\n]+)
  | '(?P<single>[^']*)'
  | "(?P<double>(?:[^"\\]|\\.)*)"
  | \\(?P<escaped>.)
  | (?P<plain>[^ \t\r\n'"\\]+)
  | (?P<unclosed>['"])
  | (?P<dangling>\\)
""", re.VERBOSE | re.DOTALL)
_DOUBLE_ESCAPE = re.compile(r'\\(["\\])')


def words(text: str) -> list[str]:
    """Shell-like words, quotes removed; never fails: text shlex cannot split is split on blanks."""
    try:
        return split(text)
    except ValueError:
        return text.split()


def split(text: str) -> list[str]:
    """The words of `text` as `shlex.split(text)` gives them; raises ValueError as it does."""
    words: list[str] = []
    word: list[str] | None = None  # the word being read; None between words
    for match in _PIECE.finditer(text):
        kind = match.lastgroup
        if kind == "blank":
            if word is not None:
                words.append("".join(word))
                word = None
            continue
        if kind == "unclosed":
            raise ValueError("No closing quotation")
        if kind == "dangling":
            raise ValueError("No escaped character")
        piece = match.group(kind) if kind else ""  # every alternative is named: kind is always set
        if kind == "double" and "\\" in piece:
            piece = _DOUBLE_ESCAPE.sub(r"\1", piece)
        if word is None:
            word = []
        word.append(piece)
    if word is not None:
        words.append("".join(word))
    return words
