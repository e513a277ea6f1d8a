"""Admin pages for sites, with their API keys (console.people has the moderators)."""

import marshmallow as ma
import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for

from .. import access, credentials, scoring
from .. import settings as schema
from ..clock import now
from ..db import db
from ..sites import changed, issue_akismet_key, save, settings_of
from ..tables import Site
from .blueprint import bp
from .forms import NewSiteForm, load_form
from .login import admin_required


def _sites() -> list[Site]:
    """The sites the logged-in admin may see, by name."""
    query = access.visible(g.console_user, sa.select(Site), Site.id)
    return list(db.session.scalars(query.order_by(Site.name)))


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


def _sites_page(
    status: int,
    errors: dict,
    new_key: str | None = None,
    edited: int | None = None,
    new_akismet: tuple[Site, str] | None = None,
):
    """Render the sites page: the sites, their thresholds, the add form, maybe a new key."""
    sites = _sites()
    page = render_template(
        "console/sites.html",
        sites=sites,
        settings={site.id: settings_of(site) for site in sites},
        errors=errors,
        edited=edited,
        form=request.form,
        new_key=new_key,
        new_akismet=new_akismet,
        threshold=scoring.threshold(),
        every_site=access.may_manage(g.console_user, None),
    )
    # The page may carry a secret: never let a proxy or the browser cache keep it.
    return page, status, {"Cache-Control": "no-store"}


def _managed_site(site_id: int) -> Site:
    """The site the logged-in admin manages; 404 for any other, not even saying it exists."""
    site = db.session.get(Site, site_id)
    if site is None or not access.may_manage(g.console_user, site.id):
        abort(404)
    return site


@bp.route("/admin/sites/<id:site_id>/thresholds", methods=["POST"])
@admin_required
def site_thresholds(site_id):
    """Set a site's spam and ham thresholds (a blank spam threshold: the service's)."""
    site = _managed_site(site_id)
    spam = request.form.get("spam_threshold", "").strip()
    changes = {"spam_threshold": spam or None, "ham_threshold": request.form.get("ham_threshold")}
    try:
        save(site, changed(site, schema.load_changes(changes)))
    except ma.ValidationError as error:
        return _sites_page(422, error.normalized_messages(), edited=site.id)
    db.session.commit()
    flash(f"Saved the thresholds of {site.name}.")
    return redirect(url_for("console.sites"))


@bp.route("/admin/sites/<id:site_id>/akismet-key", methods=["POST"])
@admin_required
def site_akismet_key(site_id):
    """Give a site a new Akismet key, shown once; the old one stops working at once."""
    site = _managed_site(site_id)
    if request.form.get("confirm") != "yes":
        errors = {"confirm": ["Tick the box: the site's current Akismet key stops working."]}
        return _sites_page(422, errors, edited=site.id)
    key = issue_akismet_key(site)
    db.session.commit()
    return _sites_page(201, {}, new_akismet=(site, key))
