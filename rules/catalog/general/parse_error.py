from typing import Never

from dockreview.rules.finding import Category, Severity
from dockreview.rules.rule import Kind, Rule


class ParseFailure(Rule[Never]):
    """
    ## What it does
    Reports a Docker-related file that cannot be parsed: invalid YAML in a compose file or
    workflow, a Dockerfile the parser rejects, a YAML file nested too deeply or too large to review.

    Not reported: files that are not Docker-related, and files over the size or line limits
    (those are skipped with a note, not a finding).

    ## Why is this bad?
    Docker, Compose and GitHub Actions reject these files too, usually at deploy time. A YAML file
    is not reviewed further until it parses, so other problems in it stay hidden. A Dockerfile is
    read instruction by instruction: a broken one (an unknown instruction, a here-document never
    closed, an instruction before the first `FROM`, `FROM` without an image) is reported on its
    line and left out, and the rest of the file is still reviewed.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
         ports: ["80:80"]   # indented one space too far
    ```

    ## How to fix
    Fix the syntax at the reported line (`docker compose config` shows the same error locally).
    """

    code = "DR001"
    slug = "parse-error"
    category = Category.PARSE_ERROR
    severity = Severity.ERROR
    kind = Kind.ENGINE
    summary = "File cannot be parsed"
    fix = "Fix the syntax at the reported line"
