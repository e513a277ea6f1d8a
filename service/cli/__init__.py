"""The command line, `flask --app wsgi GROUP COMMAND`: one command group per module."""

from flask import Flask

from . import database, imports, model, moderators, privacy, rules, sites, worker

GROUPS = (database, sites, moderators, privacy, rules, model, imports)
# Commands without a group: `flask --app wsgi worker`.
COMMANDS = (worker,)


def init_app(app: Flask) -> None:
    """Register every command group, and every command of its own, on the app."""
    for module in GROUPS:
        app.cli.add_command(module.group)
    for module in COMMANDS:
        app.cli.add_command(module.command)
