"""Extensions, created unbound here and bound to each app in the factory."""

import flask_smorest

from .errors import ErrorBody


class Api(flask_smorest.Api):
    """flask-smorest's Api, documenting errors in the shape errors.py gives them."""

    ERROR_SCHEMA = ErrorBody


api = Api()
