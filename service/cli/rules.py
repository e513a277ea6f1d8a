"""`flask rules test`: replay stored comments under proposed settings before anyone saves them."""

import json
from pathlib import Path

import click
import marshmallow as ma
import sqlalchemy as sa
from flask.cli import AppGroup

from .. import dryrun, sites
from .. import settings as schema
from ..db import db
from ..errors import flatten
from ..settings import Settings
from ..tables import Site
from .lookups import site as site_named

group = AppGroup("rules", help="Try moderation rules against stored comments.")


class InvalidSettings(click.ClickException):
    """The proposed settings file is not valid JSON or not valid settings."""

    exit_code = 2


def _proposed(site: Site, path: Path) -> Settings:
    """Read the file's settings over the site's current ones, validated by SiteSettings."""
    try:
        changes = json.loads(path.read_text())
        if not isinstance(changes, dict):
            raise InvalidSettings(f"{path}: must be a JSON object of settings")
        return sites.changed(site, schema.load_changes(changes))
    except json.JSONDecodeError as error:
        raise InvalidSettings(f"{path}: not valid JSON: {error}") from None
    except ma.ValidationError as error:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in flatten(error.messages).items())
        raise InvalidSettings(f"{path}: invalid settings: {problems}") from None


def _site(name: str | None) -> Site:
    """The named site, or the only one when no name is given."""
    if name is not None:
        return site_named(name)
    found = db.session.scalars(sa.select(Site).limit(2)).all()
    if len(found) != 1:
        raise click.ClickException("choose a site with --site NAME" if found else "no sites yet")
    return found[0]


@group.command("test")
@click.argument("settings_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_name", help="The site whose settings change (default: the only one).")
@click.option("--days", default=dryrun.DAYS, show_default=True, type=click.IntRange(min=1))
def rules_test(settings_file, site_name, days):
    """Show how stored comments would route under SETTINGS_FILE (keys left out stay as saved)."""
    site = _site(site_name)
    proposed = _proposed(site, settings_file)
    total, changes = dryrun.replay(site, proposed, days)
    click.echo(f"replayed {total} comments of site {site.name!r} from the last {days} days")
    click.echo(f"{len(changes)} would route differently")
    for move in dryrun.moves(changes, dryrun.EXAMPLES):
        click.echo(f"  {move.before} -> {move.after}: {move.count}")
        for change in move.examples:
            comment = change.comment
            click.echo(f"    #{comment.id} on {comment.post_id} by {comment.author_name}")
            click.echo(f"      {comment.content[:80]!r}")
            click.echo(f"      reasons: {'; '.join(change.reasons)}")
