"""The fake GitHub (tests/fakegithub) in a process of its own, with pull requests to review, driven
over stdin/stdout one JSON line each way (bench/webhook_load.py uses it).

    python bench/fake_github_host.py --prs 150 --mix 10,30,100

On start it prints {"url", "app_id", "private_key", "secret"} once the pull requests are open (each
changing --mix files in turn, 20 % Docker-related: bench/review_e2e.py's generator). Commands:
    {"deliver": URL}   a signed `pull_request.opened` delivery of every pull request, in order;
                       answers {"statuses": {...}}
    {"count": true}    answers {"completed": N, "conclusions": {...}}: pull requests whose `dockreview`
                       check run is completed
End of input stops it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from review_e2e import files_for  # noqa: E402

from tests.fakegithub import FakeGitHub  # noqa: E402

REPO = "octo/shop"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prs", type=int, default=150)
    parser.add_argument("--mix", default="10,30,100")
    args = parser.parse_args()
    mix = [int(s) for s in args.mix.split(",")]
    gh = FakeGitHub()
    gh.start()
    gh.set_rate_limit(1_000_000, graphql=1_000_000)
    gh.content_limit_per_minute = 1_000_000
    gh.content_limit_per_hour = 1_000_000
    app = gh.create_app(slug="dockreview", webhook_secret="bench")
    gh.create_repo(REPO, files={"README.md": "# shop\n"})
    gh.install(app, "octo", ["shop"])
    prs = []
    for k in range(args.prs):
        sha = gh.push(REPO, f"feature-{k}", files=files_for(mix[k % len(mix)], 0.2))
        prs.append((gh.open_pull_request(REPO, head=f"feature-{k}", base="main", user="alice"), sha))
    print(json.dumps({"url": gh.base_url, "app_id": app.id, "private_key": app.private_key_pem,
                      "secret": app.webhook_secret}), flush=True)
    try:
        for line in sys.stdin:
            command = json.loads(line)
            if "deliver" in command:
                statuses: Counter[int] = Counter()
                for number, _ in prs:
                    payload = gh.event_payload("pull_request", "opened", repo=REPO, number=number)
                    statuses[gh.deliver("pull_request", payload, url=command["deliver"], app=app)[0]] += 1
                print(json.dumps({"statuses": statuses}), flush=True)
            elif "count" in command:
                conclusions: Counter[str] = Counter()
                for _, sha in prs:
                    runs = [r for r in gh.check_runs(REPO, sha=sha, name="dockreview") if r["status"] == "completed"]
                    if runs:
                        conclusions[str(runs[0]["conclusion"])] += 1
                print(json.dumps({"completed": sum(conclusions.values()), "conclusions": conclusions}), flush=True)
    finally:
        gh.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
