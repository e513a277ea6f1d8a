"""Admin pages: moderators (with console passwords) and sites (with their API keys).

A site's own settings and keys have their page in site_settings.
"""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for

from .. import access, credentials
from ..clock import now
from ..db import db
from ..sites import settings_of, thresholds
from ..tables import Moderator, Site
from . import passwords
from .blueprint import bp
from .forms import NewModeratorForm, NewSiteForm, load_form
from .login import admin_required


def _sites() -> list[Site]:
    """The sites the logged-in admin may see, by name."""
    query = access.visible(g.console_user, sa.select(Site), Site.id)
    return list(db.session.scalars(query.order_by(Site.name)))


def _taken(model, column, value) -> bool:
    return db.session.scalar(sa.select(model.id).where(column == value)) is not None


@bp.route("/admin/moderators", methods=["GET", "POST"])
@admin_required
def moderators():
    """List moderators; add one with a console password."""
    errors, status = {}, 200
    if request.method == "POST":
        data, errors = load_form(NewModeratorForm(), request.form)
        if not errors and _taken(Moderator, Moderator.email, data["email"]):
            errors = {"email": ["A moderator with this email already exists."]}
        if not errors and not access.may_manage(g.console_user, data["site"]):
            errors = {"site": ["You may add moderators only for the sites you manage."]}
        if not errors and data["site"] is not None and db.session.get(Site, data["site"]) is None:
            errors = {"site": ["No such site."]}
        if not errors:
            _create_moderator(data)
            flash(f"Added {data['email']}. They can log in now.")
            return redirect(url_for("console.moderators"))
        status = 422
    rows = access.visible(g.console_user, sa.select(Moderator), Moderator.site_id)
    page = render_template(
        "console/moderators.html",
        moderators=list(db.session.scalars(rows.order_by(Moderator.email))),
        sites={site.id: site for site in _sites()},
        every_site=access.may_manage(g.console_user, None),
        errors=errors,
        form=request.form,
    )
    return page, status


def _create_moderator(data: dict) -> None:
    """Store a moderator; the API token is not shown (`flask moderators create` issues one)."""
    _token, key_id, key_hash = credentials.issue(credentials.MODERATOR_PREFIX)
    moderator = Moderator(
        email=data["email"],
        role=data["role"],
        site_id=data["site"],
        key_id=key_id,
        key_hash=key_hash,
        created_at=now(),
    )
    passwords.set_password(moderator, data["password"])
    db.session.add(moderator)
    db.session.commit()


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
    sites = _sites()
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
