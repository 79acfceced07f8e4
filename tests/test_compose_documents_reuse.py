"""A compose file's conversion is reused for environments that agree on every variable it looked up,
and redone for one that does not (rules.model.compose.load.documents)."""

from __future__ import annotations

from compose_model_support import project, snapshot
from dockreview.rules.model.compose.load import Env, documents
from dockreview.rules.model.compose.template import EnvValue
from dockreview.rules.model.compose.tree import Mapping, Scalar
from dockreview.rules.model.source import Origin

COMPOSE = """
services:
  web:
    image: "app:${TAG:-dev}"
    environment:
      MODE: $MODE
"""


def _env(**values: str) -> Env:
    return Env({name: EnvValue(value, Origin(".env", line)) for line, (name, value) in enumerate(values.items(), 1)})


def _image(docs: list) -> str | None:
    services = docs[0].tree.items["services"]
    assert isinstance(services, Mapping)
    web = services.items["web"]
    assert isinstance(web, Mapping)
    image = web.items["image"]
    assert isinstance(image, Scalar)
    return image.text


def test_an_environment_that_agrees_on_the_variables_read_reuses_the_conversion() -> None:
    snap = snapshot({"compose.yaml": COMPOSE})
    first = documents(snap, "compose.yaml", "", _env(TAG="1", MODE="a", OTHER="x"))
    again = documents(snap, "compose.yaml", "", _env(TAG="1", MODE="a", OTHER="y", MORE="z"))
    assert again is first and _image(first) == "app:1"


def test_an_environment_that_differs_on_a_variable_read_is_converted_again() -> None:
    snap = snapshot({"compose.yaml": COMPOSE})
    first = documents(snap, "compose.yaml", "", _env(TAG="1", MODE="a"))
    other_tag = documents(snap, "compose.yaml", "", _env(TAG="2", MODE="a"))
    unset = documents(snap, "compose.yaml", "", _env(MODE="a"))
    moved = documents(snap, "compose.yaml", "", Env({"TAG": EnvValue("1", Origin("other.env", 9)),
                                                     "MODE": EnvValue("a", Origin(".env", 2))}))
    assert [_image(d) for d in (first, other_tag, unset)] == ["app:1", "app:2", "app:dev"]
    assert moved is not first  # same value, set elsewhere: the findings name where it is set
    assert documents(snap, "compose.yaml", "", _env(TAG="2", MODE="a")) is other_tag
    assert documents(snap, "compose.yaml", "other", _env(TAG="1", MODE="a")) is not first  # another base


def test_projects_of_one_file_under_two_env_files_keep_their_own_values() -> None:
    files = {"compose.yaml": COMPOSE, ".env": "TAG=1\nMODE=a\n"}
    assert project(files).services["web"].image.text == "app:1"
    files[".env"] = "TAG=2\nMODE=a\n"
    assert project(files).services["web"].image.text == "app:2"


def test_lookups_that_depend_on_earlier_answers_are_followed() -> None:
    """`${A:-${B}}` reads B only when A is unset: the kept conversions branch on the answers."""
    snap = snapshot({"compose.yaml": 'services:\n  web:\n    image: "app:${A:-${B:-none}}"\n'})
    with_a = documents(snap, "compose.yaml", "", _env(A="a", B="ignored"))
    assert _image(with_a) == "app:a"
    assert documents(snap, "compose.yaml", "", _env(A="a", B="other")) is with_a  # B never read
    b1 = documents(snap, "compose.yaml", "", _env(B="1"))
    b2 = documents(snap, "compose.yaml", "", _env(B="2"))
    neither = documents(snap, "compose.yaml", "", _env())
    assert [_image(d) for d in (b1, b2, neither)] == ["app:1", "app:2", "app:none"]
    assert documents(snap, "compose.yaml", "", _env(B="1", C="x")) is b1


def test_many_environments_cost_one_conversion_each_and_one_walk_to_find(monkeypatch) -> None:
    """A repository can name any number of environments: each distinct one is converted once, and
    finding a kept conversion reads only the variables that conversion read."""
    from dockreview.rules.model.compose import load

    text = "services:\n" + "".join(f"  s{i}:\n    image: \"app:${{V{i}:-x}}\"\n" for i in range(50))
    snap = snapshot({"compose.yaml": text})
    converted: list[int] = []
    real = load._documents

    def counting(*args):  # type: ignore[no-untyped-def]
        converted.append(1)
        return real(*args)

    monkeypatch.setattr(load, "_documents", counting)
    envs = [_env(**{f"V{i % 50}": str(i)}) for i in range(300)]
    first = [documents(snap, "compose.yaml", "", env) for env in envs]
    assert len(converted) == 300
    reads: list[str] = []

    class Counting(dict):  # type: ignore[type-arg]
        def get(self, key, default=None):  # type: ignore[no-untyped-def]
            reads.append(key)
            return super().get(key, default)

    for env, docs in zip(envs, first, strict=True):
        env.values = Counting(env.values)
        assert documents(snap, "compose.yaml", "", env) is docs
    assert len(converted) == 300 and len(reads) == 300 * 50  # 50 variables per conversion, no more
