"""Console sessions: log in with email and password, log out, and the role checks."""

import functools
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from ..db import db
from ..models import Moderator, Role
from . import bp, passwords
from .forms import LoginForm, load_form


@bp.before_request
def load_moderator() -> None:
    """Find the logged-in moderator of this request, if any, as g.console_user."""
    moderator_id = session.get("moderator_id")
    user = db.session.get(Moderator, moderator_id) if moderator_id is not None else None
    # A moderator whose password was removed is logged out everywhere.
    g.console_user = user if user is not None and user.password_hash else None


def login_required(view):
    """Send visitors without a session to the login page, then back here."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.console_user is None:
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """Let only admins through (403 for other moderators)."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if g.console_user.role != Role.ADMIN:
            abort(403, description="Only admins may manage moderators and sites.")
        return view(*args, **kwargs)

    return wrapper


def safe_next(target: str | None) -> str:
    """A redirect target inside the console, never another site (open-redirect guard)."""
    parts = urlsplit(target or "")
    inside = not parts.scheme and not parts.netloc and parts.path.startswith("/moderate")
    return target if inside and "\\" not in target else url_for("console.queue")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; log in with email and password."""
    errors = {}
    if request.method == "POST":
        data, errors = load_form(LoginForm(), request.form)
        if not errors:
            query = sa.select(Moderator).where(Moderator.email == data["email"])
            moderator = db.session.scalar(query)
            if passwords.matches(moderator, data["password"]):
                session.clear()  # a fresh session, and a fresh CSRF token, for the new user
                session["moderator_id"] = moderator.id
                session.permanent = True
                return redirect(safe_next(request.args.get("next")))
            errors = {"_form": ["Wrong email or password."]}
    status = 200 if not errors else 401 if "_form" in errors else 422
    return render_template("console/login.html", errors=errors, form=request.form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session."""
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("console.login"))


@bp.errorhandler(HTTPException)
def error_page(error: HTTPException):
    """Answer a console error with an HTML page, not the API's JSON."""
    return render_template("console/error.html", error=error), error.code
