"""Console sessions: one row per login, which the signed cookie names and every request checks.

The cookie holds only the id of a row in console_sessions. Every console request
reads that row, so deleting it (logging out, "end this session" on the
moderator's own page, a password change, disabling) refuses that cookie and
every copy of it at once, on every worker, while the moderator's other
browsers stay logged in unless they are ended too.
"""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request, session

from ..clock import now
from ..db import db
from ..logs import client_network
from ..tables import ConsoleSession, Moderator

# The key of the session row's id in the signed cookie.
COOKIE_KEY = "console_session"
# A session's last_seen_at is written at most this often: a click a minute is enough to
# tell browsers apart, and most clicks then cost no write.
TOUCH_SECONDS = 60


def start(moderator: Moderator) -> ConsoleSession:
    """Begin a fresh session for the moderator in this browser (the caller commits)."""
    # A session this browser held before is over, not left listed until it lapses.
    db.session.execute(sa.delete(ConsoleSession).where(ConsoleSession.id == current_id()))
    session.clear()  # a fresh CSRF token and nothing left over from before
    moment = now()
    _forget_lapsed(moderator, moment)
    row = ConsoleSession(
        id=secrets.token_urlsafe(24),
        moderator_id=moderator.id,
        created_at=moment,
        last_seen_at=moment,
        user_agent=_printable(request.user_agent.string)[:300] or None,
        network=client_network(),
    )
    db.session.add(row)
    session[COOKIE_KEY] = row.id
    session.permanent = True
    return row


def current() -> Moderator | None:
    """Return the moderator whose live session this request carries, or None."""
    session_id = session.get(COOKIE_KEY)
    if not isinstance(session_id, str):
        return None
    found = db.session.execute(
        sa.select(ConsoleSession, Moderator)
        .join(Moderator, ConsoleSession.moderator_id == Moderator.id)
        .where(ConsoleSession.id == session_id)
    ).first()
    if found is None:
        return None
    row, moderator = found
    moment = now()
    if row.last_seen_at <= _oldest(moment) or not may_log_in(moderator):
        return None
    _touch(row, moment)
    return moderator


def current_id() -> str | None:
    """The id of this browser's session row (checked by current() earlier in the request)."""
    return session.get(COOKIE_KEY)


def may_log_in(moderator: Moderator) -> bool:
    """Say whether the moderator may hold a console session: a password set, not disabled."""
    return moderator.password_hash is not None and moderator.disabled_at is None


def live(moderator: Moderator) -> list[ConsoleSession]:
    """The moderator's sessions that still let a browser in, the most recently used first."""
    rows = db.session.scalars(
        sa.select(ConsoleSession)
        .where(
            ConsoleSession.moderator_id == moderator.id,
            ConsoleSession.last_seen_at > _oldest(now()),
        )
        .order_by(ConsoleSession.last_seen_at.desc(), ConsoleSession.created_at.desc())
    )
    return list(rows)


def live_counts() -> dict[int, int]:
    """How many live sessions each moderator with any has."""
    rows = db.session.execute(
        sa.select(ConsoleSession.moderator_id, sa.func.count())
        .where(ConsoleSession.last_seen_at > _oldest(now()))
        .group_by(ConsoleSession.moderator_id)
    )
    return dict(rows.all())


def end(moderator: Moderator, session_id: str) -> bool:
    """End one of the moderator's sessions; False if they have none by that id (caller commits)."""
    ended = db.session.execute(
        sa.delete(ConsoleSession).where(
            ConsoleSession.id == session_id, ConsoleSession.moderator_id == moderator.id
        )
    )
    return ended.rowcount > 0


def end_all(moderator: Moderator) -> None:
    """End every console session of the moderator, in every browser (the caller commits).

    The session version goes up too: a password link issued before (console.passwords)
    is bound to it, so a link handed out before the sessions were ended dies with them.
    """
    db.session.execute(sa.delete(ConsoleSession).where(ConsoleSession.moderator_id == moderator.id))
    moderator.session_version = (moderator.session_version or 0) + 1


def _oldest(moment: datetime) -> datetime:
    """The last_seen_at at or before which a session has lapsed at that moment, as a cookie has."""
    return moment - current_app.permanent_session_lifetime


def _touch(row: ConsoleSession, moment: datetime) -> None:
    """Record that the session was used now, if it was not recorded in the last minute."""
    if moment - row.last_seen_at < timedelta(seconds=TOUCH_SECONDS):
        return
    row.last_seen_at = moment
    db.session.commit()


def _forget_lapsed(moderator: Moderator, moment: datetime) -> None:
    """Delete the moderator's lapsed sessions, so the table holds only live ones and a few."""
    db.session.execute(
        sa.delete(ConsoleSession).where(
            ConsoleSession.moderator_id == moderator.id,
            ConsoleSession.last_seen_at <= _oldest(moment),
        )
    )


def _printable(text: str) -> str:
    """The text without control characters: a header may carry a NUL no database stores."""
    return "".join(character for character in text if character.isprintable())
