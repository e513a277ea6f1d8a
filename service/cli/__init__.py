"""The command line, `flask --app wsgi GROUP COMMAND`: one command group per module."""

from flask import Flask

from . import database, imports, model, moderators, privacy, rules, sites

GROUPS = (database, sites, moderators, privacy, rules, model, imports)


def init_app(app: Flask) -> None:
    """Register every command group on the app."""
    for module in GROUPS:
        app.cli.add_command(module.group)
