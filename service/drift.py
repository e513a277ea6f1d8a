"""How often moderators overturned the serving model since it was promoted."""

from datetime import datetime

import sqlalchemy as sa

from . import labels
from .db import db
from .models import Comment, Status


def overturns(
    version: str, threshold: float, since: datetime | None, site_id: int | None = None
) -> dict:
    """Count decided comments this version scored, by whether the moderator agreed.

    The model "said spam" when the score reached the threshold in force; the moderator's
    latest decision is the truth. A false positive is a ham the model called spam, a false
    negative a spam it let through. site_id limits the count to one site's comments.
    """
    decisions = labels.latest_decisions()
    said_spam = Comment.spam_score >= threshold
    is_spam = decisions.c.to_status == Status.SPAM
    query = (
        sa.select(
            sa.func.count(),
            sa.func.count().filter(said_spam),
            sa.func.count().filter(said_spam & ~is_spam),
            sa.func.count().filter(~said_spam & is_spam),
        )
        .select_from(Comment)
        .join(decisions, decisions.c.comment_id == Comment.id)
        .where(Comment.model_version == version, Comment.spam_score.is_not(None))
    )
    if since is not None:
        query = query.where(decisions.c.decided_at >= since)
    if site_id is not None:
        query = query.where(Comment.site_id == site_id)
    reviewed, flagged, false_positives, false_negatives = db.session.execute(query).one()
    passed = reviewed - flagged
    return {
        "since": since,
        "reviewed": reviewed,
        "false_positives": false_positives,
        "false_negatives": false_negatives,
        "false_positive_rate": false_positives / flagged if flagged else None,
        "false_negative_rate": false_negatives / passed if passed else None,
        "overturn_rate": (false_positives + false_negatives) / reviewed if reviewed else None,
    }
