"""Admin pages for the sites list, with their API keys shown once when made.

The moderators have console.people; a site's own settings and keys, console.site_settings.
"""

import sqlalchemy as sa
from flask import abort, g, render_template, request

from .. import access, credentials
from ..clock import now
from ..db import db
from ..sites import settings_of, thresholds, visible_to
from ..tables import Site
from .blueprint import bp
from .forms import NewSiteForm, load_form
from .login import admin_required


def _taken(model, column, value) -> bool:
    return db.session.scalar(sa.select(model.id).where(column == value)) is not None


@bp.route("/admin/sites", methods=["GET", "POST"])
@admin_required
def sites():
    """List sites; add one and show its API key once."""
    errors, status, new_key = {}, 200, None
    if request.method == "POST":
        # Sites are shared by the whole service: only an admin of every site adds one.
        if not access.may_manage(g.console_user, None):
            abort(403, description="Only an admin of every site may add sites.")
        data, errors = load_form(NewSiteForm(), request.form)
        if not errors and _taken(Site, Site.name, data["name"]):
            errors = {"name": ["A site with this name already exists."]}
        if not errors:
            new_key, key_id, key_hash = credentials.issue(credentials.SITE_PREFIX)
            db.session.add(
                Site(name=data["name"], key_id=key_id, key_hash=key_hash, created_at=now())
            )
            db.session.commit()
        status = 422 if errors else 201
    return _sites_page(status, errors, new_key)


def _sites_page(status: int, errors: dict, new_key: str | None = None):
    """Render the sites page: the sites, their thresholds, the add form, maybe a new key."""
    sites = visible_to(g.console_user)
    page = render_template(
        "console/sites.html",
        sites=sites,
        thresholds={site.id: thresholds(settings_of(site)) for site in sites},
        errors=errors,
        form=request.form,
        new_key=new_key,
        every_site=access.may_manage(g.console_user, None),
    )
    # The page may carry a secret: never let a proxy or the browser cache keep it.
    return page, status, {"Cache-Control": "no-store"}
