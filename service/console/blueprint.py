"""The console's blueprint: every console view registers on it."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/moderate")
