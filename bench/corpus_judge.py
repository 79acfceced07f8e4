"""A seeded random sample of what `dockreview check` says over ../shared/corpus, for judging by hand.

    python bench/corpus_judge.py sample [--seed 11] [--n 90]   # the sample, with each finding's lines
    python bench/corpus_judge.py score                         # the figures of the judged sample

Each corpus repository is checked as its own repository root (`dockreview check <repo>`), with
the default config and its `owner/name` (as the App knows it), in process. All findings of all
repositories are listed in a stable order (repository, path, line, rule); the sample is the `n`
whose SHA-256 of `seed:key` is smallest: a uniform random sample that keeps its members when other
findings come or go (so a changed engine needs judgments only for what it newly says). A judgment
(`bench/corpus_judgments.yaml`) is keyed by rule, path and line and says `right` (right and worth
saying at its confidence: inline for high, the check summary for medium and low), `context` (right,
but not worth saying in this repository even in the summary) or `wrong`, with a reason.
Nothing of the corpus is stored: paths, rules, verdicts and short reasons only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from dockreview.rules import Snapshot, review

HERE = Path(__file__).resolve().parent
JUDGMENTS = HERE / "corpus_judgments.yaml"


def corpus_root() -> Path:
    shared = os.environ.get("DOCKREVIEW_SHARED")
    root = Path(shared) / "corpus" if shared else HERE.parent.parent / "shared" / "corpus"
    if not root.is_dir():
        sys.exit(f"no corpus at {root}: set DOCKREVIEW_SHARED to the shared directory")
    return root


def all_findings(root: Path) -> list[dict[str, Any]]:
    found = []
    for repo in sorted(p for p in root.iterdir() if p.is_dir()):
        # The App knows the repository's name (`owner/name`); the corpus keeps it as `owner__name`.
        report = review(Snapshot.from_directory(repo, repository=repo.name.replace("__", "/", 1)))
        for f in report.findings:
            found.append({"repo": repo.name, "rule": f.rule, "path": f.path, "line": f.line,
                          "confidence": str(f.confidence), "severity": str(f.severity), "message": f.message})
    found.sort(key=lambda f: (f["repo"], f["path"], f["line"], f["rule"]))
    return found


def sample(seed: int, n: int) -> list[dict[str, Any]]:
    found = all_findings(corpus_root())
    picked = sorted(found, key=lambda f: hashlib.sha256(f"{seed}:{key(f)}".encode()).hexdigest())[:n]
    return sorted(picked, key=lambda f: (f["repo"], f["path"], f["line"], f["rule"]))


def key(finding: dict[str, Any]) -> str:
    return f"{finding['rule']} {finding['repo']}/{finding['path']}:{finding['line']}"


def cmd_sample(args: argparse.Namespace) -> None:
    root = corpus_root()
    for finding in sample(args.seed, args.n):
        lines = (root / finding["repo"] / finding["path"]).read_text(errors="replace").split("\n")
        line = finding["line"]
        print(f"## {key(finding)}  [{finding['severity']}, {finding['confidence']}]")
        print(f"   {finding['message']}")
        for number in range(max(1, line - 2), min(len(lines), line + 2) + 1):
            print(f"   {'>' if number == line else ' '}{number:5} {lines[number - 1][:160]}")


def cmd_score(args: argparse.Namespace) -> None:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(JUDGMENTS.read_text())
    seed, n = data["seed"], data["n"]
    verdicts = data.get("judgments") or {}
    picked = sample(seed, n)
    counts: dict[str, int] = {}
    unjudged = []
    for finding in picked:
        judged = verdicts.get(key(finding))
        verdict = judged["verdict"] if judged else "unjudged"
        counts[verdict] = counts.get(verdict, 0) + 1
        if judged is None:
            unjudged.append(key(finding))
    judged_total = sum(v for k, v in counts.items() if k != "unjudged")
    right = counts.get("right", 0)
    print(f"sample: seed {seed}, {len(picked)} findings; judged {judged_total}")
    print(f"right and worth saying: {right} of {judged_total} ({100 * right / max(1, judged_total):.1f}%), "
          f"context {counts.get('context', 0)}, wrong {counts.get('wrong', 0)}")
    for item in unjudged:
        print(f"  UNJUDGED {item}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("sample")
    one.add_argument("--seed", type=int, default=11)
    one.add_argument("--n", type=int, default=90)
    sub.add_parser("score")
    args = parser.parse_args()
    {"sample": cmd_sample, "score": cmd_score}[args.command](args)


if __name__ == "__main__":
    main()
