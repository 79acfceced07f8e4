"""`dockreview` for a mirror that lacks large blobs: `GitRepo.tree` tolerates them, then the real CLI.

The replay runner times this instead of the `dockreview` script only for PRs whose trees name an
absent blob (see mirror_git.py); start-up is the same (the diff command imports gitrepo anyway).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dockreview.bot.cli import gitrepo
from mirror_git import tolerant_tree

gitrepo.GitRepo._read_tree = tolerant_tree  # type: ignore[method-assign]  # still read once per revision

from dockreview.bot.cli import main  # noqa: E402

sys.exit(main())
