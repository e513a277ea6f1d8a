"""Sites: find one by name, read its settings, save them and its keys (recorded), its thresholds."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from . import access, credentials, scoring
from . import settings as schema
from .clock import now
from .db import db
from .settings import Settings
from .tables import Moderator, Site, SiteSettingChange

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


def save(site: Site, settings: Settings, by: Moderator | None, via: str) -> dict[str, dict]:
    """Store settings in full and record the change: who made it, through what, from what to what.

    Stored in full, so what was saved is what stays in force. Returns the change,
    {key: {"from": old, "to": new}}; an empty one (nothing differs) is not recorded.
    """
    changes = differences(settings_of(site), settings)
    site.settings = schema.dump(settings)
    _record(site, changes, by, via)
    return changes


def differences(before: Settings, after: Settings) -> dict[str, dict]:
    """Return {key: {"from": old, "to": new}} of the settings that differ, as JSON-ready data."""
    old, new = schema.dump(before), schema.dump(after)
    return {key: {"from": old[key], "to": value} for key, value in new.items() if old[key] != value}


def rotate_api_key(site: Site, by: Moderator | None, via: str) -> str:
    """Give the site a new API key, its old one refused from now on; record it; return the key."""
    old = site.key_id
    key = credentials.reissue(site, credentials.SITE_PREFIX)
    _record(site, {"api_key": {"from": old, "to": site.key_id}}, by, via)
    return key


def issue_akismet_key(site: Site, by: Moderator | None, via: str) -> str:
    """Give the site a new Akismet key, its previous one refused from now on; record it; return it.

    The record says only that a key was replaced: an Akismet key has no public part.
    """
    old = "a key" if site.akismet_key_hash is not None else None
    key, site.akismet_key_hash = credentials.issue_akismet_key(current_app.config["SECRET_KEY"])
    _record(site, {"akismet_key": {"from": old, "to": "a new key"}}, by, via)
    return key


def _record(site: Site, changes: dict[str, dict], by: Moderator | None, via: str) -> None:
    """Record a change to the site's settings or keys (in the session), if anything changed."""
    if changes:
        db.session.add(
            SiteSettingChange(
                site_id=site.id,
                moderator_id=by.id if by is not None else None,
                via=via,
                created_at=now(),
                changes=changes,
            )
        )


def history(site: Site, limit: int) -> list[SiteSettingChange]:
    """The site's latest recorded changes, newest first (their moderators loaded)."""
    query = sa.select(SiteSettingChange).where(SiteSettingChange.site_id == site.id)
    return list(db.session.scalars(query.order_by(SiteSettingChange.id.desc()).limit(limit)))


# The ids of the sites whose held comments are decided in their own tool, as a subquery:
# the queue asks it on every page, so the database answers it, not a load of every site.
# Saved settings are stored in full (save), and the default, "moderato", never matches.
MODERATED_ELSEWHERE = sa.select(Site.id).where(
    Site.settings["moderated_in"].as_string() == "client"
)


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
