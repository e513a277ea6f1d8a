"""`flask rules test`: replay stored comments under proposed settings before anyone saves them."""

import dataclasses
import functools
import json
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import click
import marshmallow as ma
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from . import admission, rules, sites
from . import settings as schema
from .clock import now
from .db import db
from .errors import flatten
from .models import Comment, Site, Status
from .scoring import Score
from .settings import Settings

rules_cli = AppGroup("rules", help="Try moderation rules against stored comments.")

# The stored fields the checks look at.
_FIELDS = (*rules.WORD_FIELDS, "honeypot", "form_rendered_at")
EXAMPLES_PER_CHANGE = 3


@dataclass(frozen=True)
class Change:
    """A comment that would be routed differently, and the reasons it would get."""

    comment: Comment
    before: Status
    after: Status
    reasons: list[str]


def replay(site: Site, proposed: Settings, days: int) -> tuple[int, list[Change]]:
    """Route the site's comments of the last `days` under its settings and the proposed ones.

    The stored score is reused, not recomputed; refusals (closed, duplicate, flood)
    are not replayed. Returns how many comments were replayed and those that change.
    """
    current = sites.settings_of(site)
    query = sa.select(Comment).where(
        Comment.site_id == site.id, Comment.created_at >= now() - timedelta(days=days)
    )
    comments = db.session.scalars(query.order_by(Comment.id)).all()
    changes = []
    for comment in comments:
        context = _context(comment, current)
        before, _ = rules.route(context)
        after, reasons = rules.route(
            dataclasses.replace(
                context,
                settings=proposed,
                spam_threshold=sites.thresholds(proposed).spam,
            )
        )
        if after != before:
            changes.append(Change(comment, before, after, reasons))
    return len(comments), changes


def _context(comment: Comment, settings: Settings) -> rules.Context:
    """What the checks saw, or would have seen, when the comment was submitted."""
    trusted = functools.partial(
        admission.previously_approved,
        comment.site_id,
        comment.author_email,
        comment.author_name,
        comment.id,
    )
    return rules.Context(
        Score(comment.spam_score, comment.model_version),
        sites.thresholds(settings).spam,
        settings,
        {name: getattr(comment, name) for name in _FIELDS},
        trusted,
        comment.created_at,
    )


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
        site = sites.named(name)
        if site is None:
            raise click.ClickException(f"no site named {name!r}")
        return site
    found = db.session.scalars(sa.select(Site).limit(2)).all()
    if len(found) != 1:
        raise click.ClickException("choose a site with --site NAME" if found else "no sites yet")
    return found[0]


@rules_cli.command("test")
@click.argument("settings_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_name", help="The site whose settings change (default: the only one).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(min=1))
def rules_test(settings_file, site_name, days):
    """Show how stored comments would route under SETTINGS_FILE (keys left out stay as saved)."""
    site = _site(site_name)
    proposed = _proposed(site, settings_file)
    total, changes = replay(site, proposed, days)
    click.echo(f"replayed {total} comments of site {site.name!r} from the last {days} days")
    click.echo(f"{len(changes)} would route differently")
    moves = Counter((change.before, change.after) for change in changes)
    for (before, after), count in sorted(moves.items()):
        click.echo(f"  {before} -> {after}: {count}")
        examples = [c for c in changes if (c.before, c.after) == (before, after)]
        for change in examples[:EXAMPLES_PER_CHANGE]:
            comment = change.comment
            click.echo(f"    #{comment.id} on {comment.post_id} by {comment.author_name}")
            click.echo(f"      {comment.content[:80]!r}")
            click.echo(f"      reasons: {'; '.join(change.reasons)}")


def init_app(app: Flask) -> None:
    """Register the rules command group."""
    app.cli.add_command(rules_cli)
