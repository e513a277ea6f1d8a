"""What several command groups look up: a site or moderator by name, or a name not yet taken."""

import click
import sqlalchemy as sa

from .. import sites
from ..db import db
from ..tables import Moderator, Site


def refuse_taken(model, column, value: str, what: str) -> None:
    """Stop with an error if a row already has that value."""
    if db.session.scalar(sa.select(model).where(column == value)) is not None:
        raise click.ClickException(f"{what} {value!r} already exists")


def site(name: str) -> Site:
    """Return the site of that name, or stop with an error."""
    found = sites.named(name)
    if found is None:
        raise click.ClickException(f"no site named {name!r}")
    return found


def moderator(email: str) -> Moderator:
    """Return the moderator with that email, or stop with an error."""
    found = db.session.scalar(sa.select(Moderator).where(Moderator.email == email))
    if found is None:
        raise click.ClickException(f"no moderator {email!r}")
    return found
