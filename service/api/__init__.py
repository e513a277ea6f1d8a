"""The JSON API (v1): one blueprint per audience."""

import flask_smorest
import werkzeug.routing
from flask import request
from flask_smorest import abort
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.routing import BaseConverter, IntegerConverter

from ..schemas import MAX_ID

BEARER = [{"bearerAuth": []}]


class TextConverter(BaseConverter):
    """A URL segment of text: no control characters (a NUL would reach the database)."""

    regex = "[^/\x00-\x1f\x7f]+"


class PathConverter(werkzeug.routing.PathConverter):
    """A URL tail of text, slashes allowed, no control characters."""

    regex = "[^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*?"


class IdConverter(IntegerConverter):
    """A URL segment naming a row: an integer from 1 to MAX_ID, so it fits the column."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


class Parser(FlaskParser):
    """webargs' parser, also refusing an empty or too deeply nested body as not JSON."""

    def load_json(self, req, schema):
        """Parse the JSON body; 400 for an empty body or one the decoder cannot take."""
        if is_json_request(req) and not req.get_data(cache=True).strip():
            abort(400, message="the body is empty: send a JSON object")
        try:
            return super().load_json(req, schema)
        except RecursionError:
            abort(400, message="the JSON body is nested too deeply")
        except ValueError as error:  # e.g. an integer of more digits than Python converts
            abort(400, message=f"the JSON body cannot be read: {error}")


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, letting each schema refuse unknown keys in any location.

    webargs would otherwise silently drop unknown query parameters.
    """

    ARGUMENTS_PARSER = Parser(unknown=None)


def require_json() -> None:
    """Refuse a request body that is not declared as JSON (415)."""
    if request.method in ("POST", "PUT", "PATCH") and not request.is_json:
        abort(415, message="the body must be JSON, sent as Content-Type: application/json")
