"""Every rule's page says its confidence and what it deliberately does not report."""

import pytest
from dockreview.rules import catalog
from dockreview.rules.docgen import render

RULES = catalog.all_rules()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_page_states_confidence_and_what_it_does_not_report(rule) -> None:  # type: ignore[no-untyped-def]
    page = render(rule)
    assert "## Confidence\n" in page and f"| {rule.confidence} |" in page
    text = " ".join(rule.docs().split()).lower()
    assert "not reported" in text, rule.slug
