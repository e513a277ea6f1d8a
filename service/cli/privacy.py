"""`flask privacy ...`: readers' data requests (export, erase) and IP retention."""

import json
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from .. import privacy
from ..clock import now

group = AppGroup("privacy", help="Serve readers' data requests and retention.")


@group.command("purge")
@click.option("--days", type=click.IntRange(min=0), help="Keep full IPs this many days.")
def privacy_purge(days):
    """Anonymise readers' IPs older than the retention period (IP_RETENTION_DAYS)."""
    days = current_app.config["IP_RETENTION_DAYS"] if days is None else days
    changed = privacy.purge_ips(now() - timedelta(days=days))
    click.echo(f"anonymised the IP address of {changed} comments older than {days} days")


@group.command("export")
@click.argument("email")
def privacy_export(email):
    """Print everything stored about a reader's comments as JSON."""
    click.echo(json.dumps(privacy.export(email), indent=2, ensure_ascii=False))


@group.command("erase")
@click.argument("email")
@click.confirmation_option(prompt="Delete every comment by this email, for good?")
def privacy_erase(email):
    """Delete a reader's comments and their moderation history."""
    click.echo(f"erased {privacy.erase(email)} comments by {email}")
