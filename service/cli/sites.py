"""`flask sites ...`: create sites, rotate their API keys, issue Akismet keys, webhook secrets."""

import click
from flask.cli import AppGroup

from .. import credentials, sites, webhooks
from ..clock import now
from ..db import db
from ..tables import Site
from .lookups import refuse_taken, site

group = AppGroup("sites", help="Manage the sites that submit comments.")


@group.command("create")
@click.argument("name")
def sites_create(name):
    """Create a site; its API key is printed once, alone on the last line."""
    refuse_taken(Site, Site.name, name, "site")
    token, key_id, key_hash = credentials.issue(credentials.SITE_PREFIX)
    db.session.add(Site(name=name, key_id=key_id, key_hash=key_hash, created_at=now()))
    db.session.commit()
    click.echo(f"created site {name!r}; its API key (shown only this once):")
    click.echo(token)


@group.command("akismet-key")
@click.argument("name")
def sites_akismet_key(name):
    """Give a site a new Akismet key (12 hex digits), printed alone on the last line.

    WordPress's Akismet plugin, or any Akismet client pointed at this service, uses it;
    the site's previous Akismet key stops working at once.
    """
    key = sites.issue_akismet_key(site(name), None, "command line")
    db.session.commit()
    click.echo(f"new Akismet key for site {name!r}; any previous one no longer works:")
    click.echo(key)


@group.command("rotate-key")
@click.argument("name")
def sites_rotate_key(name):
    """Replace a site's API key; the old one is refused at once, the new one printed last."""
    key = sites.rotate_api_key(site(name), None, "command line")
    db.session.commit()
    click.echo(
        f"new API key for site {name!r}; the old one no longer works (shown only this once):"
    )
    click.echo(key)


@group.command("webhook-secret")
@click.argument("name")
def sites_webhook_secret(name):
    """Give a site a new webhook secret, printed alone on the last line.

    Every delivery to the site's endpoints is signed with it from now on (pending ones
    too); the previous secret no longer verifies any. It is not logged: keep it secret.
    """
    secret = webhooks.new_secret(site(name))
    db.session.commit()
    click.echo(f"new webhook secret for site {name!r}; deliveries are signed with it from now on:")
    click.echo(secret)
