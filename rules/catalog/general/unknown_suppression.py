from typing import Never

from dockreview.rules.finding import Category, Severity
from dockreview.rules.rule import Kind, Rule


class UnknownSuppression(Rule[Never]):
    """
    ## What it does
    Reports a `# dockreview: ignore[...]` comment that names a rule code or slug that does not exist.

    Not reported: suppressions naming a real rule by code, slug or category, and `ignore[all]`.

    ## Why is this bad?
    A misspelled code suppresses nothing: the finding it was meant to silence still fires, or worse,
    the comment outlives a renamed rule and nobody notices that the intent is lost.

    ## Example
    ```dockerfile
    # dockreview: ignore[DR2O1]
    FROM node:latest
    ```

    ## How to fix
    Use a code or slug from `dockreview rules`, e.g. `# dockreview: ignore[DR201]`.
    """

    code = "DR002"
    slug = "unknown-suppression"
    category = Category.SUPPRESSION
    severity = Severity.WARNING
    kind = Kind.ENGINE
    summary = "Suppression names an unknown rule"
    fix = "Use a rule code or slug listed by `dockreview rules`"
