"""Console sessions: log in with email and password, log out, and the role checks."""

import functools
import math
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .. import addresses, ratelimit
from ..clock import now
from ..db import db
from ..tables import Moderator, Role
from . import passwords, sessions
from .blueprint import bp
from .forms import LoginForm, load_form


@bp.before_request
def load_moderator() -> None:
    """Find the logged-in moderator of this request, if any, as g.console_user."""
    g.console_user = sessions.current()


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
    plain = inside and target.isprintable() and "\\" not in target  # no CR/LF into a header
    return target if plain else url_for("console.queue")


# Failed logins allowed per client address and email in the window: plenty for
# typos, far too few to guess a password. Counting the pair, not the email alone,
# means guessing from elsewhere never locks the real moderator out; the looser
# per-address limit (LOGIN_FAILURES_PER_ADDRESS) stops one address trying many
# emails. Successful logins give their attempt back.
LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_SECONDS = 15 * 60


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; log in with email and password."""
    errors, status, headers = {}, 200, {}
    if request.method == "POST":
        data, errors = load_form(LoginForm(), request.form)
        status = 422 if errors else 401
        if not errors:
            email, password = data["email"], data["password"]
            passed, wait = password_attempt(email, lambda: _log_in(email, password))
            if passed:
                return redirect(safe_next(request.args.get("next")))
            if wait is not None:
                errors, status, headers = too_many(wait), 429, retry_after(wait)
            else:
                errors = {"_form": ["Wrong email or password."]}
    page = render_template("console/login.html", errors=errors, form=request.form)
    return page, status, headers


def password_attempt(email: str, check: Callable[[], bool]) -> tuple[bool, float | None]:
    """Run a password check counted as a login attempt with that email from this address.

    Returns (passed, None), or (False, seconds to wait) when this address and email
    have failed too often for the check to run at all. The login form and the
    moderator's own page (its current password) share these windows: a stolen
    session cannot guess the password faster than the login form allows.
    """
    limits = _limits(email)
    attempt = uuid.uuid4().hex
    wait = _reserve(limits, attempt)
    if wait is not None:
        return False, wait
    passed = check()
    if passed:
        _attempts().release([key for key, _ in limits], attempt)
    return passed, None


def too_many(wait: float) -> dict[str, list[str]]:
    """The form error when password attempts are refused for a while."""
    return {"_form": [f"Too many failed logins. Try again in {math.ceil(wait / 60)} min."]}


def retry_after(wait: float) -> dict[str, str]:
    """The Retry-After header for a wait in seconds."""
    return {"Retry-After": str(math.ceil(wait))}


def _limits(email: str) -> list[tuple[str, int]]:
    """The windows a login attempt counts in, with their limits (by the proxy-aware address,
    an IPv6 client by its /64 as everywhere else)."""
    address = addresses.client(request.remote_addr)
    return [
        (f"login:pair:{email.casefold()}:{address}", LOGIN_ATTEMPTS),
        (f"login:ip:{address}", current_app.config["LOGIN_FAILURES_PER_ADDRESS"]),
    ]


def _reserve(limits: list[tuple[str, int]], attempt: str) -> float | None:
    """Count the attempt in every window; if one is full, count it in none and return the wait."""
    taken = []
    for key, limit in limits:
        wait = _attempts().reserve([key], limit, LOGIN_WINDOW_SECONDS, now().timestamp(), attempt)
        if wait is not None:
            _attempts().release(taken, attempt)
            return wait
        taken.append(key)
    return None


def _attempts() -> ratelimit.Windows:
    """The rate-limit store (Redis when configured), so every worker counts the same attempts."""
    return current_app.extensions["moderato.ratelimit"]


def _log_in(email: str, password: str) -> bool:
    """Start a session for the moderator if the password is theirs."""
    moderator = db.session.scalar(sa.select(Moderator).where(Moderator.email == email))
    if not passwords.matches(moderator, password) or not sessions.may_log_in(moderator):
        return False
    sessions.start(moderator)
    db.session.commit()
    return True


@bp.route("/logout", methods=["POST"])
def logout():
    """End this browser's session, so a copy of its cookie dies with it; others stay open."""
    if g.console_user is not None:
        sessions.end(g.console_user, sessions.current_id())
        db.session.commit()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("console.login"))
