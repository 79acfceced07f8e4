"""YAML read by libyaml (rules/parse/yaml_cparser.py) gives what the pure-Python loader gives:
the same documents (values, types, every position, anchors, tags, merges, aliases) or the same
error on the same line, over the corpus, every YAML text of the tests and constructed documents;
and the whole engine's findings over the corpus are the same both ways."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
from dockreview.rules import Snapshot, review
from dockreview.rules.parse import workflow, yaml_cparser, yamlsrc
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.yaml_support import outcome

ROOT = Path(__file__).resolve().parents[1]


def _corpus_yaml(shared: Path) -> dict[str, str]:
    texts = {}
    for top, _, names in os.walk(shared / "corpus"):
        for name in names:
            if name.endswith((".yml", ".yaml")):
                path = Path(top, name)
                texts[str(path.relative_to(shared))] = path.read_text(encoding="utf-8", errors="replace")
    return dict(sorted(texts.items()))


def _same(pure: tuple, fast: tuple) -> bool:
    if pure[0] == "crash" and "overlap in comment" in pure[2]:
        # The pure loader's comment handling fails on some explicit keys (`? a` then `b: # c` and an
        # indented value: NotImplementedError 'overlap in comment'). libyaml reads no comments, so
        # the document loads. The one known difference, and not a worse one.
        return fast[0] == "documents"
    return pure == fast


def _differences(texts: dict[str, str]) -> dict[str, tuple[object, object]]:
    found = {}
    for name, text in texts.items():
        for first_only in (False, True):
            pure = outcome(text, c_parser=False, first_only=first_only)
            fast = outcome(text, c_parser=True, first_only=first_only)
            if not _same(pure, fast):
                found[f"{name} (first_only={first_only})"] = (pure, fast)
    return found


def test_the_c_parser_is_installed() -> None:
    # A dependency on CPython (pyproject.toml): without it every load takes the slow path.
    assert yaml_cparser.AVAILABLE and yamlsrc.USE_C_PARSER


def test_corpus_yaml_loads_identically(shared: Path) -> None:
    texts = _corpus_yaml(shared)
    assert len(texts) > 250
    # Workflows are loaded with their GitHub expressions hidden: that text too.
    texts |= {f"{name} (expressions hidden)": workflow._hide_expressions(text)[0]
              for name, text in texts.items() if "/.github/workflows/" in name}
    assert _differences(texts) == {}


def test_corpus_yaml_with_crlf_and_a_byte_order_mark_loads_identically(shared: Path) -> None:
    """Windows-edited files: CRLF line breaks, a byte-order mark at the start (both take the fast path)."""
    texts = {name: "\ufeff" + text.replace("\n", "\r\n") for name, text in _corpus_yaml(shared).items()}
    found = {name: (pure, fast) for name, text in texts.items()
             if not _same(pure := outcome(text, c_parser=False), fast := outcome(text, c_parser=True))}
    assert found == {}
    assert sum(1 for text in texts.values() if _fast(text)) > 250


def _fast(text: str) -> bool:
    try:
        yaml_cparser.load_all(text)
    except Exception:
        return False
    return True


def test_the_corpus_takes_the_fast_path(shared: Path) -> None:
    """The comparison above proves something only if the C parser really read the files."""
    slow = [name for name, text in _corpus_yaml(shared).items() if not _fast(text)]
    # The few left: Jinja templates (invalid YAML until masked, which load_documents does first).
    assert len(slow) <= 5, slow


def _test_yaml_texts() -> dict[str, str]:
    """Every string constant of the tests that looks like YAML (a `key:` and a line break), and the
    YAML files of examples/."""
    texts = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value \
                    and re.search(r"^\s*[-\w\"'.]+:", node.value, re.MULTILINE):
                texts[f"{path.name}:{node.lineno}:{len(texts)}"] = node.value
    for path in sorted((ROOT / "examples").rglob("*.y*ml")):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return texts


def test_yaml_of_the_tests_loads_identically() -> None:
    texts = _test_yaml_texts()
    assert len(texts) > 500
    assert _differences(texts) == {}


# Each one is a place where the two parsers differ or could: empty values (after a comment, before
# a dedent, at the end of the text with or without a line break, in flow mappings), anchors on
# scalars and collections, merge keys, Compose's tags, multi-documents, invalid YAML (the error's
# message and line), bounds, and what the fast path leaves to the pure loader.
CONSTRUCTED = {
    "empty values": "volumes:\n  postgres_data:\n  redis_data:\n\nnetworks:\n  front:\n",
    "empty value, end without line break": "volumes:\n  data:",
    "empty value, trailing spaces": "volumes:\n  data:   ",
    "empty value, comment, next key": "on:\n  push: # on push\n  workflow_dispatch: # by hand\n\njobs: {}\n",
    "empty value, comment, dedent": "on:\n  issue_comment: # comments\n\njobs:\n  a: 1\n",
    "empty value, comment, end": "a:\n  b: # c\n",
    "empty value, comment lines, next key": "a:\n\n  # one\n    # two\nb: 1\n",
    "empty value before a sequence": "a:\n- 1\n- 2\nb:\n",
    "empty sequence items": "- \n-\n- - \n  -\n",
    "flow mapping empty values": "a: {b: , c, d: 1}\nx: [k: , m]\n",
    "flow over lines": "a: {\n  b: ,\n  c: 1 }\nd: [1,\n  2, # c\n  ]\n",
    "explicit keys": "? a\n? b\n: c\n? d\n",
    "anchored plain scalar": "x: &v value\ny: *v\nz: &n 12\nw: &b true\n",
    "anchors never referred to": "x: &v value\nz: &n 12\nw: &b true\nm: &m {a: 1}\ns: &s [1]\n",
    "anchors on collections": "base: &base {image: a, ports: [1]}\nlist: &l\n  - a\nuse: *l\n",
    "merge keys": "x-a: &a {image: a, env: {A: 1}}\nx-b: &b {ports: [1]}\n"
                  "services:\n  web:\n    <<: [*a, *b]\n    image: b\n  db:\n    <<: *a\n",
    "compose tags": "services:\n  web:\n    ports: !reset []\n    command: !override echo\n    env: !reset\n",
    "core tags": "a: !!str 1\nb: !!int '2'\nc: !!null\nd: !!binary aGk=\ne: !!set {a, b}\nf: !!omap [a: 1]\n",
    "local tags": "a: !custom {b: 1}\nc: !seq [1]\nd: !x y\n",
    "tag with anchor": "a: !x &y z\nb: &w !x v\nc: *y\n",
    "bare tag": "a: !\nb: ! x\n",
    "verbatim and escaped tags": "a: !<tag:yaml.org,2002:str> 1\nb: !x%21y z\n",
    "scalars": "a: 0o17\nb: 012\nc: 1_000\nd: 0x1F\ne: 1e3\nf: .inf\ng: 2024-01-01\nh: yes\ni: ~\nj: +1\n",
    "quoted": "a: 'it''s'\nb: \"t\\u00e9\\x41\\t\"\nc: 'multi\n  line'\nd: \"a\\\n  b\"\n",
    "block scalars": "a: |\n  x\n   y\nb: >-\n  f\n  g\n\n  h\nc: |2\n   two\nd: >+\n  keep\n\ne: |\n# not in it\n",
    "top-level block scalar": "--- |\n# end\n",
    "multi-document": "a: 1\n---\nb: 2\n--- # doc\n- c\n---\n",
    "document end markers": "a: 1\n...\n---\nb: 2\n... # end\n",
    "empty documents": "---\n---\n# only a comment\n",
    "directives": "%YAML 1.1\n---\na: yes\nb: 010\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "duplicate keys": "a: 1\na: 2\nb: {c: 1, c: 2}\n",
    "duplicate anchors": "a: &x 1\nb: &x 2\nc: *x\n",
    "unicode": "é: ü\n中: 文\nemoji: 🐳\n",
    "unicode before empty values": "é:\nü:\n🐳 x: {a: , b}\n中文: [k: , m]\nk: 'é' # 🐳\nv:\n",
    "bom": "\ufeffa: 1\nb:\n",
    "bom, then a directive": "\ufeff%YAML 1.1\n---\na: yes\nb: 010\n",
    "bom past the start": "a: 1\n\ufeffb:\n",
    "crlf": "a: 1\r\nb:\r\n  c: 2\r\n",
    "cr": "a: 1\rb: 2\r",
    "nel and line separator": "a: x\x85y\nb: z\u2028w\n",
    "tabs": "a:\t1\nb: x\ty\nc: 'q\tr'\nd: |\n  \tt\n",
    "non-printable": "a: \x07\n",
    "invalid: mapping in a scalar": "a: b: c\n",
    "invalid: bad indentation": "a:\n  b: 1\n c: 2\n",
    "invalid: unclosed flow": "a: [1, 2\nb: 3\n",
    "invalid: unclosed quote": "a: \"x\nb: 1\n",
    "invalid: undefined alias": "a: *nope\n",
    "invalid: tab indentation": "a:\n\tb: 1\n",
    "invalid: error in a later document": "a: 1\n---\nb: [\n",
    "invalid: characters": "a: @x\nb: `y\n",
    "comment overlap (ruamel)": "? bb\nc: # x\n  block\n\n",
    "nested 70 deep": "a:" + "".join(f"\n{'  ' * i}k{i}:" for i in range(1, 71)) + " x\n",
    "flow nested 70 deep": "a: " + "[" * 70 + "]" * 70 + "\n",
    "flow nested 500 deep": "a: " + "[" * 500 + "]" * 500 + "\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 8)}]\n" for i in range(8)),
    "jinja": "services:\n  web:\n    image: {{ cookiecutter.image }}\n{% if x %}\n    ports: [1]\n{% endif %}\n",
    "github expressions": "on: push\njobs:\n  a:\n    if: ${{ github.event_name == 'push' }}\n"
                          "    steps:\n      - run: echo\n",
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTED))
def test_constructed_yaml_loads_identically(name: str) -> None:
    text = CONSTRUCTED[name]
    for first_only in (False, True):
        pure = outcome(text, c_parser=False, first_only=first_only)
        fast = outcome(text, c_parser=True, first_only=first_only)
        assert _same(pure, fast), (pure, fast)
    if name == "comment overlap (ruamel)":
        assert pure[0] == "crash"


# Random documents from lines that exercise the same places (most combinations are invalid YAML,
# whose errors must then be the same too).
LINES = [
    "a:", "b: 1", "c: # x", "d:  ", "  e:", "  f: 2", "  g: # y", "    h:", "    i: v", "- ", "- j", "-",
    "  - k", "  -", "  - l:", "    m:", "# top", "  # in", "", "   ", "---", "--- # doc", "n: &A", "o: *A",
    "p: &B q", "r: !reset", "s: !override x", "t: !!str 1", "u: [1, ]", "v: {w: , x}", "y: |", "  block",
    "z: >", "  fold", "<<: *B", "aa: {<<: *B}", "? bb", ": cc", "dd: 'q'", "ff: 0o17", "hh: 2024-01-01",
    "ii: yes", "jj: ~", "mm: &C [1, 2]", "nn: *C", "  - &D x", "  - *D", "qq: a # c", "uu: {a: 1,}",
    "vv: [a: b]", "l2: &M {a: 1}", "l3:", "  <<: [*M, *B]", "l5: [ # c", "  1, 2 ]", "l6: {", "  a: 1 }",
    "  ? a", "  : b", "- - x", "- - ", "n6: &E", "  x: 1", "n7: *E", "o7: ${VAR:-default}", "p3: {a: 1, b}",
]


@settings(max_examples=400, derandomize=True)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=9), st.sampled_from(["", "\n", "\n\n", "  ", "\n# e"]))
def test_generated_yaml_loads_identically(lines: list[str], end: str) -> None:
    text = "\n".join(lines) + end
    for first_only in (False, True):
        pure = outcome(text, c_parser=False, first_only=first_only)
        fast = outcome(text, c_parser=True, first_only=first_only)
        assert _same(pure, fast), (pure, fast)


def test_text_is_refused_exactly_where_the_pure_reader_refuses_it() -> None:
    """The fast path's own class of non-printable characters: the same verdict for every code point."""
    from ruamel.yaml.reader import Reader

    differ = [code for code in range(0x110000)
              if bool(Reader.NON_PRINTABLE.match(chr(code))) != bool(yaml_cparser._NON_PRINTABLE.match(chr(code)))]
    assert differ == []
    for code in (0x00, 0x07, 0x1B, 0x7F, 0x85 - 1, 0x9F, 0xD800, 0xFFFE):
        with pytest.raises(yaml_cparser.NeedsPure):
            yaml_cparser.load_all(f"a: b{chr(code)}c\n")


def test_no_rule_reads_comment_attributes() -> None:
    """What the comparison leaves out (tests/yaml_support.UNCOMPARED) is read nowhere in the engine:
    comments come from the text (suppressions), never from ruamel's comment attributes."""
    names = {"ca", "comment", "fold_pos", "_yaml_comment", "yaml_add_eol_comment", "yaml_set_start_comment",
             "yaml_set_comment_before_after_key"}
    readers = []
    for path in sorted((ROOT / "rules").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in names) or (
                    isinstance(node, ast.Name) and node.id == "comment_attrib"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # (workflow.py carries `fold_pos` and `comment` over to a restored string, by name: not a reader.)
    assert readers == []


def test_engine_findings_over_the_corpus_are_the_same_both_ways(shared: Path, monkeypatch) -> None:
    fast = review(Snapshot.from_directory(shared / "corpus"))
    monkeypatch.setattr(yamlsrc, "USE_C_PARSER", False)
    pure = review(Snapshot.from_directory(shared / "corpus"))
    assert fast.errors == pure.errors == []
    assert fast.files_checked == pure.files_checked
    assert len(fast.findings) > 100
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in pure.findings]
