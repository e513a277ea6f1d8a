"""The console's error pages: HTML for people, where the API answers JSON."""

from flask import make_response, render_template, request
from werkzeug.exceptions import HTTPException

from .. import errors
from . import security
from .blueprint import bp
from .login import load_moderator


@bp.errorhandler(HTTPException)
def error_page(error: HTTPException):
    """Answer a console error with an HTML page, not the API's JSON."""
    return render_template("console/error.html", error=error), error.code


def error_by_path(error: HTTPException):
    """Answer a 404 or 405 with the console's page under /moderate, else the API's JSON."""
    path = request.path
    if path != bp.url_prefix and not path.startswith(f"{bp.url_prefix}/"):
        return errors.handle_http_exception(error)
    # No console route matched, so none of its request hooks ran: run the ones the page needs.
    load_moderator()
    return security.add_policy(make_response(error_page(error)))
