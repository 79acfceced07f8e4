"""Everything around the analysis library: the CLI, output formats, the GitHub App (webhook, queue,
worker) and its GitHub client, in rooms described in docs/architecture.md."""
