"""Admin pages for people: add moderators, change their role and sites, disable or re-enable
them, hand them a link to set a password, and give them a new API token.

Who may do what is service.access's answer: an admin changes only the moderators of the
sites they manage, and gives only those sites (may_manage_moderator, may_manage).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from .. import access, credentials, sites
from ..db import db
from ..tables import Moderator, Site
from . import accounts, passwords, sessions
from .blueprint import bp
from .forms import NewModeratorForm, RoleForm, load_form
from .login import admin_required


@dataclass
class Secret:
    """A secret for one moderator, shown on the page this once and never stored in the clear."""

    moderator: Moderator
    kind: str  # "token" or "link"
    value: str


@bp.route("/admin/moderators", methods=["GET", "POST"])
@admin_required
def moderators():
    """List the moderators the admin manages; add one with a password or a link to set one."""
    if request.method == "GET":
        return _page(200)
    data, errors = load_form(NewModeratorForm(), request.form)
    if not errors and _email_taken(data["email"]):
        errors = {"email": ["A moderator with this email already exists."]}
    errors = errors or _refused_site(data["site"])
    if errors:
        return _page(422, errors)
    moderator = accounts.create(data["email"], data["role"], data["site"])
    if data["password"] is None:
        db.session.commit()
        return _page(201, shown=_password_link(moderator))
    passwords.set_password(moderator, data["password"])
    db.session.commit()
    flash(f"Added {moderator.email}. They can log in now.")
    return redirect(url_for("console.moderators"))


@bp.route("/admin/moderators/<id:moderator_id>", methods=["POST"])
@admin_required
def moderator_role(moderator_id):
    """Give a moderator another role or other sites."""
    moderator = _managed(moderator_id)
    data, errors = load_form(RoleForm(), request.form)
    errors = errors or _refused_site(data["site"])
    if errors:
        return _page(422, errors, edited=moderator.id)
    moderator.role, moderator.site_id = data["role"], data["site"]
    db.session.commit()
    flash(f"{moderator.email} is now {moderator.role} of {_scope(moderator)}.")
    return redirect(url_for("console.moderators"))


@bp.route("/admin/moderators/<id:moderator_id>/disable", methods=["POST"])
@admin_required
def moderator_disable(moderator_id):
    """Disable a moderator: their console sessions end and their token is refused at once."""
    moderator = _managed(moderator_id)
    accounts.disable(moderator)
    db.session.commit()
    flash(f"Disabled {moderator.email}: logged out everywhere, API token refused.")
    return redirect(url_for("console.moderators"))


@bp.route("/admin/moderators/<id:moderator_id>/enable", methods=["POST"])
@admin_required
def moderator_enable(moderator_id):
    """Let a disabled moderator log in and use their token again."""
    moderator = _managed(moderator_id)
    accounts.enable(moderator)
    db.session.commit()
    flash(f"Enabled {moderator.email}: they can log in again.")
    return redirect(url_for("console.moderators"))


@bp.route("/admin/moderators/<id:moderator_id>/password-link", methods=["POST"])
@admin_required
def moderator_password_link(moderator_id):
    """Show a one-time link through which the moderator sets a new password."""
    moderator = _managed(moderator_id)
    if moderator.disabled_at is not None:
        errors = {"link": ["Enable them first: a disabled moderator cannot set a password."]}
        return _page(422, errors, edited=moderator.id)
    return _page(201, shown=_password_link(moderator))


@bp.route("/admin/moderators/<id:moderator_id>/token", methods=["POST"])
@admin_required
def moderator_token(moderator_id):
    """Give a moderator a new API token, shown once; the old one is refused at once."""
    moderator = _managed(moderator_id)
    token = accounts.issue_token(moderator)
    db.session.commit()
    return _page(201, shown=Secret(moderator, "token", token))


def _managed(moderator_id: int) -> Moderator:
    """The moderator the admin may change; 404 for any other, not even saying it exists."""
    moderator = db.session.get(Moderator, moderator_id)
    if moderator is None or not access.may_manage_moderator(g.console_user, moderator):
        abort(404, description="There is no moderator here that you may change.")
    return moderator


def _email_taken(email: str) -> bool:
    return db.session.scalar(sa.select(Moderator.id).where(Moderator.email == email)) is not None


def _refused_site(site_id: int | None) -> dict[str, list[str]]:
    """Why the admin may not give these sites (None: every site), or no errors."""
    if not access.may_manage(g.console_user, site_id):
        return {"site": ["You may add or move moderators only for the sites you manage."]}
    if site_id is not None and db.session.get(Site, site_id) is None:
        return {"site": ["No such site."]}
    return {}


def _password_link(moderator: Moderator) -> Secret:
    """A link for the moderator to set a password with, to hand over."""
    token = passwords.link_token(moderator)
    return Secret(moderator, "link", url_for("console.set_password", token=token, _external=True))


def _scope(moderator: Moderator) -> str:
    """The sites a moderator works on, in words."""
    return db.session.get(Site, moderator.site_id).name if moderator.site_id else "all sites"


def _page(
    status: int, errors: dict | None = None, edited: int | None = None, shown: Secret | None = None
):
    """Render the moderators page: who, their state, the forms, maybe a secret shown once."""
    rows = access.visible(g.console_user, sa.select(Moderator), Moderator.site_id)
    page = render_template(
        "console/moderators.html",
        moderators=list(db.session.scalars(rows.order_by(Moderator.email))),
        sites=sites.visible_to(g.console_user),
        every_site=access.may_manage(g.console_user, None),
        may_change=lambda moderator: access.may_manage_moderator(g.console_user, moderator),
        has_token=credentials.has_token,
        live_sessions=sessions.live_counts(),
        link_hours=current_app.config["PASSWORD_LINK_HOURS"],
        errors=errors or {},
        edited=edited,
        form=request.form if edited is None else {},
        shown=shown,
    )
    # The page may carry a secret: never let a proxy or the browser cache keep it.
    return page, status, {"Cache-Control": "no-store"}
