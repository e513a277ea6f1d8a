"""A moderator's own account: their password, their console sessions and their API token;
and the page a password link opens, where they set a password without logging in."""

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for

from .. import credentials
from ..db import db
from ..tables import Moderator, Site
from . import accounts, passwords, sessions
from .blueprint import bp
from .forms import NewPasswordForm, PasswordChangeForm, load_form
from .login import login_required, password_attempt, retry_after, too_many


@bp.route("/me")
@login_required
def me():
    """Show the moderator's password form, sessions and whether they have an API token."""
    return _page(200)


@bp.route("/me/password", methods=["POST"])
@login_required
def change_password():
    """Change the password (the current one required); end every other session."""
    user = g.console_user
    data, errors = load_form(PasswordChangeForm(), request.form)
    if errors:
        return _page(422, errors)
    passed, wait = password_attempt(user.email, lambda: passwords.matches(user, data["current"]))
    if wait is not None:
        return _page(429, too_many(wait), retry_after(wait))
    if not passed:
        return _page(422, {"current": ["This is not your current password."]})
    passwords.set_password(user, data["password"])  # ends every session, this one too...
    sessions.start(user)  # ...and this browser begins a new one
    db.session.commit()
    flash("Password changed. Your other sessions are ended.")
    return redirect(url_for("console.me"))


@bp.route("/me/sessions/<session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: str):
    """End one of the moderator's sessions; ending this browser's own logs it out."""
    if not sessions.end(g.console_user, session_id):
        abort(404, description="You have no session by that id (it may have ended already).")
    db.session.commit()
    if session_id == sessions.current_id():
        return _logged_out("You are logged out.")
    flash("That session is ended: its browser is logged out on its next click.")
    return redirect(url_for("console.me"))


@bp.route("/me/sessions/end", methods=["POST"])
@login_required
def end_every_session():
    """End every session of the moderator, this one included."""
    sessions.end_all(g.console_user)
    db.session.commit()
    return _logged_out("You are logged out everywhere.")


@bp.route("/me/token", methods=["POST"])
@login_required
def new_token():
    """Give the moderator a new API token, shown once; the old one is refused at once."""
    token = accounts.issue_token(g.console_user)
    db.session.commit()
    return _page(201, new_token=token)


@bp.route("/me/token/revoke", methods=["POST"])
@login_required
def revoke_token():
    """Take the moderator's API token away."""
    accounts.revoke_token(g.console_user)
    db.session.commit()
    flash("Your API token is revoked: it no longer works.")
    return redirect(url_for("console.me"))


@bp.route("/password", methods=["GET", "POST"])
def set_password():
    """Show the form a password link opens; set the password it was given for (once).

    The token travels in the query string, which the access log leaves out (service.logs).
    """
    moderator = passwords.link_holder(request.args.get("token", ""))
    if moderator is None:
        abort(404, description=_LINK_REFUSED)
    errors, status = {}, 200
    if request.method == "POST":
        data, errors = load_form(NewPasswordForm(), request.form)
        if not errors:
            passwords.set_password(moderator, data["password"])
            db.session.commit()
            session.clear()  # whoever was logged in here before, this browser starts afresh
            flash("Your password is set. Log in with it.")
            return redirect(url_for("console.login"))
        status = 422
    page = render_template("console/set_password.html", moderator=moderator, errors=errors)
    return page, status, {"Cache-Control": "no-store"}


_LINK_REFUSED = (
    "This password link does not work: it was already used, has expired, or was copied "
    "wrongly. Ask an admin for a new one."
)


def _page(
    status: int,
    errors: dict | None = None,
    headers: dict | None = None,
    new_token: str | None = None,
):
    """Render the moderator's own page, maybe with a new token shown this once."""
    user: Moderator = g.console_user
    page = render_template(
        "console/me.html",
        sessions=sessions.live(user),
        this_session=sessions.current_id(),
        has_token=credentials.has_token(user),
        site=db.session.get_one(Site, user.site_id) if user.site_id else None,
        new_token=new_token,
        errors=errors or {},
        lifetime_hours=current_app.permanent_session_lifetime.total_seconds() / 3600,
    )
    # The page may carry a token: never let a proxy or the browser cache keep it.
    return page, status, {"Cache-Control": "no-store", **(headers or {})}


def _logged_out(message: str):
    """Forget this browser's session cookie and send it to the login page."""
    session.clear()
    flash(message)
    return redirect(url_for("console.login"))
