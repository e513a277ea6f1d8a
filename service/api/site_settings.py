"""The admin API: read and change a site's moderation settings."""

from flask import g
from flask_smorest import abort

from .. import access, sites
from ..bearer import moderator_required
from ..db import db
from ..errors import NotFound
from ..settings import Settings, SiteSettings, SiteSettingsChange
from ..tables import Role, Site
from . import BEARER, Blueprint, require_json

blp = Blueprint("admin", __name__, url_prefix="/api/v1", description="Configure sites (admins).")
blp.before_request(require_json)

_FORBIDDEN = {403: {"description": "The token is not an admin's."}}


def _site(name: str) -> Site:
    """The named site, if this admin may configure it; else 403 or NotFound."""
    admin = g.moderator
    if admin.role != Role.ADMIN:
        abort(403, message="only an admin may see or change site settings")
    site = sites.named(name)
    if site is None or not access.may_manage(admin, site.id):
        raise NotFound(f"site {name!r} not found")
    return site


def _save(site: Site, settings: Settings) -> Settings:
    """Store the site's new settings, recorded as this admin's through the API; answer with them."""
    sites.save(site, settings, g.moderator, "API")
    db.session.commit()
    return settings


@blp.route("/sites/<name>/settings")
@blp.doc(security=BEARER, responses=_FORBIDDEN)
@moderator_required
@blp.response(200, SiteSettings)
def get_settings(name):
    """Read a site's moderation settings, defaults included."""
    return sites.settings_of(_site(name))


@blp.route("/sites/<name>/settings", methods=["PUT"])
@blp.doc(security=BEARER, responses=_FORBIDDEN)
@moderator_required
@blp.arguments(SiteSettings)
@blp.response(200, SiteSettings)
def replace_settings(settings, name):
    """Replace a site's settings; keys left out go back to their defaults."""
    return _save(_site(name), settings)


@blp.route("/sites/<name>/settings", methods=["PATCH"])
@blp.doc(security=BEARER, responses=_FORBIDDEN)
@moderator_required
@blp.arguments(SiteSettingsChange)
@blp.response(200, SiteSettings)
def update_settings(changes, name):
    """Change some of a site's settings; the others keep their saved values."""
    site = _site(name)
    return _save(site, sites.changed(site, changes))
