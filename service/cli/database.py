"""`flask db ...`: bring the database schema up to date."""

import click
from flask.cli import AppGroup

from .. import migrate
from ..db import db

group = AppGroup("db", help="Manage the database schema.")


@group.command("upgrade")
@click.option("--revision", default="heads", show_default=True, help="Target revision.")
def db_upgrade(revision):
    """Bring the database to the current schema (safe to run repeatedly)."""
    migrate.upgrade(db.engine, revision)
    click.echo(f"database at {revision}: {db.engine.url.render_as_string(hide_password=True)}")


@group.command("revision")
@click.argument("message")
def db_revision(message):
    """Write a migration for the difference between the models and the database."""
    migrate.revision(db.engine, message)
