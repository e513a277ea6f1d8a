"""What the stats page counts: outcomes per day and scores (overturns counts the decisions)."""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from .. import access
from ..db import db
from ..tables import Comment, Moderator


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
