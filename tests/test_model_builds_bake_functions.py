"""Bake HCL expressions: user `function` blocks, stdlib calls, conditionals and `for` expressions are
evaluated as bake does; what only the build knows stays as written; hostile definitions cost little."""

from __future__ import annotations

from builds_support import builds, publishes
from dockreview.rules.model.builds.hcl_eval import MAX_STEPS, Budget, Function, evaluate_template

# Modelled on a real project's bake file: tags made per registry and base tag by user functions.
BAKE = """
variable "BASE_TAGS" {
  default = "testing"
}
variable "CONTAINER_REGISTRIES" {
  default = "vaultwarden/server"
}
function "get_registries" {
  params = []
  result = flatten(split(",", CONTAINER_REGISTRIES))
}
function "get_base_tags" {
  params = []
  result = flatten(split(",", BASE_TAGS))
}
function "platform_tag" {
  params = []
  result = "-${replace(replace(BAKE_LOCAL_PLATFORM, "linux/", ""), "/", "")}"
}
function "generate_tags" {
  params = [suffix, platform]
  result = flatten([
    for registry in get_registries() :
      [for base_tag in get_base_tags() :
        concat(
          base_tag == "latest" ? suffix == "-alpine" ? ["${registry}:alpine${platform}"] : [] : [],
          ["${registry}:${base_tag}${suffix}${platform}"]
        )
      ]
  ])
}
target "_default" {
  dockerfile = "docker/Dockerfile"
  context = "."
}
target "alpine-multi" {
  inherits = ["_default"]
  platforms = ["linux/amd64", "linux/arm64"]
  tags = generate_tags("-alpine", "")
  output = [join(",", ["type=registry", "compression=${upper("zstd")}"])]
}
target "debian" {
  inherits = ["_default"]
  tags = generate_tags("", platform_tag())
}
"""


def workflow(target: str, base_tags: str) -> str:
    return f"""
on:
  push:
    tags: ["*"]
jobs:
  release:
    runs-on: ubuntu-latest
    env:
      BASE_TAGS: "{base_tags}"
      CONTAINER_REGISTRIES: "docker.io/vaultwarden/server,ghcr.io/dani-garcia/vaultwarden"
    steps:
      - uses: actions/checkout@v4
      - uses: docker/bake-action@v6
        with:
          files: docker/docker-bake.hcl
          targets: {target}
          push: true
"""


def test_user_functions_make_the_published_tags() -> None:
    files = {"docker/docker-bake.hcl": BAKE, ".github/workflows/release.yml": workflow("alpine-multi", "latest,1.33.0")}
    (build,) = builds(files)
    assert build.tag_texts == (
        "docker.io/vaultwarden/server:alpine", "docker.io/vaultwarden/server:latest-alpine",
        "docker.io/vaultwarden/server:1.33.0-alpine", "ghcr.io/dani-garcia/vaultwarden:alpine",
        "ghcr.io/dani-garcia/vaultwarden:latest-alpine", "ghcr.io/dani-garcia/vaultwarden:1.33.0-alpine")
    assert {p.registry for p in publishes(files)} == {"docker.io", "ghcr.io"}


def test_what_only_the_build_knows_stays_as_written_inside_the_value() -> None:
    files = {"docker/docker-bake.hcl": BAKE, ".github/workflows/release.yml": workflow("debian", "1.33.0")}
    (build,) = builds(files)
    platform = '${replace(replace(BAKE_LOCAL_PLATFORM, "linux/", ""), "/", "")}'
    assert build.tag_texts == (f"docker.io/vaultwarden/server:1.33.0-{platform}",
                               f"ghcr.io/dani-garcia/vaultwarden:1.33.0-{platform}")


def test_stdlib_conditionals_and_for_expressions() -> None:
    variables = {"TAG": "1.2.3", "DEV": None, "REGS": "a.io/x,b.io/x"}
    assert evaluate_template('${notequal("", TAG) ? TAG : "dev"}', variables) == "1.2.3"
    assert evaluate_template('${[for r in split(",", REGS) : "${r}:${TAG}" if r != "b.io/x"]}', variables) == [
        "a.io/x:1.2.3"]
    assert evaluate_template('${format("%s-%s", lower("APP"), trimprefix("v1", "v"))}', variables) == "app-1"
    assert evaluate_template('${{ for k, v in { a = 1, b = 2 } : k => v * 10 }}', variables) == {"a": 10, "b": 20}
    assert evaluate_template('${length(concat(["a"], ["b", "c"])) >= 3 && !false}', variables) is True
    assert evaluate_template("$${NOT_INTERPOLATED}", variables) == "${NOT_INTERPOLATED}"
    # unknown: an unset variable decides the condition; the runtime clock; a function not run here
    assert evaluate_template('${DEV == "" ? "a" : "b"}', variables) == '${DEV == "" ? "a" : "b"}'
    assert evaluate_template("app:${formatdate(\"YYYY\", timestamp())}", variables) == \
        'app:${formatdate("YYYY", timestamp())}'
    assert evaluate_template('${regex_replace(TAG, "[.]", "-")}', variables) == '${regex_replace(TAG, "[.]", "-")}'
    # text that is not an expression this module reads is kept whole
    assert evaluate_template("${1 +* 2}", variables) == "${1 +* 2}"


def test_hostile_definitions_are_bounded() -> None:
    """Exponential user recursion, a long expression, deep nesting: each stops at a bound, quickly."""
    bomb = {"f": Function(("n",), "${[f(n), f(n)]}")}
    assert evaluate_template("${f(1)}", {}, bomb) == "${f(1)}"
    assert evaluate_template("${" + "[" * 5000 + "]" * 5000 + "}", {}) == "${" + "[" * 5000 + "]" * 5000 + "}"
    long = "${" + " + ".join(["1"] * 6000) + "}"
    assert evaluate_template(long, {}) == long
    wide = {"g": Function(("n",), '${[for i in range(1000) : [for j in range(1000) : i]]}')}
    assert evaluate_template("${g(1)}", {}, wide) == "${g(1)}"
    assert MAX_STEPS <= 100_000


def test_one_budget_bounds_every_value_of_a_snapshot() -> None:
    """Many hostile attributes share the snapshot's budget: after it is spent, values stay as written."""
    targets = "".join(f'target "t{i}" {{\n  tags = f(1)\n}}\n' for i in range(40))
    hcl = 'function "f" {\n  params = [n]\n  result = [f(n), f(n)]\n}\n' + 'group "default" {\n  targets = [' + \
        ", ".join(f'"t{i}"' for i in range(40)) + "]\n}\n" + targets
    found = builds({"docker-bake.hcl": hcl, "build.sh": "#!/bin/sh\ndocker buildx bake --push\n"})
    assert len(found) == 40 and all(b.tag_texts == ("${f(1)}",) for b in found)
    budget = Budget(remaining=MAX_STEPS * 2)
    cheap = '${join("-", ["a", "b"])}'
    assert evaluate_template("${f(1)}", {}, {"f": Function(("n",), "${[f(n), f(n)]}")}, budget) == "${f(1)}"
    assert budget.remaining < MAX_STEPS * 2
    spent = Budget(remaining=0)
    assert evaluate_template(cheap, {}, None, spent) == cheap  # nothing left: kept as written
    assert evaluate_template(cheap, {}) == "a-b"
