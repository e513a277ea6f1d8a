"""Whether a comment may be stored at all, and what its author's earlier comments say."""

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa

from .db import db
from .errors import Forbidden
from .settings import Settings
from .tables import Comment, Site, Status


def admit(site: Site, settings: Settings, data: dict, now: datetime) -> None:
    """Refuse a comment on a closed post (Forbidden).

    A duplicate is refused when it is stored: the fingerprint's unique constraint
    decides, so two copies sent at once cannot both pass a check.
    """
    if is_closed(site, settings, data["post_id"], now):
        raise Forbidden("comments are closed on this post")


def is_closed(site: Site, settings: Settings, post_id: str, now: datetime) -> bool:
    """Whether the post is closed by hand, or its first comment is close_after_days old."""
    if post_id in settings.closed_posts:
        return True
    if settings.close_after_days is None:
        return False
    first = db.session.scalar(
        sa.select(sa.func.min(Comment.created_at)).where(
            Comment.site_id == site.id, Comment.post_id == post_id
        )
    )
    return first is not None and now - first >= timedelta(days=settings.close_after_days)


def fingerprint(site_id: int, post_id: str, author_email: str, content: str) -> str:
    """Return the key that makes a comment a duplicate: same site, post, author and words."""
    key = "\0".join((str(site_id), post_id, author_email, content))
    return hashlib.sha256(key.encode()).hexdigest()


# Built once: the routing rules ask it of most submissions.
_APPROVED_NAMES = (
    sa.select(Comment.author_name)
    .where(
        Comment.site_id == sa.bindparam("site_id"),
        Comment.author_email == sa.bindparam("email"),
        Comment.status == Status.APPROVED,
    )
    .distinct()
)
_APPROVED_NAMES_BEFORE = _APPROVED_NAMES.where(Comment.id < sa.bindparam("before_id"))


def previously_approved(site_id: int, email: str, name: str, before_id: int | None = None) -> bool:
    """Whether the email has an approved comment on the site under this name.

    With before_id, only comments stored before that one count (a replay of the past).
    """
    query = _APPROVED_NAMES if before_id is None else _APPROVED_NAMES_BEFORE
    params = {"site_id": site_id, "email": email, "before_id": before_id}
    names = db.session.scalars(query, params)
    return any(known.casefold() == name.casefold() for known in names)
