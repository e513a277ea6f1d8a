"""`flask moderators ...`: create, set passwords, rotate tokens, disable; email digests."""

import click
import marshmallow as ma
from flask import current_app
from flask.cli import AppGroup

from .. import digests
from ..console import accounts, passwords
from ..console.forms import LoginEmail
from ..db import db
from ..errors import Invalid
from ..tables import Moderator, Role
from . import lookups
from .lookups import refuse_taken

group = AppGroup("moderators", help="Manage moderators and their API tokens.")


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


@group.command("create")
@click.argument("email", type=LOGIN_ADDRESS)
@click.option("--site", "site_name", help="Limit the moderator to this site (default: all sites).")
@click.option("--admin", is_flag=True, help="Make the moderator an admin.")
@click.option("--password", is_flag=True, help="Also set a console password (prompted for).")
def moderators_create(email, site_name, admin, password):
    """Create a moderator; the API token is printed once, alone on the last line."""
    refuse_taken(Moderator, Moderator.email, email, "moderator")
    site = lookups.site(site_name) if site_name is not None else None
    role = Role.ADMIN if admin else Role.MODERATOR
    moderator = accounts.create(email, role, site.id if site else None)
    token = accounts.issue_token(moderator)
    if password:
        _set_password(moderator)
    db.session.commit()
    scope = f"site {site_name!r}" if site else "all sites"
    click.echo(f"created {moderator.role} {email!r} for {scope}; API token (shown only this once):")
    click.echo(token)


@group.command("set-password")
@click.argument("email", type=LOGIN_ADDRESS)
def moderators_set_password(email):
    """Set (or replace) a moderator's console password, prompted for twice."""
    moderator = lookups.moderator(email)
    _set_password(moderator)
    db.session.commit()
    click.echo(f"password set for {email!r}; their other console sessions are ended")


@group.command("rotate-token")
@click.argument("email", type=LOGIN_ADDRESS)
def moderators_rotate_token(email):
    """Replace a moderator's API token; the old one is refused at once, the new one printed last."""
    token = accounts.issue_token(lookups.moderator(email))
    db.session.commit()
    click.echo(f"new API token for {email!r}; the old one no longer works (shown only this once):")
    click.echo(token)


@group.command("disable")
@click.argument("email", type=LOGIN_ADDRESS)
def moderators_disable(email):
    """Refuse a moderator's token and end their sessions; their decisions stay on record."""
    accounts.disable(lookups.moderator(email))
    db.session.commit()
    click.echo(f"disabled {email!r}: API token and console refused, history kept")


@group.command("enable")
@click.argument("email", type=LOGIN_ADDRESS)
def moderators_enable(email):
    """Let a disabled moderator use their token and log in again."""
    accounts.enable(lookups.moderator(email))
    db.session.commit()
    click.echo(f"enabled {email!r}: their API token works again; they log in afresh")


@group.command("digest")
@click.argument("email", type=LOGIN_ADDRESS)
@click.option("--site", "site_name", required=True, help="The site whose waiting comments to mail.")
@click.option(
    "--minutes",
    type=int,
    default=digests.DEFAULT_MINUTES,
    show_default=True,
    help="At most one email per this many minutes; 0: none.",
)
def moderators_digest(email, site_name, minutes):
    """Mail a moderator a digest of the comments waiting on a site, at most every N minutes."""
    moderator, site = lookups.moderator(email), lookups.site(site_name)
    try:
        digests.subscribe(moderator, site, minutes)
    except Invalid as error:
        raise click.BadParameter(error.message, param_hint=f"--{error.field}") from None
    db.session.commit()
    if not minutes:
        click.echo(f"no more digests of {site_name!r} for {email!r}")
        return
    click.echo(f"{email!r} gets a digest of {site_name!r} at most every {minutes} minutes")
    if trouble := digests.problem(current_app.config):
        click.echo(f"but none is sent yet: {trouble}", err=True)


def _set_password(moderator: Moderator) -> None:
    """Prompt for a console password (hidden, twice) until it is long enough."""
    while True:
        password = click.prompt("Console password", hide_input=True, confirmation_prompt=True)
        try:
            passwords.set_password(moderator, password)
            return
        except ValueError as error:
            click.echo(str(error), err=True)
