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


def author_key(email: str, name: str) -> tuple[str, str]:
    """Who an author is to the trusted rule: the same email under the same name, in any case."""
    return email, name.casefold()


def previously_approved(site_id: int, email: str, name: str) -> bool:
    """Whether the email has an approved comment on the site under this name."""
    names = db.session.scalars(_APPROVED_NAMES, {"site_id": site_id, "email": email})
    return any(author_key(email, known) == author_key(email, name) for known in names)


def first_approvals(site_id: int, emails: sa.Select) -> dict[tuple[str, str], int]:
    """The id of each author's (author_key) first approved comment on the site, for these emails.

    previously_approved for many comments of the past at once (a replay): an author was
    previously approved at a comment when their first approval has a lower id.
    """
    query = (
        sa.select(Comment.author_email, Comment.author_name, sa.func.min(Comment.id))
        .where(
            Comment.site_id == site_id,
            Comment.status == Status.APPROVED,
            Comment.author_email.in_(emails),
        )
        .group_by(Comment.author_email, Comment.author_name)
    )
    first: dict[tuple[str, str], int] = {}
    for email, name, comment_id in db.session.execute(query):
        key = author_key(email, name)
        first[key] = min(comment_id, first.get(key, comment_id))
    return first
