"""CSRF tokens for every console POST, and the Content-Security-Policy of its pages."""

import hmac
import secrets

from flask import Flask, Response, abort, request, session

from .blueprint import bp

# No inline script or style anywhere: content that slips past escaping still cannot run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


@bp.before_request
def check_csrf() -> None:
    """Refuse (400) a console POST whose form field or header lacks the session's token."""
    if request.method != "POST":
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="The form has expired or did not come from this site. Reload it.")


@bp.after_request
def add_policy(response: Response) -> Response:
    """Give console HTML its own policy: scripts and styles from this origin only.

    A blueprint hook runs before the app's, which gives everything else (JSON) the
    stricter default of service.headers.
    """
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def init_app(app: Flask) -> None:
    """Offer csrf_token() to templates."""
    app.jinja_env.globals["csrf_token"] = csrf_token
