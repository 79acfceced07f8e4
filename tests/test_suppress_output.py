"""DR002 (unknown suppression) never quotes the code before the comment: it may be a secret."""

from __future__ import annotations

from pathlib import Path

from tests.cli_support import run_process, write


def test_unknown_suppression_beside_a_secret_quotes_only_the_comment(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": """\
        services:
          db:
            image: postgres:16.4
            environment:
              POSTGRES_PASSWORD: s3cretvalue  # dockreview: ignore[DR101, DR9999] dev only
        """})
    result = run_process("check", ".", "--fail-on", "never", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "DR002" in result.out
    assert "s3cretvalue" not in result.out
    assert "| # dockreview: ignore[DR101, DR9999] dev only" in result.out
