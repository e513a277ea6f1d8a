"""The JSON API (v1): one blueprint per audience."""

import flask_smorest
from flask import request
from flask_smorest import abort
from webargs.flaskparser import FlaskParser

BEARER = [{"bearerAuth": []}]


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, letting each schema refuse unknown keys in any location.

    webargs would otherwise silently drop unknown query parameters.
    """

    ARGUMENTS_PARSER = FlaskParser(unknown=None)


def require_json() -> None:
    """Refuse a request body that is not declared as JSON (415)."""
    if request.method in ("POST", "PUT", "PATCH") and not request.is_json:
        abort(415, message="the body must be JSON, sent as Content-Type: application/json")
