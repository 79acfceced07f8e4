#!/usr/bin/env python3
"""Score a replay run against the judgments: how much of what the bot says is right and worth saying.

    python bench/replay/score.py                       # the latest run in bench/replay/results/
    python bench/replay/score.py results/X.json        # a given run
    python bench/replay/score.py --per-pr              # also one line per PR
    python bench/replay/score.py --skeleton > todo.yaml   # unjudged output as YAML to fill in

Findings are matched to judgments by rule, path and the normalized text of the flagged line (secret
findings: by evidence), one to one, preferring the same evidence and the nearest line; rows by
path, object, field, before and after. What a run says that no judgment covers is listed at the end
("unjudged"): a changed engine's new output, to be judged by hand (see README.md). Exit status: 0,
or 2 on a usage error (no run, unreadable files).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay import (
    FINDING_VERDICTS,
    JUDGMENTS_FILE,
    PRS_FILE,
    finding_key,
    finding_text,
    latest_result,
    load_prs,
    load_result,
    load_yaml,
    normalize,
    row_key,
)

LIMIT_SECONDS = 1.0


@dataclass
class Judged:
    """One PR's output with the verdict each item got (None: unjudged)."""

    pr: str
    findings: list[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)
    rows: list[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    missing_rows: list[dict[str, Any]] = field(default_factory=list)
    # For a PR with no rows: the judgment of the summary's "No container-level changes" (None: not judged).
    claim: dict[str, Any] | None = None
    has_rows: bool = False
    judged_pr: bool = False  # the judgments have an entry for this PR


def load_judgments(path: Path) -> dict[str, dict[str, Any]]:
    data = load_yaml(path) or {}
    prs = data.get("prs") or {}
    for pr, entry in prs.items():
        for item in (entry or {}).get("findings") or []:
            if item.get("verdict") not in FINDING_VERDICTS:
                raise ValueError(f"{path}: {pr}: finding verdict {item.get('verdict')!r} is not one of "
                                 f"{', '.join(FINDING_VERDICTS)}")
        for item in (entry or {}).get("rows") or []:
            if not isinstance(item.get("verdict"), bool):
                raise ValueError(f"{path}: {pr}: row verdict must be true or false, not {item.get('verdict')!r}")
            if item["verdict"] is False and not item.get("reason"):
                raise ValueError(f"{path}: {pr}: a false row needs a reason ({item.get('object')} {item.get('field')})")
        claim = (entry or {}).get("no_changes_claim")
        if claim is not None and not isinstance(claim.get("verdict"), bool):
            raise ValueError(f"{path}: {pr}: no_changes_claim verdict must be true or false")
    return prs


def match_findings(findings: list[dict[str, Any]], judgments: list[dict[str, Any]]
                   ) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each finding with its judgment: same rule, path and text; then same evidence; then nearest line."""
    pool: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for judgment in judgments:
        key = (str(judgment["rule"]), str(judgment["path"]), normalize(judgment.get("text")))
        pool[key].append(judgment)
    matched = []
    for finding in findings:
        candidates = pool.get(finding_key(finding), [])
        if not candidates:
            matched.append((finding, None))
            continue
        evidence = finding.get("evidence") or ""
        best = min(candidates, key=lambda j: (normalize(j.get("evidence")) != normalize(evidence) if
                                              j.get("evidence") is not None else 1,
                                              abs(int(j.get("line") or 0) - int(finding["line"]))))
        candidates.remove(best)
        matched.append((finding, best))
    return matched


def match_rows(rows: list[dict[str, Any]], judgments: list[dict[str, Any]]
               ) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    pool: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for judgment in judgments:
        pool[row_key(judgment)].append(judgment)
    matched = []
    for row in rows:
        candidates = pool.get(row_key(row), [])
        matched.append((row, candidates.pop(0) if candidates else None))
    return matched


def judge_run(result: dict[str, Any], judgments: dict[str, dict[str, Any]]) -> list[Judged]:
    out = []
    for entry in result["prs"]:
        if "findings" not in entry:
            continue
        verdicts = judgments.get(entry["id"]) or {}
        judged = Judged(pr=entry["id"], judged_pr=entry["id"] in judgments)
        judged.findings = match_findings(entry["findings"], list(verdicts.get("findings") or []))
        judged.rows = match_rows(entry["rows"], list(verdicts.get("rows") or []))
        judged.misses = list(verdicts.get("misses") or [])
        judged.missing_rows = list(verdicts.get("missing_rows") or [])
        judged.has_rows = bool(entry["rows"])
        judged.claim = verdicts.get("no_changes_claim") if not entry["rows"] else None
        out.append(judged)
    return out


# --- figures ----------------------------------------------------------------------------------
def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def time_line(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: no figures"
    over = sum(1 for v in values if v > LIMIT_SECONDS)
    return (f"{label}: median {statistics.median(values):.3f} s, p90 {percentile(values, 0.9):.3f} s, "
            f"max {max(values):.3f} s, over {LIMIT_SECONDS:.1f} s: {over} of {len(values)}")


def report(result: dict[str, Any], judged: list[Judged], run_path: Path, per_pr: bool) -> list[str]:
    lines: list[str] = []
    run = result.get("run", {})
    entries = result["prs"]
    skipped = [e for e in entries if "skipped" in e]
    errors = [e for e in entries if "error" in e]
    lines.append(f"run: {run_path.name}  engine {run.get('engine_commit', '?')[:12]}  {run.get('date', '')}  "
                 f"load average {run.get('load_average_start')} -> {run.get('load_average_end')}")
    repos = sorted({e["repo"] for e in entries if "findings" in e})
    lines.append(f"PRs: {len(judged)} reviewed from {len(repos)} repositories, {len(skipped)} skipped "
                 f"(no mirror or commit), {len(errors)} engine errors"
                 + (f" ({', '.join(e['id'] for e in errors)})" if errors else ""))
    unjudged_prs = [j.pr for j in judged if not j.judged_pr]
    if unjudged_prs:
        lines.append(f"PRs with no judgment entry: {len(unjudged_prs)} ({', '.join(unjudged_prs)})")

    findings = [(f, j) for pr in judged for f, j in pr.findings]
    per_pr_counts = [len(pr.findings) for pr in judged]
    inline = [(f, j) for f, j in findings if f.get("review") == "inline"]
    summary_only = len(findings) - len(inline)
    lines.append("")
    lines.append(f"findings: {len(findings)} (per PR mean {statistics.mean(per_pr_counts or [0]):.2f}, "
                 f"median {statistics.median(per_pr_counts or [0]):g}, max {max(per_pr_counts or [0])}); "
                 f"PRs with any: {sum(1 for c in per_pr_counts if c)}")
    lines.append(f"  inline comments: {len(inline)}; check-run summary only: {summary_only}; "
                 f"on a changed line: {sum(1 for f, _ in findings if f.get('changed_line'))}")
    verdicts = Counter(j["verdict"] if j else "unjudged" for _, j in findings)
    judged_count = len(findings) - verdicts["unjudged"]
    lines.append("  verdicts: " + ", ".join(f"{v} {verdicts[v]}" for v in (*FINDING_VERDICTS, "unjudged")))
    lines.append(f"  right and worth saying: {verdicts['right']} of {judged_count} judged "
                 f"({pct(verdicts['right'], judged_count)})")
    inline_verdicts = Counter(j["verdict"] if j else "unjudged" for _, j in inline)
    inline_judged = len(inline) - inline_verdicts["unjudged"]
    lines.append(f"  among inline comments: {inline_verdicts['right']} of {inline_judged} judged "
                 f"({pct(inline_verdicts['right'], inline_judged)})")
    unwanted = sum(n for v, n in inline_verdicts.items() if v not in ("right", "unjudged"))
    lines.append(f"  unwanted inline comments (preexisting, noise or wrong): {unwanted}, "
                 f"{unwanted / len(judged) if judged else 0:.2f} per PR")
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for f, j in findings:
        by_rule[f["rule"]][j["verdict"] if j else "unjudged"] += 1
    non_right = Counter(f"{j['verdict']}: {j.get('class') or 'unclassified'}" for _, j in findings
                        if j and j["verdict"] != "right")
    if non_right:
        lines.append("  not right, by class: " + ", ".join(f"{c} {n}" for c, n in non_right.most_common()))
    if by_rule:
        lines.append("  by rule: " + "; ".join(
            f"{rule} " + " ".join(f"{v}={n}" for v, n in sorted(c.items())) for rule, c in sorted(by_rule.items())))

    misses = [m for pr in judged for m in pr.misses]
    lines.append("")
    lines.append(f"misses (what a careful reviewer would have flagged): {len(misses)} in "
                 f"{sum(1 for pr in judged if pr.misses)} PRs; {len(misses) / len(judged) if judged else 0:.2f} per PR")
    classes = Counter(str(m.get("class") or "unclassified") for m in misses)
    if classes:
        lines.append("  by class: " + ", ".join(f"{c} {n}" for c, n in classes.most_common()))
    maybe = maybe_caught(judged)
    if maybe:
        lines.append(f"  misses that a finding of this run may now cover (check by hand): {len(maybe)}")
        lines.extend(f"    {pr}: {m['path']}: {m.get('what', '')[:100]}" for pr, m in maybe)

    rows = [(r, j) for pr in judged for r, j in pr.rows]
    row_verdicts = Counter("unjudged" if j is None else ("true" if j["verdict"] else "false") for _, j in rows)
    false_prs = sorted({pr.pr for pr in judged for _, j in pr.rows if j is not None and not j["verdict"]})
    lines.append("")
    lines.append(f"Container changes rows: {len(rows)} in {sum(1 for pr in judged if pr.rows)} PRs; "
                 f"true {row_verdicts['true']}, false {row_verdicts['false']}, unjudged {row_verdicts['unjudged']}"
                 + (f"; PRs with a false row: {len(false_prs)} ({', '.join(false_prs)})" if false_prs else ""))
    row_classes = Counter(str(j.get("class")) for _, j in rows if j is not None and j.get("class"))
    if row_classes:
        lines.append("  rows with a class: " + ", ".join(f"{c} {n}" for c, n in row_classes.most_common()))
    no_rows = [pr for pr in judged if not pr.has_rows]
    claims = [pr for pr in no_rows if pr.claim is not None]
    false_claims = [pr.pr for pr in claims if not pr.claim["verdict"]]
    lines.append(f"  PRs with no rows: {len(no_rows)}; their \"No container-level changes\" judged: {len(claims)}, "
                 f"true {len(claims) - len(false_claims)}, false {len(false_claims)}"
                 + (f" ({', '.join(false_claims)})" if false_claims else ""))
    summary_false = sorted(set(false_prs) | set(false_claims))
    lines.append(f"  PRs whose Container changes summary says something false: {len(summary_false)} of {len(judged)}")
    gaps = [m for pr in judged for m in pr.missing_rows]
    gap_classes = Counter(str(m.get("class") or "unclassified") for m in gaps)
    lines.append(f"  deploy-time changes missing from the summary: {len(gaps)} in "
                 f"{sum(1 for pr in judged if pr.missing_rows)} PRs"
                 + (" (" + ", ".join(f"{c} {n}" for c, n in gap_classes.most_common()) + ")" if gaps else ""))

    lines.append("")
    engine_times = [e["seconds"] for e in entries if "seconds" in e]
    engine_cpu = [e["cpu_seconds"] for e in entries if "cpu_seconds" in e]
    lines.append(time_line("time per PR, in-process review (wall)", engine_times))
    lines.append(time_line("time per PR, in-process review (CPU, incl. git)", engine_cpu))
    cli = [e["cli"] for e in entries if "median" in e.get("cli", {})]
    if cli:
        lines.append(time_line("time per PR, `dockreview diff` subprocess incl. start-up (wall)",
                               [c["median"] for c in cli]))
        lines.append(time_line("time per PR, `dockreview diff` subprocess incl. start-up (CPU)",
                               [c["cpu_median"] for c in cli if "cpu_median" in c]))
        differ = [e["id"] for e in entries if e.get("cli", {}).get("same_findings") is False]
        cli_errors = [e["id"] for e in entries if e.get("cli", {}).get("error")]
        lines.append(f"  CLI runs with other findings than in-process: {len(differ)}"
                     + (f" ({', '.join(differ)})" if differ else "")
                     + f"; CLI errors: {len(cli_errors)}" + (f" ({', '.join(cli_errors)})" if cli_errors else ""))
    else:
        lines.append("time per PR, `dockreview diff` subprocess: not measured in this run (run.py --cli)")

    if per_pr:
        lines.append("")
        lines.append("per PR: findings (right/pre/noise/wrong/unjudged) | rows true/false/unjudged | misses | "
                     "missing rows | seconds")
        by_id = {e["id"]: e for e in entries}
        for pr in judged:
            c = Counter(j["verdict"] if j else "unjudged" for _, j in pr.findings)
            r = Counter("u" if j is None else ("t" if j["verdict"] else "f") for _, j in pr.rows)
            entry = by_id[pr.pr]
            cli_time = entry.get("cli", {}).get("median")
            none = "" if pr.has_rows or pr.claim is None else (" none=true" if pr.claim["verdict"] else " none=FALSE")
            lines.append(f"  {pr.pr:<18} {len(pr.findings):>2} ({c['right']}/{c['preexisting']}/{c['noise']}/"
                         f"{c['wrong']}/{c['unjudged']}) | {r['t']}/{r['f']}/{r['u']}{none}"
                         f" | {len(pr.misses)} | {len(pr.missing_rows)} | "
                         f"{entry['seconds']:.2f}" + (f" (CLI {cli_time:.2f})" if cli_time else ""))

    open_items = unjudged(judged)
    lines.append("")
    if open_items:
        lines.append(f"UNJUDGED: {len(open_items)} findings/rows have no judgment (judge them: score.py --skeleton)")
        lines.extend(f"  {pr}: {kind}: {text}" for pr, kind, text in open_items)
    else:
        lines.append("unjudged: none (every finding and row of this run has a judgment)")
    return lines


def maybe_caught(judged: list[Judged]) -> list[tuple[str, dict[str, Any]]]:
    """Misses whose path and quoted line a finding of this run now points at."""
    found = []
    for pr in judged:
        for miss in pr.misses:
            text = normalize(miss.get("text"))
            if not text:
                continue
            for finding, _ in pr.findings:
                if finding["path"] == miss.get("path") and text in finding_text(finding):
                    found.append((pr.pr, miss))
                    break
    return found


def unjudged(judged: list[Judged]) -> list[tuple[str, str, str]]:
    items = []
    for pr in judged:
        for finding, judgment in pr.findings:
            if judgment is None:
                items.append((pr.pr, "finding", f"{finding['rule']} {finding['path']}:{finding['line']} "
                                                f"[{finding_text(finding)[:80]}] {finding['message'][:100]}"))
        if not pr.has_rows and pr.claim is None:
            items.append((pr.pr, "claim", "no rows: is \"No container-level changes\" true? (no_changes_claim)"))
        for row, judgment in pr.rows:
            if judgment is None:
                items.append((pr.pr, "row", f"{row['path']} {row.get('object') or '(file)'} {row['field']}: "
                                            f"{row.get('before')} -> {row.get('after')}"))
    return items


def skeleton(judged: list[Judged]) -> str:
    """YAML for the unjudged output, verdicts left empty, to merge into judgments.yaml."""
    from io import StringIO

    from ruamel.yaml import YAML

    out: dict[str, Any] = {}
    for pr in judged:
        entry: dict[str, Any] = {}
        todo_findings = [f for f, j in pr.findings if j is None]
        todo_rows = [r for r, j in pr.rows if j is None]
        if todo_findings:
            entry["findings"] = [{"rule": f["rule"], "path": f["path"], "line": f["line"], "text": finding_text(f),
                                  **({"evidence": f["evidence"]} if f.get("evidence") else {}),
                                  "message": f["message"], "verdict": None, "reason": ""} for f in todo_findings]
        if todo_rows:
            entry["rows"] = [{"path": r["path"], "object": r.get("object") or "", "field": r["field"],
                              "before": r.get("before"), "after": r.get("after"), "verdict": None}
                             for r in todo_rows]
        if not pr.has_rows and pr.claim is None:
            entry["no_changes_claim"] = {"verdict": None, "reason": ""}
        if not pr.judged_pr:
            entry["misses"] = []
        if entry:
            out[pr.pr] = entry
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 200
    buffer = StringIO()
    yaml.dump({"prs": out}, buffer)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", nargs="?", type=Path, help="a run's JSON (default: the latest in results/)")
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS_FILE)
    parser.add_argument("--per-pr", action="store_true", help="also one line per PR")
    parser.add_argument("--skeleton", action="store_true", help="print YAML for the unjudged output and stop")
    args = parser.parse_args(argv)
    run_path = args.run or latest_result()
    if run_path is None:
        print("score.py: no run found in bench/replay/results/ (run bench/replay/run.py first)", file=sys.stderr)
        return 2
    try:
        result = load_result(run_path)
        judgments = load_judgments(args.judgments) if args.judgments.exists() else {}
        known = {pr.id for pr in load_prs(PRS_FILE)}
    except (OSError, ValueError, KeyError) as exc:
        print(f"score.py: {exc}", file=sys.stderr)
        return 2
    stray = sorted(set(judgments) - known)
    judged = judge_run(result, judgments)
    if args.skeleton:
        sys.stdout.write(skeleton(judged))
        return 0
    lines = report(result, judged, run_path, args.per_pr)
    if stray:
        lines.append(f"judgments for PRs not in prs.yaml (ignored): {', '.join(stray)}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
