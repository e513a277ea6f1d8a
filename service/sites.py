"""Sites: look one up by name, read and save its settings, and say its thresholds."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from . import access, credentials, scoring
from . import settings as schema
from .db import db
from .settings import Settings
from .tables import Moderator, Site

_NAMED = sa.select(Site).where(Site.name == sa.bindparam("name"))


def named(name: str) -> Site | None:
    """Return the site of that name, if there is one."""
    return db.session.scalar(_NAMED, {"name": name})


def visible_to(moderator: Moderator) -> list[Site]:
    """The sites the moderator may see, by name."""
    query = access.visible(moderator, sa.select(Site), Site.id)
    return list(db.session.scalars(query.order_by(Site.name)))


def settings_of(site: Site) -> Settings:
    """Return the settings in force for a site: what its admins saved, over the defaults."""
    return schema.load(site.settings or {})


def changed(site: Site, changes: dict[str, Any]) -> Settings:
    """Return the site's settings with a validated change applied, not yet saved."""
    return schema.load({**schema.dump(settings_of(site)), **schema.dump(changes)})


def save(site: Site, settings: Settings) -> None:
    """Store settings in full, so what was saved is what stays in force."""
    site.settings = schema.dump(settings)


# The ids of the sites whose held comments are decided in their own tool, as a subquery:
# the queue asks it on every page, so the database answers it, not a load of every site.
# Saved settings are stored in full (save), and the default, "moderato", never matches.
MODERATED_ELSEWHERE = sa.select(Site.id).where(
    Site.settings["moderated_in"].as_string() == "client"
)


def issue_akismet_key(site: Site) -> str:
    """Give the site a new Akismet key, its previous one refused from now on; return it."""
    key, site.akismet_key_hash = credentials.issue_akismet_key(current_app.config["SECRET_KEY"])
    return key


@dataclass(frozen=True)
class Thresholds:
    """The scores that route a site's comments: spam at or above, trusted below."""

    spam: float | None  # None: no model serves and none is configured
    ham: float


def thresholds(settings: Settings) -> Thresholds:
    """Return a site's thresholds: its own spam threshold, else the service's, else the model's."""
    spam = settings.spam_threshold
    return Thresholds(spam if spam is not None else scoring.threshold(), settings.ham_threshold)


def thresholds_of(moderator: Moderator, site_ids: Iterable[int] | None = None) -> dict:
    """Return {site id: Thresholds} of the sites the moderator may see (of site_ids, if given)."""
    query = access.visible(moderator, sa.select(Site), Site.id)
    if site_ids is not None:
        query = query.where(Site.id.in_(set(site_ids)))
    return {site.id: thresholds(settings_of(site)) for site in db.session.scalars(query)}


def spam_threshold_sql(scope: dict[int, Thresholds], site_id: sa.ColumnElement) -> sa.ColumnElement:
    """Return SQL for the spam threshold of each row's site in scope (thresholds_of); else null.

    Null too for a site without one (no model serves and none is configured).
    """
    spam_at = {site: limits.spam for site, limits in scope.items() if limits.spam is not None}
    return sa.case(spam_at, value=site_id) if spam_at else sa.cast(sa.null(), sa.Float)
