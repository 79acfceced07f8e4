"""Makefile recipes become shell sources with their real lines and expanded variables."""

from textwrap import dedent

from dockreview.rules.parse.makefile import parse

MAKEFILE = dedent("""\
    DC = docker compose
    PROD := $(DC) -f docker-compose.prod.yml
    PROJECT ?= shop
    FLAGS = --remove-orphans
    FLAGS += --timeout 30
    # deploy: docker compose down -v   (a comment, not a rule)
    .PHONY: deploy clean

    deploy: build
    \t@echo "deploying $(PROJECT)"
    \t-$(PROD) -p $(PROJECT) down $(FLAGS)
    \t${DC} up -d \\
    \t  --wait \\
    \t-v

    define HELP
    \tdocker volume rm not-a-recipe
    endef

    clean: ; docker volume prune -f
    build:
    \tfor s in $$(docker compose config --services); do echo $$s; done
    ifeq ($(CI),true)
    \t+docker system prune -f
    endif
    """)


def test_recipes_with_lines_targets_and_expansion() -> None:
    makefile = parse(MAKEFILE, "Makefile")
    sources = {s.name: s for s in makefile.shell_sources()}
    assert set(sources) == {"deploy", "clean", "build"}
    deploy = sources["deploy"]
    assert deploy.origin == "makefile recipe"
    assert [(c.line, c.argv) for c in deploy.commands()] == [
        (10, ["echo", "deploying shop"]),
        (11, ["docker", "compose", "-f", "docker-compose.prod.yml", "-p", "shop", "down", "--remove-orphans",
              "--timeout", "30"]),
        (12, ["docker", "compose", "up", "-d", "--wait", "-v"]),
    ]
    assert deploy.commands()[-1].end_line == 14


def test_inline_recipe_dollar_dollar_and_conditionals() -> None:
    sources = {s.name: s for s in parse(MAKEFILE, "Makefile").shell_sources()}
    assert [(c.line, c.argv) for c in sources["clean"].commands()] == [(20, ["docker", "volume", "prune", "-f"])]
    build = [(c.line, c.argv) for c in sources["build"].commands()]
    assert (22, ["docker", "compose", "config", "--services"]) in build
    assert (22, ["echo", "$s"]) in build
    assert (24, ["docker", "system", "prune", "-f"]) in build


def test_define_blocks_and_comments_are_not_recipes() -> None:
    texts = "\n".join(s.text for s in parse(MAKEFILE, "Makefile").shell_sources())
    assert "not-a-recipe" not in texts


def test_unknown_references_are_parameters_not_commands() -> None:
    text = "up:\n\t$(COMPOSE_CMD) up -d\n\t$(MAKE) -C sub $(shell docker ps -q)\n"
    [source] = parse(text, "Makefile").shell_sources()
    assert [c.argv for c in source.commands()] == [
        ["${COMPOSE_CMD}", "up", "-d"],
        ["docker", "ps", "-q"],
        ["make", "-C", "sub", "$(docker ps -q)"],
    ]


def test_garbage_does_not_raise() -> None:
    for text in ("", ":", "\t\t", "a: \\\n", "$(", "x = $(x)\nt:\n\t$(x)\n", "define\n", "\tno target\n"):
        for source in parse(text, "Makefile").shell_sources():
            source.commands()
