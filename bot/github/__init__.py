"""Everything that talks to GitHub's API, and nothing else does.

    client    githubkit with App and installation auth, bounded retries, call accounting, pagination
    contents  a repository at one commit: one tree call, then file contents in batched GraphQL reads
"""

from __future__ import annotations

from dockreview.bot.github.client import CALL_BUDGET, CALLS, RATE_SEEN, GitHubClient, GitHubError

__all__ = ["CALLS", "CALL_BUDGET", "RATE_SEEN", "GitHubClient", "GitHubError"]
