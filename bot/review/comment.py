"""The body of one inline review comment: what breaks, why, how to fix it, a one-click suggestion.

    **DR101 · compose-hardcoded-secret** (error)

    `POSTGRES_PASSWORD` of service `db` is a literal secret: ...

    **Why:** <first paragraph of the rule's "Why is this bad?" docs>

    **Fix:** <the rule's fix>

    ```suggestion
    <replacement for lines start_line..line>
    ```

    Docs: [compose-hardcoded-secret](https://...)

    <!-- dockreview:v1 fp=... rule=DR101 -->

File content only ever appears escaped, in code spans or in fenced blocks. Secrets never appear:
findings do not carry them, and the source line is not quoted for secret categories.
"""

from __future__ import annotations

import os
import re
from functools import cache

from dockreview.bot.review import markdown as md
from dockreview.bot.review.markers import Marker, parse_marker, strip_marker
from dockreview.rules import catalog
from dockreview.rules.finding import SECRET_CATEGORIES, Finding

MAX_BODY = 65536  # GitHub: "Body is too long (maximum is 65536 characters)"
DOCS_ENV = "DOCKREVIEW_DOCS_URL"
_SHA = re.compile(r"[0-9a-f]{7,64}")
_ABSOLUTE = re.compile(r"https?://[^\s()<>\[\]`]+")


def header(finding: Finding) -> str:
    return f"**{finding.rule} · {finding.slug}** ({finding.severity})"


@cache
def why(rule_code: str) -> str:
    """First paragraph of the rule's `## Why is this bad?` docs section, on one line ("" if none)."""
    rule = catalog.find(rule_code)
    if rule is None:
        return ""
    lines = rule.docs().splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip().lower() == "## why is this bad?")
    except StopIteration:
        return ""
    paragraph: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if not line.strip():
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    return " ".join(paragraph)


def docs_url(docs: str, base: str | None = None) -> str | None:
    """An absolute URL for a rule's docs, or None when only a relative path is known.

    `docs` is what the engine put in `Finding.docs`; `base` (default: `$DOCKREVIEW_DOCS_URL`)
    turns a relative `docs/rules/<slug>.md` into `<base>/<slug>.md`.
    """
    if _ABSOLUTE.fullmatch(docs):
        return docs
    base = base if base is not None else os.environ.get(DOCS_ENV, "")
    if docs and _ABSOLUTE.fullmatch(base.rstrip("/") + "/x"):
        name = docs.rstrip("/").rsplit("/", 1)[-1]
        return f"{base.rstrip('/')}/{name}"
    return None


def docs_line(finding: Finding, base: str | None = None) -> str:
    url = docs_url(finding.docs, base)
    if url:
        return f"Docs: {md.link(md.escape_text(finding.slug), url)}"
    if finding.docs:
        return f"Docs: {md.inline_code(finding.docs)}"
    return ""


def suggestion_block(suggestion: str) -> str:
    """A GitHub suggestion: the text replaces the commented lines exactly ("" deletes them)."""
    text = suggestion.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]  # one trailing newline ends the last line; it is not an extra empty line
    body = text + "\n" if text or suggestion else ""
    fence = md.fence_for(body)
    return f"{fence}suggestion\n{body}{fence}"


def _lang(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    if "dockerfile" in name or name.endswith(".dockerfile"):
        return "dockerfile"
    if name.endswith((".yml", ".yaml")):
        return "yaml"
    if name.endswith((".sh", ".bash")):
        return "sh"
    if name in ("makefile", "gnumakefile") or name.endswith(".mk"):
        return "make"
    return ""


def may_quote_source(finding: Finding) -> bool:
    return finding.category not in SECRET_CATEGORIES


def comment_body(finding: Finding, source_line: str | None = None, *, docs_base: str | None = None) -> str:
    """The markdown body of the inline comment for `finding` (at most MAX_BODY characters).

    `source_line` (the flagged line as in the file) is quoted when given, except for rules whose
    line holds a secret. The suggestion block assumes the comment spans `line..last_line`.
    """
    message_limit = 4000
    keep_suggestion = finding.suggestion is not None
    keep_source = source_line is not None and may_quote_source(finding)
    while True:
        body = _render(finding, source_line if keep_source else None, message_limit, keep_suggestion, docs_base)
        if len(body) <= MAX_BODY:
            return body
        if keep_source:
            keep_source = False
        elif keep_suggestion:
            keep_suggestion = False
        else:
            message_limit //= 2


def _render(
    finding: Finding, source_line: str | None, message_limit: int, keep_suggestion: bool, docs_base: str | None
) -> str:
    parts = [header(finding), md.escape_markdown(md.clip(finding.message, message_limit))]
    if source_line is not None:
        parts.append(f"Line {finding.line}:\n{md.code_fence(md.clip(source_line, 2000), _lang(finding.path))}")
    reason = why(finding.rule)
    if reason:
        parts.append(f"**Why:** {reason}")
    fix = finding.fix or getattr(catalog.find(finding.rule), "fix", "")
    if fix:
        parts.append(f"**Fix:** {md.one_line(fix)}")  # catalog text: trusted markdown
    if finding.suggestion is not None:
        if keep_suggestion:
            parts.append(suggestion_block(finding.suggestion))
        else:
            parts.append("_The suggested change is too long to show here._")
    docs = docs_line(finding, docs_base)
    if docs:
        parts.append(docs)
    parts.append(Marker(finding.fingerprint(), finding.rule).render())
    return "\n\n".join(parts)


def short_sha(sha: str) -> str:
    return sha[:12] if _SHA.fullmatch(sha) else sha


def fixed_note(sha: str) -> str:
    """One line saying the finding is gone as of commit `sha` (GitHub links a bare SHA)."""
    shown = short_sha(sha) if _SHA.fullmatch(sha) else md.inline_code(sha)
    return f"✅ Fixed in {shown}: dockreview no longer reports this."


def mark_fixed(body: str, sha: str) -> str:
    """The edited body of a comment whose finding went away: the note, then the original collapsed.

    The suggestion block is removed (it should not be applied any more) and the marker records the
    fix, so later runs neither edit the comment again nor count it as an open finding.
    """
    found = parse_marker(body)
    original = _drop_suggestions(strip_marker(body))
    parts = [
        fixed_note(sha),
        f"<details><summary>Original comment</summary>\n\n{original}\n\n</details>",
    ]
    if found is not None:
        fixed = sha if _SHA.fullmatch(sha) else None
        parts.append(Marker(found.fingerprint, found.rule, fixed or found.fixed or "0000000").render())
    text = "\n\n".join(parts)
    if len(text) > MAX_BODY:
        parts[1] = "<details><summary>Original comment</summary>\n\n(too long to keep)\n\n</details>"
        text = "\n\n".join(parts)
    return text


def _drop_suggestions(body: str) -> str:
    out: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
        if fence is None:
            match = re.fullmatch(r"(`{3,})suggestion\s*", line)
            if match:
                fence = match.group(1)
                out.append("_(suggestion removed)_")
                continue
            out.append(line)
        elif line.strip() == fence:
            fence = None
    return "\n".join(out)
