"""The moderator console at /moderate: server-rendered pages for people, not programs."""

from flask import Flask

# Every view module is imported so that its routes register on the blueprint; nothing else
# here names them, hence the lint exception.
from . import (  # noqa: F401
    admin,
    comment,
    errors,
    links,
    login,
    me,
    notifications,
    people,
    queue,
    reports,
    security,
    site_settings,
    text,
    webhooks,
)
from .blueprint import bp
from .passwords import check_cost


def init_app(app: Flask) -> None:
    """Register the console blueprint, its template filters and its CSRF token helper, once
    its password hashes' cost is known to be usable."""
    check_cost(app.config["PASSWORD_SCRYPT_N"])
    app.register_blueprint(bp)
    text.init_app(app)
    security.init_app(app)
    # A blueprint's handlers never see a URL that matched none of its routes, so
    # the app answers those; a handler for the code wins over the app's generic
    # HTTPException one (service.errors), to which error_by_path hands the rest.
    for code in (404, 405):
        app.register_error_handler(code, errors.error_by_path)
