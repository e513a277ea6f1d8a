"""One-click decisions from a digest: signed links naming one comment and one decision.

A link's token carries the moderator, the comment, the comment's version, the decision and
an expiry, signed with HMAC-SHA256 under SECRET_KEY (itsdangerous), so it needs no password
and cannot be altered or made up. It works once: it decides only the version it names, and
any change to the comment (this decision, another moderator's, a recheck) moves the version
on. It expires after DECISION_LINK_HOURS. And it decides only through a POST from its
confirmation page: mail scanners follow links in emails, so a GET never decides.

The decision is the moderator's own, recorded as if they had clicked in the console (a
label, undoable there); whether they may still see the comment is asked again when it is
taken, and a disabled moderator's links are refused.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from . import comments
from .clock import now
from .db import db
from .errors import Conflict, NotFound
from .tables import Comment, Moderator, Status

# What a link may decide: the two buttons of a digest.
DECISIONS = {"approve": Status.APPROVED, "spam": Status.SPAM}
# Keeps these tokens apart from anything else signed with SECRET_KEY (sessions, say).
SALT = "moderato.decision-link"


@dataclass(frozen=True)
class Link:
    """What a token says: who decides what on which version of a comment, until when."""

    moderator_id: int
    comment_id: int
    version: int
    decision: str
    expires_at: datetime


class Refused(Exception):
    """The link cannot decide; the message says why, for a person, and code is the HTTP status."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.message, self.code = message, code


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(
        current_app.config["SECRET_KEY"],
        salt=SALT,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def token(moderator: Moderator, comment: Comment, decision: str) -> str:
    """Sign a link for the moderator to take the decision on this version of the comment."""
    expires = now() + timedelta(hours=current_app.config["DECISION_LINK_HOURS"])
    fields = [moderator.id, comment.id, comment.version, decision, int(expires.timestamp())]
    return _serializer().dumps(fields)


def read(token: str) -> Link:
    """Return what a token signed here says, if it has not expired; Refused otherwise."""
    try:
        moderator_id, comment_id, version, decision, expires = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise Refused(
            "This link is not valid: it was altered or cut short. Open the whole link from "
            "the email, or find the comment in the console.",
            400,
        ) from None
    link = Link(moderator_id, comment_id, version, decision, datetime.fromtimestamp(expires, UTC))
    if now() >= link.expires_at:
        hours = current_app.config["DECISION_LINK_HOURS"]
        raise Refused(
            f"This link expired on {link.expires_at:%d %b %Y %H:%M} UTC: a digest's links "
            f"work for {hours:g} hours. Decide the comment in the console.",
            410,
        )
    return link


def check(link: Link) -> tuple[Moderator, Comment]:
    """Return the moderator and comment a link may still decide; Refused if it may not."""
    moderator = db.session.get(Moderator, link.moderator_id)
    if moderator is None or moderator.disabled_at is not None:
        raise Refused("This link's moderator is disabled: it decides nothing.", 403)
    try:
        comment = comments.get(moderator, link.comment_id)
    except NotFound:
        raise Refused("This comment is gone, or no longer yours to moderate.", 404) from None
    if comment.version != link.version:
        raise Refused(_changed(comment), 409)
    return moderator, comment


def decide(link: Link) -> tuple[Moderator, Comment]:
    """Take the link's decision as its moderator's own, once; Refused if it may not."""
    moderator, comment = check(link)
    try:
        target = DECISIONS[link.decision]
        return moderator, comments.moderate(moderator, comment.id, target, link.version)
    except Conflict:  # changed between check and commit: another decision won
        db.session.expire_all()
        raise Refused(_changed(comments.get(moderator, comment.id)), 409) from None


def _changed(comment: Comment) -> str:
    """Say that the link was used or overtaken, and where the comment stands now."""
    where = f"It is now {comment.status}"
    if comment.actions:
        last = comment.actions[-1]
        who = last.moderator.email if last.moderator else last.via
        where += f", by {who} on {last.created_at:%d %b %H:%M} UTC"
    return (
        "This link no longer works: it was used, or the comment changed since the email "
        f"was sent. {where}."
    )
