"""Training labels: each comment's latest moderator decision, oldest decision first."""

from datetime import datetime

import sqlalchemy as sa

from model.corpora import RECORD_FIELDS

from .tables import Comment, ModerationAction, Status

# A moderator's decision is the label: spam is spam, a human comment (published or not) is
# ham. Sending a comment back to pending withdraws the decision, so it is no label.
LABELS = {Status.SPAM: "spam", Status.APPROVED: "ham", Status.REJECTED: "ham"}


def _standing() -> sa.ColumnElement[bool]:
    """An action that still stands: neither an undo nor a decision that was undone."""
    undone = sa.select(ModerationAction.undoes_id).where(ModerationAction.undoes_id.is_not(None))
    return ModerationAction.undoes_id.is_(None) & ModerationAction.id.not_in(undone)


def latest_decisions() -> sa.Subquery:
    """Each decided comment's latest standing action: comment_id, to_status, decided_at.

    Machine routing writes no action, so a comment nobody reviewed never appears; an undone
    decision and its undo are passed over, so the decision before them (if any) counts.
    """
    latest = (
        sa.select(sa.func.max(ModerationAction.id).label("id"))
        .where(_standing())
        .group_by(ModerationAction.comment_id)
        .subquery()
    )
    return (
        sa.select(
            ModerationAction.comment_id,
            ModerationAction.to_status,
            ModerationAction.created_at.label("decided_at"),
            ModerationAction.id.label("action_id"),
        )
        .join(latest, latest.c.id == ModerationAction.id)
        .where(ModerationAction.to_status.in_(list(LABELS)))
        .subquery("decisions")
    )


def labelled_query(newest: int | None = None) -> sa.Select:
    """Select the record fields, label and decision time of labelled comments, newest first.

    newest: only that many, the most recently decided.
    """
    decisions = latest_decisions()
    return (
        sa.select(
            *(getattr(Comment, name) for name in RECORD_FIELDS),
            decisions.c.to_status,
            decisions.c.decided_at,
        )
        .join(decisions, decisions.c.comment_id == Comment.id)
        .order_by(decisions.c.decided_at.desc(), decisions.c.action_id.desc())
        .limit(newest)
    )


def count(connection: sa.Connection) -> int:
    """Return how many comments carry a label."""
    return connection.scalar(sa.select(sa.func.count()).select_from(latest_decisions()))


def load(connection: sa.Connection, newest: int | None = None) -> list[dict]:
    """Return labelled comments as training records, oldest decision first.

    Core rows streamed in batches, not ORM objects: a retrain reads up to every label made.
    """
    # On the statement, not the connection: a connection option would outlive this query.
    result = connection.execute(labelled_query(newest).execution_options(yield_per=5000))
    records = []
    for row in result:
        record = {name: getattr(row, name) for name in RECORD_FIELDS}
        record["label"] = LABELS[Status(row.to_status)]
        record["decided_at"] = row.decided_at
        records.append(record)
    records.reverse()
    return records


def mark(connection: sa.Connection) -> int:
    """Return the newest moderation action's id (0 before any): a later decision is new."""
    return connection.scalar(sa.select(sa.func.coalesce(sa.func.max(ModerationAction.id), 0)))


def new_since(connection: sa.Connection, mark: int) -> tuple[int, datetime | None]:
    """Count the labels whose latest decision came after action `mark`; say when the oldest was.

    A comment whose latest action came after mark has it as its newest action after mark, so
    only actions after mark are read: a range of the primary key, however long the history.
    """
    latest = (
        sa.select(sa.func.max(ModerationAction.id).label("id"))
        .where(ModerationAction.id > mark, _standing())
        .group_by(ModerationAction.comment_id)
        .subquery()
    )
    query = (
        sa.select(sa.func.count(), sa.func.min(ModerationAction.created_at))
        .join(latest, latest.c.id == ModerationAction.id)
        .where(ModerationAction.to_status.in_(list(LABELS)))
    )
    count, oldest = connection.execute(query).one()
    return count, oldest
