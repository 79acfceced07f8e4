"""Docker's .dockerignore semantics (moby/patternmatcher), checked against documented behaviour."""

from dockreview.rules.parse.dockerignore import parse
from hypothesis import given
from hypothesis import strategies as st


def ignore(text: str):
    return parse(text, ".dockerignore")


def test_comments_blank_lines_and_line_numbers() -> None:
    d = ignore("# comment\n\nnode_modules\n  .env  \n!keep\n # not a comment\n")
    assert [(p.text, p.negated, p.line) for p in d.patterns] == [
        ("node_modules", False, 3), (".env", False, 4), ("keep", True, 5), ("# not a comment", False, 6)
    ]


def test_patterns_are_anchored_at_the_context_root() -> None:
    d = ignore("node_modules\n/dist/\n./build\n")
    assert d.excludes("node_modules") and d.excludes("node_modules/react/index.js")
    assert not d.excludes("web/node_modules")  # only `**/node_modules` matches at any depth
    assert d.excludes("dist/app.js") and d.excludes("build")
    assert not d.excludes("src/dist")


def test_double_star_matches_any_depth() -> None:
    d = ignore("**/node_modules\n**/*.pyc\ndocs/**/*.md\n**.log\n")
    assert d.excludes("node_modules") and d.excludes("a/b/node_modules/x")
    assert d.excludes("app/__pycache__/m.pyc") and d.excludes("m.pyc")
    assert d.excludes("docs/a.md") and d.excludes("docs/x/y/a.md") and not d.excludes("a.md")
    assert d.excludes("a/b/c.log")


def test_single_star_and_question_mark_stay_in_one_directory() -> None:
    d = ignore("*.md\n?.txt\n.env*\n")
    assert d.excludes("README.md") and not d.excludes("docs/README.md")
    assert d.excludes("a.txt") and not d.excludes("ab.txt")
    assert d.excludes(".env") and d.excludes(".env.local") and not d.excludes("config/.env")


def test_last_match_wins_and_exceptions() -> None:
    d = ignore("*.md\n!README*.md\nREADME-secret.md\n")
    assert d.excludes("CHANGELOG.md")
    assert not d.excludes("README.md") and d.re_includes("README.md")
    assert d.excludes("README-secret.md")
    everything = ignore("*\n!src\n!package.json\n")
    assert everything.excludes(".git") and everything.excludes(".env")
    assert not everything.excludes("src/index.js") and not everything.excludes("package.json")


def test_excluded_parent_directory_excludes_children_unless_reincluded() -> None:
    d = ignore("config\n!config/public.yml\n")
    assert d.excludes("config/secret.yml")
    assert not d.excludes("config/public.yml")
    assert d.decisive_pattern("config/public.yml").line == 2


def test_character_classes_and_escapes() -> None:
    d = ignore("[abc].txt\n[^x]y\nfile\\*\n[broken\n")
    assert d.excludes("a.txt") and not d.excludes("d.txt")
    assert d.excludes("zy") and not d.excludes("xy")
    assert d.excludes("file*") and not d.excludes("filex")
    assert not d.excludes("[broken")


@given(st.text(max_size=200), st.text(max_size=40))
def test_never_crashes(text: str, path: str) -> None:
    d = ignore(text)
    d.excludes(path)
