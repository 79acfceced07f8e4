"""Hostile compose projects end with a recorded problem, never an exception or a hang."""

from __future__ import annotations

from compose_model_support import project, projects
from dockreview.rules.model.compose.load import MAX_DEPTH
from dockreview.rules.model.compose.template import interpolate
from dockreview.rules.model.compose.tree import MAX_EXPANDED


def test_extends_chain_200_deep_across_files_stops_at_the_bound() -> None:
    files = {"compose.yaml": "services:\n  app:\n    extends: {file: f0.yaml, service: s}\n"}
    for index in range(200):
        files[f"f{index}.yaml"] = f"services:\n  s:\n    extends: {{file: f{index + 1}.yaml, service: s}}\n"
    files["f200.yaml"] = "services:\n  s:\n    image: base\n"
    found = project(files)
    assert any(f"deeper than {MAX_DEPTH}" in p.message for p in found.problems)
    assert len(found.services["app"].extends) == MAX_DEPTH


def test_a_200_deep_chain_in_one_file_resolves_fully_in_any_order() -> None:
    for ordering in (range(1, 201), range(200, 0, -1)):
        lines = ["services:", "  s0:", "    image: base"]
        for index in ordering:
            lines += [f"  s{index}:", f"    extends: s{index - 1}"]
        found = project({"compose.yaml": "\n".join(lines) + "\n"})
        assert found.problems == []
        assert found.services["s200"].image.text == "base"  # type: ignore[union-attr]
        assert len(found.services["s200"].extends) == 200


def test_extends_chain_across_files_and_cycles_between_files() -> None:
    files = {"compose.yaml": "services:\n  app:\n    extends: {file: f0.yaml, service: s}\n"}
    for index in range(60):
        files[f"f{index}.yaml"] = f"services:\n  s:\n    extends: {{file: f{index + 1}.yaml, service: s}}\n"
    files["f60.yaml"] = "services:\n  s:\n    extends: {file: f0.yaml, service: s}\n"
    found = project(files)
    # the chain is 61 files long before it closes: the depth limit stops it before the cycle is seen
    assert [p.message for p in found.problems] == ["extends chain deeper than 32 levels"]


def test_include_chain_and_include_cycle() -> None:
    files = {"compose.yaml": "include: [i0.yaml]\nservices:\n  web:\n    image: web\n"}
    for index in range(80):
        files[f"i{index}.yaml"] = f"include: [i{index + 1}.yaml]\nservices:\n  s{index}:\n    image: x\n"
    files["i80.yaml"] = "services:\n  last:\n    image: x\n"
    found = next(p for p in projects(files) if p.key == "compose.yaml")
    assert any(f"deeper than {MAX_DEPTH}" in p.message for p in found.problems)
    cycle = project({"compose.yaml": "include: [compose.yaml]\nservices:\n  web:\n    image: web\n"})
    assert any(p.message.startswith("include cycle") for p in cycle.problems)
    assert set(cycle.services) == {"web"}


def test_alias_bomb_is_refused_with_a_problem() -> None:
    lines = ['x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for level in "bcdefghi":
        lines.append(f"x-{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = level
    lines += ["services:", "  web:", "    image: web", f"    command: *{previous}"]
    found = project({"compose.yaml": "\n".join(lines) + "\n"})
    assert any(str(MAX_EXPANDED) in p.message for p in found.problems)
    assert found.services == {}


def test_huge_interpolation_is_bounded() -> None:
    nested = "${A:-" * 500 + "x" + "}" * 500
    result = interpolate(nested, lambda name: None)
    assert result.errors and "nested deeper" in result.errors[0]
    long_value = "${A}" * 40_000
    assert interpolate(long_value, lambda name: None).errors
    found = project({"compose.yaml": f"services:\n  web:\n    image: \"{nested}\"\n"})
    assert any("nested deeper" in p.message for p in found.problems)


def test_garbage_where_compose_expects_structure() -> None:
    found = project({
        "compose.yaml": """
            include: not-a-list
            services:
              a: just-a-string
              b:
                image: [not, a, string]
                ports: {weird: map}
                volumes: "::"
                depends_on: 42
                build: 7
                healthcheck: yes
                environment: [1, null, "=x", "K=V"]
                extends: {}
            networks: [not, a, map]
            """,
    })
    assert "b" in found.services and "a" not in found.services
    assert found.services["b"].environment["K"].value.text == "V"  # type: ignore[union-attr]
    assert any("`include` must be a list" in p.message for p in found.problems)
