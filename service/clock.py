"""The app's clock: the time every request, rule and record agrees on (tests inject their own)."""

from datetime import datetime

from flask import current_app


def now() -> datetime:
    """Return the current time by the app's clock (CLOCK in the config)."""
    return current_app.config["CLOCK"]()
