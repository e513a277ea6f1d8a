"""The moderator console at /moderate: server-rendered pages for people, not programs."""

from flask import Blueprint, Flask

bp = Blueprint("console", __name__, url_prefix="/moderate")

# Views register themselves on bp when imported.
from . import admin, auth, queue, reports, security, text  # noqa: E402, F401


def init_app(app: Flask) -> None:
    """Register the console blueprint, its template filters and its CSRF token helper."""
    app.register_blueprint(bp)
    text.init_app(app)
    security.init_app(app)
