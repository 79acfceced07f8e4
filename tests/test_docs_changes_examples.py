"""The Container changes examples in docs/changes.md are what the renderer prints for these changes."""

from __future__ import annotations

from pathlib import Path

from dockreview.bot.review.summary import check_output
from dockreview.rules import Config

from tests.changes_support import review_pair

DOCS = Path(__file__).resolve().parents[1] / "docs" / "changes.md"

NAMES = ("api", "web", "worker", "cron")
ONE_FILE = "services:\n" + "".join(f"  {n}:\n    image: acme/{n}:2.1.0\n    restart: always\n" for n in NAMES)


def _split() -> dict[str, str]:
    files = {"compose.yaml": "include:\n" + "".join(f"  - services/{n}.yaml\n" for n in NAMES)}
    for n in NAMES:
        files[f"services/{n}.yaml"] = f"services:\n  {n}:\n    image: acme/{n}:2.1.0\n    restart: always\n"
    return files


EXAMPLES = {
    "include-split": ({"compose.yaml": ONE_FILE}, _split()),
    "registry-move": ({"compose.yaml": ONE_FILE},
                      {"compose.yaml": ONE_FILE.replace("acme/", "ghcr.io/acme/").replace(
                          "acme/api:2.1.0", "acme/api:2.2.0")}),
    "arg-base": ({"Dockerfile": "ARG BUILD_FROM=ghcr.io/home-assistant/amd64-base:3.20\nFROM ${BUILD_FROM}\n"},
                 {"Dockerfile": "ARG BUILD_FROM=ghcr.io/home-assistant/amd64-base:3.21\nFROM ${BUILD_FROM}\n"}),
}


def rendered(name: str) -> str:
    base, head = EXAMPLES[name]
    summary = check_output(review_pair(base, head), None, head_sha="abc1234", config=Config())["summary"]
    return summary.split("\n\n### Findings")[0].strip()


def test_each_example_in_the_docs_is_the_rendered_summary() -> None:
    text = DOCS.read_text()
    for name in EXAMPLES:
        block = rendered(name)
        assert f"<!-- example: {name} -->\n```markdown\n{block}\n```" in text, f"{name}:\n{block}"
