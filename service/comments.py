"""Comments: submit, read the public thread, page through the queue, moderate."""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm

from . import rules, scoring
from .db import db
from .errors import Conflict, Invalid, NotFound
from .models import Comment, ModerationAction, Moderator, Site, Status

# What the classifier sees of a comment: no IP or user agent.
RECORD_FIELDS = ("content", "author_name", "author_email", "author_url", "post_id")


def now() -> datetime:
    """The app's clock (injected in tests)."""
    return current_app.config["CLOCK"]()


def submit(site: Site, data: dict) -> Comment:
    """Validate the parent, score, route and durably store a new comment."""
    if data["parent_id"] is not None:
        _check_parent(site, data["post_id"], data["parent_id"])
    score = scoring.score({field: data[field] for field in RECORD_FIELDS})
    status, reasons = rules.route(rules.Context(score, scoring.threshold()))
    comment = Comment(
        site_id=site.id,
        **data,
        status=status,
        spam_score=score.value,
        model_version=score.model_version,
        reasons=reasons,
        created_at=now(),
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def _check_parent(site: Site, post_id: str, parent_id: int) -> None:
    parent = db.session.get(Comment, parent_id)
    fits = (
        parent is not None
        and parent.site_id == site.id
        and parent.post_id == post_id
        and parent.status == Status.APPROVED
    )
    if not fits:
        raise Invalid("Must be an approved comment of the same post.", field="parent_id")


def public_thread(post_id: str, site_name: str | None = None) -> list[dict]:
    """The approved comments of a post, oldest first, replies nested under their parent."""
    query = sa.select(Comment).where(Comment.post_id == post_id, Comment.status == Status.APPROVED)
    if site_name is not None:
        query = query.join(Comment.site).where(Site.name == site_name)
    comments = db.session.scalars(query.order_by(Comment.created_at, Comment.id)).all()
    nodes = {c.id: {**_public_fields(c), "replies": []} for c in comments}
    roots = []
    for comment in comments:
        parent = nodes.get(comment.parent_id)
        # A reply whose parent is no longer published still shows, at the top level.
        (parent["replies"] if parent else roots).append(nodes[comment.id])
    return roots


def _public_fields(comment: Comment) -> dict:
    names = ("id", "post_id", "parent_id", "author_name", "author_url", "content", "created_at")
    return {name: getattr(comment, name) for name in names}


def _visible_to(moderator: Moderator, query: sa.Select) -> sa.Select:
    """Limit a comment query to the sites the moderator may see."""
    if moderator.site_id is None:
        return query
    return query.where(Comment.site_id == moderator.site_id)


_SORT_COLUMNS = {"spam_score": Comment.spam_score, "created_at": Comment.created_at}


def queue_page(
    moderator: Moderator, status: Status, sort: str, cursor: list | None, limit: int
) -> tuple[list[Comment], list | None]:
    """One keyset page of comments in a status, and the cursor of the next page.

    Unscored comments (no spam_score) come after all scored ones in either
    direction, so each segment is walked by its own index-friendly key.
    """
    descending = sort.startswith("-")
    column = _SORT_COLUMNS[sort.lstrip("-")]
    base = _visible_to(moderator, sa.select(Comment)).where(Comment.status == status)
    base = base.options(orm.joinedload(Comment.site, innerjoin=True))
    segments = [(column.is_not(None), (column, Comment.id))]
    if column.nullable:
        segments.append((column.is_(None), (Comment.id,)))
    start = 1 if cursor is not None and cursor[0] is None else 0
    rows: list[Comment] = []
    for index, (where, keys) in enumerate(segments[start:], start):
        query = base.where(where).order_by(*(k.desc() if descending else k for k in keys))
        if cursor is not None and index == start:
            values = cursor[-len(keys) :]
            key = sa.tuple_(*keys)
            last = sa.tuple_(*(sa.literal(v, k.type) for k, v in zip(keys, values, strict=True)))
            query = query.where(key < last if descending else key > last)
        rows += db.session.scalars(query.limit(limit + 1 - len(rows))).all()
        if len(rows) > limit:
            break
    if len(rows) <= limit:
        return rows, None
    last_row = rows[limit - 1]
    return rows[:limit], [getattr(last_row, column.key), last_row.id]


def get(moderator: Moderator, comment_id: int) -> Comment:
    """A comment the moderator may see, with its history loaded, or NotFound."""
    query = _visible_to(moderator, sa.select(Comment)).where(Comment.id == comment_id)
    query = query.options(orm.joinedload(Comment.site), orm.selectinload(Comment.actions))
    comment = db.session.scalar(query)
    if comment is None:
        raise NotFound(f"comment {comment_id} not found")
    return comment


def author_record(comment: Comment) -> dict[str, int]:
    """How many of the author's comments on this site were approved, rejected or spam."""
    counts = db.session.execute(
        sa.select(Comment.status, sa.func.count())
        .where(Comment.site_id == comment.site_id, Comment.author_email == comment.author_email)
        .group_by(Comment.status)
    ).all()
    by_status = dict(counts)
    return {s.value: by_status.get(s, 0) for s in (Status.APPROVED, Status.REJECTED, Status.SPAM)}


def moderate(
    moderator: Moderator, comment_id: int, target: Status, version: int | None = None
) -> Comment:
    """Move a comment to the target status, recording who did it; Conflict if beaten to it."""
    comment = get(moderator, comment_id)
    if version is not None and version != comment.version:
        raise Conflict(
            f"comment {comment_id} was changed by another moderator: it is now "
            f"{comment.status} (version {comment.version}, you sent {version})"
        )
    if comment.status == target:
        raise Conflict(f"comment {comment_id} is already {target}")
    db.session.add(
        ModerationAction(
            comment=comment,
            moderator=moderator,
            from_status=comment.status,
            to_status=target,
            created_at=now(),
        )
    )
    comment.status = target
    try:
        db.session.commit()
    except orm.exc.StaleDataError:
        db.session.rollback()
        raise Conflict(f"comment {comment_id} was changed by another moderator first") from None
    return comment


def moderate_many(moderator: Moderator, comment_ids: Sequence[int], target: Status) -> list[dict]:
    """Apply one decision to each comment in its own transaction; report each outcome."""
    results = []
    for comment_id in comment_ids:
        try:
            comment = moderate(moderator, comment_id, target)
        except (NotFound, Conflict) as error:
            results.append({"id": comment_id, "code": error.code, "error": error.message})
        else:
            results.append({"id": comment_id, "code": 200, "status": comment.status})
    return results
