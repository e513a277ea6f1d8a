"""A moderator's own email page: which sites' waiting comments to be mailed, and how often."""

import marshmallow as ma
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from .. import access, digests
from ..db import db
from ..errors import Invalid
from ..schemas import Id, Strict
from ..tables import Site
from .blueprint import bp
from .forms import load_form
from .login import login_required


class DigestForm(Strict):
    """One site's digest: on or off (off is sent blank), and how often."""

    site = Id(strict=False, required=True)
    enabled = ma.fields.Boolean(load_default=False)
    minutes = ma.fields.Integer(
        load_default=digests.DEFAULT_MINUTES,
        validate=ma.validate.Range(
            1, digests.MAX_MINUTES, error="From 1 to {max} minutes (or turn digests off)."
        ),
    )


@bp.route("/me/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    """Show each site's digest setting; save one site's."""
    errors, status = {}, 200
    if request.method == "POST":
        data, errors = load_form(DigestForm(), request.form)
        if not errors:
            site = db.session.get(Site, data["site"])
            if site is None or not access.may_see(g.console_user, site.id):
                abort(404)
            try:
                digests.subscribe(g.console_user, site, data["minutes"] if data["enabled"] else 0)
            except Invalid as error:
                errors = {error.field: [error.message]}
        if not errors:
            db.session.commit()
            flash(_saved(site.name, data["minutes"] if data["enabled"] else 0))
            return redirect(url_for("console.notifications"))
        status = 422
    page = render_template(
        "console/notifications.html",
        rows=digests.preferences(g.console_user),
        problem=digests.problem(current_app.config),
        max_minutes=digests.MAX_MINUTES,
        default_minutes=digests.DEFAULT_MINUTES,
        errors=errors,
        form=request.form,
    )
    return page, status


def _saved(site: str, minutes: int) -> str:
    """Say what was saved, in one sentence."""
    if not minutes:
        return f"No more digests of {site}."
    return f"Digests of {site}: at most one email every {minutes} minutes while comments wait."
