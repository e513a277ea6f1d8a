"""A moderator's account as admins change it, in the console and with `flask moderators`.

Each change has one function here, so the console and the command line cannot drift
apart on what, say, disabling a moderator means. The caller commits.
"""

from .. import credentials
from ..clock import now
from ..db import db
from ..tables import Moderator, Role
from . import sessions


def create(email: str, role: Role, site_id: int | None) -> Moderator:
    """Add a moderator with neither a console password nor an API token yet."""
    moderator = Moderator(email=email, role=role, site_id=site_id, created_at=now())
    credentials.revoke(moderator, credentials.MODERATOR_PREFIX)
    db.session.add(moderator)
    return moderator


def issue_token(moderator: Moderator) -> str:
    """Give the moderator a new API token, the old one refused at once; return it to show once."""
    return credentials.reissue(moderator, credentials.MODERATOR_PREFIX)


def revoke_token(moderator: Moderator) -> None:
    """Leave the moderator without an API token: the one they had is refused at once."""
    credentials.revoke(moderator, credentials.MODERATOR_PREFIX)


def disable(moderator: Moderator) -> None:
    """Refuse the moderator's token and end their console sessions; their decisions stay theirs."""
    moderator.disabled_at = moderator.disabled_at or now()
    sessions.end_all(moderator)


def enable(moderator: Moderator) -> None:
    """Let a disabled moderator use their token and log in again (afresh: sessions stay ended)."""
    moderator.disabled_at = None
