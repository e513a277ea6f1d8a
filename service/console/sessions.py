"""Console sessions: which moderator a session cookie speaks for, and ending them all at once.

The session is a signed cookie, valid until it expires wherever a copy of it
goes. So it carries the moderator's session version, compared with the row on
every request: raising the version refuses every cookie issued before, on every
worker, without a server-side store.
"""

from flask import session

from ..db import db
from ..tables import Moderator


def start(moderator: Moderator) -> None:
    """Begin a fresh session for the moderator (and a fresh CSRF token with it)."""
    session.clear()
    session["moderator_id"] = moderator.id
    session["session_version"] = moderator.session_version
    session.permanent = True


def current() -> Moderator | None:
    """Return the moderator whose live session this request carries, or None."""
    moderator_id = session.get("moderator_id")
    moderator = db.session.get(Moderator, moderator_id) if moderator_id is not None else None
    if moderator is None or not may_log_in(moderator):
        return None
    return moderator if session.get("session_version") == moderator.session_version else None


def may_log_in(moderator: Moderator) -> bool:
    """Say whether the moderator may hold a console session: a password set, not disabled."""
    return moderator.password_hash is not None and moderator.disabled_at is None


def end_all(moderator: Moderator) -> None:
    """End every console session of the moderator, in every browser (the caller commits)."""
    moderator.session_version = (moderator.session_version or 0) + 1
