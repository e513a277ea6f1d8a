"""Command line: migrate the database, manage sites and moderators, readers' data."""

import json
from datetime import timedelta

import click
import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from . import credentials, migrate, privacy
from .clock import now
from .console import passwords, sessions
from .console.forms import LoginEmail
from .db import db
from .model_cli import model_cli
from .models import Moderator, Role, Site
from .sites import named as site_named

db_cli = AppGroup("db", help="Manage the database schema.")
sites_cli = AppGroup("sites", help="Manage the sites that submit comments.")
moderators_cli = AppGroup("moderators", help="Manage moderators and their API tokens.")
privacy_cli = AppGroup("privacy", help="Serve readers' data requests and retention.")


@db_cli.command("upgrade")
@click.option("--revision", default="heads", show_default=True, help="Target revision.")
def db_upgrade(revision):
    """Bring the database to the current schema (safe to run repeatedly)."""
    migrate.upgrade(db.engine, revision)
    click.echo(f"database at {revision}: {db.engine.url.render_as_string(hide_password=True)}")


@db_cli.command("revision")
@click.argument("message")
def db_revision(message):
    """Write a migration for the difference between the models and the database."""
    migrate.revision(db.engine, message)


class LoginAddress(click.ParamType):
    """A moderator's email, validated and normalised exactly as the console's login form does."""

    name = "email"

    def convert(self, value, param, ctx):
        """Return the normalised address, or fail with the form's own message."""
        try:
            return LoginEmail(strip=True).deserialize(value)
        except ma.ValidationError as error:
            self.fail(" ".join(error.messages), param, ctx)


LOGIN_ADDRESS = LoginAddress()


def _refuse_taken(model, column, value: str, what: str) -> None:
    """Stop with an error if a row already has that value."""
    if db.session.scalar(sa.select(model).where(column == value)) is not None:
        raise click.ClickException(f"{what} {value!r} already exists")


def _site(name: str) -> Site:
    """The site of that name, or stop with an error."""
    site = site_named(name)
    if site is None:
        raise click.ClickException(f"no site named {name!r}")
    return site


def _moderator(email: str) -> Moderator:
    """The moderator with that email, or stop with an error."""
    moderator = db.session.scalar(sa.select(Moderator).where(Moderator.email == email))
    if moderator is None:
        raise click.ClickException(f"no moderator {email!r}")
    return moderator


def _reissue(holder: Site | Moderator, prefix: str) -> str:
    """Give a site or moderator a new token (new key id and hash); return it to print once."""
    token, holder.key_id, holder.key_hash = credentials.issue(prefix)
    return token


@sites_cli.command("create")
@click.argument("name")
def sites_create(name):
    """Create a site; its API key is printed once, alone on the last line."""
    _refuse_taken(Site, Site.name, name, "site")
    token, key_id, key_hash = credentials.issue(credentials.SITE_PREFIX)
    db.session.add(Site(name=name, key_id=key_id, key_hash=key_hash, created_at=now()))
    db.session.commit()
    click.echo(f"created site {name!r}; its API key (shown only this once):")
    click.echo(token)


@sites_cli.command("rotate-key")
@click.argument("name")
def sites_rotate_key(name):
    """Replace a site's API key; the old one is refused at once, the new one printed last."""
    key = _reissue(_site(name), credentials.SITE_PREFIX)
    db.session.commit()
    click.echo(
        f"new API key for site {name!r}; the old one no longer works (shown only this once):"
    )
    click.echo(key)


@moderators_cli.command("create")
@click.argument("email", type=LOGIN_ADDRESS)
@click.option("--site", "site_name", help="Limit the moderator to this site (default: all sites).")
@click.option("--admin", is_flag=True, help="Make the moderator an admin.")
@click.option("--password", is_flag=True, help="Also set a console password (prompted for).")
def moderators_create(email, site_name, admin, password):
    """Create a moderator; the API token is printed once, alone on the last line."""
    _refuse_taken(Moderator, Moderator.email, email, "moderator")
    site = _site(site_name) if site_name is not None else None
    token, key_id, key_hash = credentials.issue(credentials.MODERATOR_PREFIX)
    moderator = Moderator(
        email=email,
        role=Role.ADMIN if admin else Role.MODERATOR,
        site_id=site.id if site else None,
        key_id=key_id,
        key_hash=key_hash,
        created_at=now(),
    )
    if password:
        _set_password(moderator)
    db.session.add(moderator)
    db.session.commit()
    scope = f"site {site_name!r}" if site else "all sites"
    click.echo(f"created {moderator.role} {email!r} for {scope}; API token (shown only this once):")
    click.echo(token)


@moderators_cli.command("set-password")
@click.argument("email", type=LOGIN_ADDRESS)
def moderators_set_password(email):
    """Set (or replace) a moderator's console password, prompted for twice."""
    moderator = _moderator(email)
    _set_password(moderator)
    db.session.commit()
    click.echo(f"password set for {email!r}; their other console sessions are ended")


@moderators_cli.command("rotate-token")
@click.argument("email", type=LOGIN_ADDRESS)
def moderators_rotate_token(email):
    """Replace a moderator's API token; the old one is refused at once, the new one printed last."""
    token = _reissue(_moderator(email), credentials.MODERATOR_PREFIX)
    db.session.commit()
    click.echo(f"new API token for {email!r}; the old one no longer works (shown only this once):")
    click.echo(token)


@moderators_cli.command("disable")
@click.argument("email", type=LOGIN_ADDRESS)
def moderators_disable(email):
    """Refuse a moderator's token and end their sessions; their decisions stay on record."""
    moderator = _moderator(email)
    moderator.disabled_at = moderator.disabled_at or now()
    sessions.end_all(moderator)
    db.session.commit()
    click.echo(f"disabled {email!r}: API token and console refused, history kept")


@moderators_cli.command("enable")
@click.argument("email", type=LOGIN_ADDRESS)
def moderators_enable(email):
    """Let a disabled moderator use their token and log in again."""
    moderator = _moderator(email)
    moderator.disabled_at = None
    db.session.commit()
    click.echo(f"enabled {email!r}: their API token works again; they log in afresh")


def _set_password(moderator: Moderator) -> None:
    """Prompt for a console password (hidden, twice) until it is long enough."""
    while True:
        password = click.prompt("Console password", hide_input=True, confirmation_prompt=True)
        try:
            passwords.set_password(moderator, password)
            return
        except ValueError as error:
            click.echo(str(error), err=True)


@privacy_cli.command("purge")
@click.option("--days", type=click.IntRange(min=0), help="Keep full IPs this many days.")
def privacy_purge(days):
    """Anonymise readers' IPs older than the retention period (IP_RETENTION_DAYS)."""
    days = current_app.config["IP_RETENTION_DAYS"] if days is None else days
    changed = privacy.purge_ips(now() - timedelta(days=days))
    click.echo(f"anonymised the IP address of {changed} comments older than {days} days")


@privacy_cli.command("export")
@click.argument("email")
def privacy_export(email):
    """Print everything stored about a reader's comments as JSON."""
    click.echo(json.dumps(privacy.export(email), indent=2, ensure_ascii=False))


@privacy_cli.command("erase")
@click.argument("email")
@click.confirmation_option(prompt="Delete every comment by this email, for good?")
def privacy_erase(email):
    """Delete a reader's comments and their moderation history."""
    click.echo(f"erased {privacy.erase(email)} comments by {email}")


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    for group in (db_cli, sites_cli, moderators_cli, privacy_cli, model_cli):
        app.cli.add_command(group)
