"""`python -m dockreview.bot.cli`."""

from dockreview.bot.cli.commands import console

console()
