"""What the stats page counts: outcomes per day, scores, and decisions against the model."""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from .. import access
from ..db import db
from ..models import Comment, ModerationAction, Moderator, Status


def days_between(start: date, end: date) -> list[date]:
    """Every day from start to end, inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def outcomes_per_day(moderator: Moderator, since: datetime) -> dict[date, Counter]:
    """How many comments received each day now stand in each status."""
    rows = db.session.execute(
        access.visible(moderator, sa.select(Comment.created_at, Comment.status)).where(
            Comment.created_at >= since
        )
    )
    per_day: dict[date, Counter] = defaultdict(Counter)
    for created_at, status in rows:
        per_day[created_at.date()][status] += 1
    return per_day


def scores(moderator: Moderator, since: datetime) -> list[float]:
    """The spam scores of the comments received since then (unscored ones left out)."""
    query = sa.select(Comment.spam_score).where(
        Comment.created_at >= since, Comment.spam_score.is_not(None)
    )
    return list(db.session.scalars(access.visible(moderator, query)))


def overturns(moderator: Moderator, since: datetime) -> Counter:
    """Decided comments by how the model routed them and how the moderators finally judged.

    The model "said spam" when it routed the comment to spam (the first action starts
    there); the moderators' verdict is the comment's current decided status.
    """
    first = (
        sa.select(ModerationAction.comment_id, sa.func.min(ModerationAction.id).label("id"))
        .group_by(ModerationAction.comment_id)
        .subquery()
    )
    query = (
        sa.select(ModerationAction.from_status, Comment.status)
        .join(first, first.c.id == ModerationAction.id)
        .join(Comment, Comment.id == ModerationAction.comment_id)
        .where(ModerationAction.created_at >= since, Comment.status != Status.PENDING)
    )
    counts: Counter = Counter()
    for routed, decided in db.session.execute(access.visible(moderator, query)):
        model = "spam" if routed == Status.SPAM else "ham"
        human = "spam" if decided == Status.SPAM else "ham"
        counts[model, human] += 1
    return counts
