"""Whether a comment may be stored at all, and what its author's earlier comments say."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from .db import db
from .errors import Conflict, Forbidden
from .models import Comment, Site, Status
from .settings import Settings


def admit(site: Site, settings: Settings, data: dict, now: datetime) -> None:
    """Refuse a comment on a closed post (Forbidden) or one already stored (Conflict)."""
    if is_closed(site, settings, data["post_id"], now):
        raise Forbidden("comments are closed on this post")
    if _is_duplicate(site, data):
        raise Conflict("duplicate comment: this author already posted this on this post")


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


# Built once: every submission runs it, and building the expression cost as much as running it.
_DUPLICATE = (
    sa.select(Comment.id)
    .where(
        Comment.site_id == sa.bindparam("site_id"),
        Comment.post_id == sa.bindparam("post_id"),
        Comment.author_email == sa.bindparam("author_email"),
        Comment.content == sa.bindparam("content"),
    )
    .limit(1)
)


def _is_duplicate(site: Site, data: dict) -> bool:
    """Whether the same author already posted the same content on the same post."""
    fields = ("post_id", "author_email", "content")
    found = db.session.scalar(_DUPLICATE, {"site_id": site.id, **{f: data[f] for f in fields}})
    return found is not None


# Built once, like _DUPLICATE: the routing rules ask it of most submissions.
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
