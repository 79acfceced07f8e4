"""DR158: a variable without a default that a change adds to an existing compose project."""

from __future__ import annotations

from tests.changes_support import review_pair

COMPOSE = """
services:
  app:
    image: ghcr.io/acme/app:${APP_TAG:-4.2.0}
    ports:
      - "8080:8080"
"""
TEMPLATE = "APP_TAG=4.2.0\n"


def findings(base: dict[str, str], head: dict[str, str]):
    return [f for f in review_pair(base, head).findings if f.rule == "DR158"]


def test_a_new_variable_the_template_gains_is_reported_with_its_default_as_the_fix():
    head_compose = COMPOSE.replace('      - "8080:8080"\n', '      - "8080:8080"\n      - "${CALLS_PORT}:8443/udp"\n')
    (finding,) = findings({"compose.yaml": COMPOSE, "env.example": TEMPLATE},
                          {"compose.yaml": head_compose, "env.example": TEMPLATE + "CALLS_PORT=8443\n"})
    assert (finding.path, finding.line, finding.confidence.name) == ("compose.yaml", 6, "HIGH")
    assert "`${CALLS_PORT}` is new and has no default" in finding.message
    assert finding.suggestion == '      - "${CALLS_PORT:-8443}:8443/udp"'


def test_values_passed_to_containers_as_they_are_are_not_reported():
    listed = COMPOSE.replace("    ports:", "    environment:\n      - API_TOKEN=${API_TOKEN}\n      - LEVEL=${LEVEL}\n"
                                          "    ports:")
    assert findings({"compose.yaml": COMPOSE}, {"compose.yaml": listed}) == []
    mapping = COMPOSE.replace("    ports:", "    environment:\n      LEVEL: ${LEVEL}\n    ports:")
    assert findings({"compose.yaml": COMPOSE}, {"compose.yaml": mapping}) == []
    inside = mapping.replace("LEVEL: ${LEVEL}", "URL: https://${DOMAIN}/api")  # part of a value: compose builds it
    (finding,) = findings({"compose.yaml": COMPOSE}, {"compose.yaml": inside})
    assert finding.evidence == "DOMAIN"


def test_outside_any_template_the_fix_makes_the_variable_required_at_medium_confidence():
    head = COMPOSE.replace('      - "8080:8080"\n', '      - "8080:8080"\n      - "${CALLS_PORT}:8443/udp"\n')
    (finding,) = findings({"compose.yaml": COMPOSE}, {"compose.yaml": head})
    assert finding.confidence.name == "MEDIUM"
    assert finding.suggestion == '      - "${CALLS_PORT:?set CALLS_PORT in .env}:8443/udp"'
    image = COMPOSE.replace("${APP_TAG:-4.2.0}", "${APP_TAG}")  # `image:` is compose's own: not passed through
    (finding,) = findings({"compose.yaml": COMPOSE.replace("APP_TAG", "OLD_TAG")}, {"compose.yaml": image})
    assert finding.confidence.name == "MEDIUM" and finding.line == 3


def test_not_reported():
    added = COMPOSE.replace("    ports:", "    environment:\n      LEVEL: ${LEVEL}\n    ports:")
    base = {"compose.yaml": COMPOSE, "env.example": TEMPLATE}
    assert findings(base, {"compose.yaml": added, "env.example": TEMPLATE, ".env": "LEVEL=info\n"}) == []  # set
    assert findings(base, {"compose.yaml": added.replace("${LEVEL}", "${LEVEL:-info}")}) == []  # a default
    assert findings(base, {"compose.yaml": added.replace("${LEVEL}", "${LEVEL:?set it}")}) == []  # required
    assert findings(base, {"compose.yaml": added.replace("${LEVEL}", "${HOME}")}) == []  # the shell's own
    old = {"compose.yaml": COMPOSE, "env.example": TEMPLATE + "LEVEL=info\n"}
    assert findings(old, {"compose.yaml": added, "env.example": TEMPLATE + "LEVEL=info\n"}) == []  # known before
    assert findings({}, {"compose.yaml": added}) == []  # a new project: no deployment has an old .env


def test_a_hostile_line_of_many_new_references_costs_a_few_findings():
    refs = "".join(f"${{V{i}}}" for i in range(2000))
    head = COMPOSE.replace('      - "8080:8080"\n', f'      - "8080:8080"\n      - "{refs}:8443"\n')
    found = findings({"compose.yaml": COMPOSE}, {"compose.yaml": head})
    assert [f.evidence for f in found] == ["V0", "V1", "V2"]
