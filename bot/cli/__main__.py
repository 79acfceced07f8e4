"""`python -m dockreview.bot.cli`."""

import sys

from dockreview.bot.cli.commands import main

sys.exit(main())
