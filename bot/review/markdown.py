"""Safe GitHub markdown for text we do not control (file content, service names, paths, messages).

What GitHub does with text in a comment body, and what we prevent here:

* `@user` / `@org/team` notifies people even in plain text: we put a zero-width joiner after the
  `@` (GitHub's mention pattern needs a letter or digit right after it). Code spans and fenced
  blocks are never scanned for mentions, so text inside them is left alone.
* `#123`, `owner/repo#123` reference issues and add "mentioned this" events to their timelines: the
  `#` gets the same joiner.
* Links, images, autolinks and raw HTML (`[x](u)`, `![x](u)`, `<https://..>`, `<img>`, `<details>`,
  `<!-- ... -->` that could forge our hidden marker): `[`, `]`, `<`, `>`, `&` and backticks become
  character references, which are never markdown or HTML structure.
* Emphasis and block syntax (headings, quotes, lists, tables): text is flattened to one line, `*`,
  `_`, `~`, `\\` are backslash-escaped, `|` becomes `&#124;` and a leading block marker is escaped.

`code_fence` and `inline_code` quote text verbatim with a backtick fence longer than any run of
backticks inside, so the content can never close the block.
"""

from __future__ import annotations

import re

ZWJ = "\u200d"  # zero-width joiner: invisible, and not a letter, so `@\u200duser` is no mention

_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "[": "&#91;",
    "]": "&#93;",
    "`": "&#96;",
    "|": "&#124;",
    "\\": "\\\\",
    "*": "\\*",
    "_": "\\_",
    "~": "\\~",
}
_SPECIAL = re.compile(r"[&<>\[\]`|\\*_~]")
# `@` or `#` followed by something that could start a user, team or issue reference.
_REFERENCE = re.compile(r"([@#])(?=[A-Za-z0-9])")
_NEWLINES = re.compile(r"\s*(?:\r\n|\r|\n|\u2028|\u2029)\s*")
_BACKTICKS = re.compile(r"`+")
_LEADING_BLOCK = re.compile(r"^(?:[-+=#]|\d{1,9}(?=[.)]))")
_LANG = re.compile(r"[^A-Za-z0-9_+.#-]")


def one_line(text: str) -> str:
    """Line breaks (any kind) become single spaces: inline text must not start new blocks."""
    return _NEWLINES.sub(" ", text)


def _escape_fragment(text: str) -> str:
    # References first: the character references added next contain `#` + digits themselves.
    text = _REFERENCE.sub(lambda m: m.group(1) + ZWJ, text)
    return _SPECIAL.sub(lambda m: _ENTITIES[m.group()], text)


def escape_text(text: str) -> str:
    """Plain text for anywhere in a paragraph or table cell: renders as the same characters, no markup."""
    text = one_line(text).strip()
    escaped = _escape_fragment(text)
    return _escape_block_start(escaped)


def _escape_block_start(escaped: str) -> str:
    match = _LEADING_BLOCK.match(escaped)
    if match is None:
        return escaped
    if match.group().isdigit():  # `1.` / `1)` would start an ordered list
        end = match.end()
        return escaped[:end] + "\\" + escaped[end:]
    return "\\" + escaped


def escape_markdown(text: str) -> str:
    """A message written by a rule: keeps its `code spans`, escapes everything around them.

    Rule messages quote file content inside backticks (service names, keys). A code span is only
    kept when it is one by CommonMark's rules (a run of n backticks closed by the next run of exactly
    n); any other backtick becomes `&#96;`. Inside a code span nothing is markup or a mention.
    """
    text = one_line(text).strip()
    out: list[str] = []
    pos = 0
    runs = list(_BACKTICKS.finditer(text))
    i = 0
    while i < len(runs):
        opening = runs[i]
        if opening.start() < pos:
            i += 1
            continue
        closing = next((r for r in runs[i + 1 :] if len(r.group()) == len(opening.group())), None)
        if closing is None:
            i += 1
            continue
        out.append(_escape_fragment(text[pos : opening.start()]))
        out.append(text[opening.start() : closing.end()])
        pos = closing.end()
        i = runs.index(closing) + 1
    out.append(_escape_fragment(text[pos:]))
    return _escape_block_start("".join(out))


def inline_code(text: str) -> str:
    """`text` as one code span whose delimiters are longer than any backtick run inside."""
    text = one_line(text)
    if not text:
        return "` `"
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each side when both are there: pad so the content survives.
    if text.startswith("`") or text.endswith("`") or (text[0] == " " and text[-1] == " " and text.strip()):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def fence_for(text: str, minimum: int = 3) -> str:
    """A backtick fence longer than every backtick run in `text` (at least `minimum`)."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    return "`" * max(minimum, longest + 1)


def code_fence(text: str, lang: str = "") -> str:
    """`text` verbatim in a fenced code block that nothing inside can close."""
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    fence = fence_for(body)
    return f"{fence}{_LANG.sub('', lang)}\n{body}{fence}"


def table_cell(markdown: str) -> str:
    """Already-safe inline markdown made safe inside a GFM table cell.

    `|` splits cells even inside code spans unless it is backslash-escaped; GitHub's table
    extension removes that backslash again, inside code spans too.
    """
    return one_line(markdown).replace("|", "\\|")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in `…` when cut (cut raw text, then escape it)."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "…"


def clip_pair(before: str, after: str, limit: int) -> tuple[str, str]:
    """Two values cut to `limit` characters each around where they differ, so a long registry
    prefix they share does not hide the part that changed (`…alpine3.21` / `…alpine3.24`)."""
    if len(before) <= limit and len(after) <= limit:
        return before, after
    shortest = min(len(before), len(after))
    prefix = 0
    while prefix < shortest and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    start = max(0, prefix - 12)
    return _window(before, start, len(before) - suffix, limit), _window(after, start, len(after) - suffix, limit)


def _window(text: str, start: int, end: int, limit: int) -> str:
    """`text[start:]` shown from `start` (with `…` before when cut), at most `limit` characters."""
    if len(text) <= limit:
        return text
    if start == 0:
        return clip(text, limit)
    shown = "…" + text[start:]
    if len(shown) <= limit:
        return shown
    if end - start + 2 > limit:  # the differing part alone is too long: show its start
        return clip(shown, limit)
    return shown[: limit - 1] + "…"


def link(label_markdown: str, url: str) -> str:
    """A link with already-escaped label; `url` must be one we built (percent-encoded, no spaces)."""
    return f"[{label_markdown}]({url})"
