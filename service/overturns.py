"""When the model was overturned: what it said, as configured for the comment's site, against
what the moderators finally decided. The API's drift and the console's stats both count here."""

from collections import Counter
from datetime import datetime

import sqlalchemy as sa

from . import labels, sites
from .db import db
from .tables import Comment, Status


def verdicts(
    scope: dict[int, sites.Thresholds], since: datetime | None = None, version: str | None = None
) -> Counter:
    """Count the decided comments of the sites in scope by (model said, moderators decided).

    scope maps each site id to its thresholds (sites.thresholds_of: a moderator's sites).
    Each side is "spam" or "ham": the model said spam when the comment's score reached
    its site's spam threshold; the moderators' latest decision is the truth, a
    confirmation of where the comment was routed included: of the model's own verdict it
    is agreement, never an overturn; of a rule's verdict the model scored otherwise it
    is the model's miss. Imported history is left out: the model routed none of it.
    since: only decisions from then on; version: only comments that model version scored.
    """
    threshold = sites.spam_threshold_sql(scope, Comment.site_id)
    decisions = labels.latest_decisions()
    said_spam = Comment.spam_score >= threshold
    is_spam = decisions.c.to_status == Status.SPAM
    said = {"spam": said_spam, "ham": ~said_spam}
    decided = {"spam": is_spam, "ham": ~is_spam}
    cells = {(m, h): sa.func.count().filter(said[m] & decided[h]) for m in said for h in decided}
    query = (
        sa.select(*cells.values())
        .select_from(Comment)
        .join(decisions, decisions.c.comment_id == Comment.id)
        # An imported comment was never routed here: the model said nothing to overturn.
        .where(Comment.spam_score.is_not(None), threshold.is_not(None))
        .where(Comment.import_source.is_(None))
    )
    if since is not None:
        query = query.where(decisions.c.decided_at >= since)
    if version is not None:
        query = query.where(Comment.model_version == version)
    counts = db.session.execute(query).one()
    return Counter(dict(zip(cells, counts, strict=True)))


def drift(counts: Counter, since: datetime | None) -> dict:
    """Summarise verdicts as the API's drift: false positives and negatives, and their rates."""
    flagged = counts["spam", "spam"] + counts["spam", "ham"]
    passed = counts["ham", "ham"] + counts["ham", "spam"]
    false_positives, false_negatives = counts["spam", "ham"], counts["ham", "spam"]
    reviewed = flagged + passed
    return {
        "since": since,
        "reviewed": reviewed,
        "false_positives": false_positives,
        "false_negatives": false_negatives,
        "false_positive_rate": false_positives / flagged if flagged else None,
        "false_negative_rate": false_negatives / passed if passed else None,
        "overturn_rate": (false_positives + false_negatives) / reviewed if reviewed else None,
    }
