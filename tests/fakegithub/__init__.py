"""A fake GitHub for end-to-end tests: a real HTTP server on 127.0.0.1 serving GitHub's REST and GraphQL
shapes and enforcing GitHub's rules (see README in this package and ../shared/github/README.md).

    gh = FakeGitHub(); base_url = gh.start()
    app = gh.create_app(slug="dockreview", webhook_secret="s3cret", webhook_url=...)
    gh.install(app, "octo", ["shop"]); gh.create_repo("octo/shop", files={...})
    sha = gh.push("octo/shop", "feature", files={...}); n = gh.open_pull_request("octo/shop", head="feature")
    payload = gh.event_payload("pull_request", "opened", repo="octo/shop", number=n)
    status, guid = gh.deliver("pull_request", payload)
"""

from .fake import Call, FakeApp, FakeGitHub
from .faults import Fault
from .webhooks import signature

__all__ = ["Call", "FakeApp", "FakeGitHub", "Fault", "signature"]
