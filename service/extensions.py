"""Extensions, created unbound here and bound to each app in the factory."""

import flask_smorest

api = flask_smorest.Api()
