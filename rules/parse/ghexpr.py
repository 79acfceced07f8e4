"""GitHub Actions expressions (`${{ ... }}`) inside YAML and shell: found, and hidden behind short
same-length placeholders so the other parsers read the text and positions stay true."""

from __future__ import annotations

from dockreview.rules.lazyre import lazy

# The content holds no `{{`: linear time on a run of unclosed `${{`.
EXPRESSION = lazy(r"\$\{\{(?:[^\n{}]|\{(?!\{)|\}(?!\}))*\}\}")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(number: int) -> str:
    """A short index for a placeholder: `0`..`z`, then `10`..."""
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = _DIGITS[rest] + out
        if not number:
            return out
