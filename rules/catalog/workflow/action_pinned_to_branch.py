from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.finding import Category, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.workflow import Uses, Workflow
from dockreview.rules.rule import Context, Hit, Kind, Rule

# Refs that are branches by convention: what is on them changes with every push.
BRANCH_NAMES = frozenset({"master", "main", "develop", "development", "dev", "trunk", "next", "head", "unstable",
                          "nightly", "canary", "edge", "staging"})
_BRANCH_PREFIX = lazy(r"^(?:feature|feat|fix|bugfix|hotfix|dev|develop|wip|users?)/", re.IGNORECASE)


class WorkflowActionPinnedToBranch(Rule[Workflow]):
    """
    ## What it does
    Finds actions and reusable workflows used at a branch — `uses: owner/action@master`,
    `@main`, `@develop`, `@dev`, `@trunk`, `@feature/x`, ... — or with no ref at all. It looks at
    every `uses:` (steps and reusable-workflow jobs), whoever publishes the action; local actions
    (`./...`) and `docker://` images are not refs. Tags (`@v4`, `@v4.1.2`) are not reported; a full
    commit SHA (`@8f4b7f84...  # v4.1.1`) is best.

    ## Why is this bad?
    A branch moves with every push to it. The workflow runs whatever the action's repository holds
    at that moment: a breaking change, a bug, or, if that repository is compromised, code that
    reads your secrets and pushes your images. A release that built yesterday fails today with no
    change in your repository, and there is no version to go back to.

    ## Example
    ```yaml
    - uses: appleboy/ssh-action@master
    ```

    Use instead:
    ```yaml
    - uses: appleboy/ssh-action@2ead5e36573f08b82fbfce1504f1a4b05a647c6f  # v1.2.2
    ```

    ## How to fix
    Pin a release tag, or better the commit SHA of a release with the tag in a comment (Dependabot
    and Renovate keep both up to date).
    """

    code = "DR307"
    slug = "workflow-action-pinned-to-branch"
    category = Category.SUPPLY_CHAIN
    severity = Severity.WARNING
    kind = Kind.WORKFLOW
    summary = "Action used at a branch instead of a tag or commit"
    fix = "Pin a release tag or, better, a full commit SHA with the tag in a comment"
    security_severity = 5.0

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        for job in doc.jobs.values():
            uses_list: list[tuple[Uses, str]] = []
            if job.uses is not None:
                uses_list.append((job.uses, f"job `{job.id}`"))
            uses_list += [(step.uses, f"step `{step.label}`") for step in job.steps if step.uses is not None]
            for uses, where in uses_list:
                if not uses.is_remote or "${{" in uses.raw:
                    continue
                fix = None
                if uses.ref is None or not uses.ref.strip():
                    if uses.action.startswith(".") or uses.action.count("/") < 1:
                        # `.github/actions/build`: a path in this repository written without `./`
                        message = (
                            f"`{uses.action}` in {where} reads as an action of another repository with no `@ref`: "
                            "GitHub rejects the workflow; a local action needs `./`"
                        )
                        fix = f"Write the local action as `./{uses.action}`"
                    else:
                        message = (
                            f"`{uses.action}` in {where} has no `@ref`: GitHub rejects the workflow "
                            "(`uses` must name a tag, a branch or a commit)"
                        )
                elif is_branch(uses.ref):
                    branch = "the default branch" if uses.ref.lower() == "head" else f"branch `{uses.ref}`"
                    message = (
                        f"`{uses.action}@{uses.ref}` in {where} runs whatever {branch} holds when the "
                        "workflow starts: a push there changes or breaks this workflow with no change here"
                    )
                else:
                    continue
                yield Hit(line=uses.line, column=uses.column, message=message, evidence=f"{uses.action}@{uses.ref}",
                          fix=fix)


def is_branch(ref: str) -> bool:
    text = ref.strip()
    return text.lower() in BRANCH_NAMES or bool(_BRANCH_PREFIX.match(text))
