"""Training labels: each comment's latest moderator decision, oldest decision first."""

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa

from model.corpora import RECORD_FIELDS

from .tables import Comment, ModerationAction, Status

# A moderator's decision is the label: spam is spam, a human comment (published or not) is
# ham. Sending a comment back to pending withdraws the decision, so it is no label.
LABELS = {Status.SPAM: "spam", Status.APPROVED: "ham", Status.REJECTED: "ham"}


def _standing(upto: int | None = None) -> sa.ColumnElement[bool]:
    """An action that still stands: neither an undo nor a decision that was undone.

    upto: as of that action, later actions (and undos) unseen.
    """
    undone = sa.select(ModerationAction.undoes_id).where(ModerationAction.undoes_id.is_not(None))
    standing = ModerationAction.undoes_id.is_(None)
    if upto is not None:
        undone = undone.where(ModerationAction.id <= upto)
        standing &= ModerationAction.id <= upto
    return standing & ModerationAction.id.not_in(undone)


def latest_decisions(upto: int | None = None) -> sa.Subquery:
    """Each decided comment's latest standing action: comment_id, to_status, decided_at.

    Machine routing writes no action, so a comment nobody reviewed never appears; an undone
    decision and its undo are passed over, so the decision before them (if any) counts.
    upto: as of that action (a mark), so later decisions change nothing.
    """
    latest = (
        sa.select(sa.func.max(ModerationAction.id).label("id"))
        .where(_standing(upto))
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


def labelled_query(upto: int | None = None) -> sa.Select:
    """Select the record fields, label and decision time of labelled comments, oldest first.

    upto: as of that action (a mark).
    """
    decisions = latest_decisions(upto)
    return (
        sa.select(
            *(getattr(Comment, name) for name in RECORD_FIELDS),
            decisions.c.to_status,
            decisions.c.decided_at,
        )
        .join(decisions, decisions.c.comment_id == Comment.id)
        .order_by(decisions.c.decided_at, decisions.c.action_id)
    )


def count(connection: sa.Connection, upto: int | None = None) -> int:
    """Return how many comments carry a label (as of action upto)."""
    return connection.scalar(sa.select(sa.func.count()).select_from(latest_decisions(upto)))


class Stored:
    """The labels as of one moderation action, read from the database a window at a time.

    What model.retrain.Labels asks for: the same labels in the same order on every read, however
    moderators decide meanwhile (later actions are unseen), and never all in memory: rows stream
    through a server-side cursor on PostgreSQL and in batches on SQLite.
    """

    BATCH = 5000

    def __init__(self, connection: sa.Connection, upto: int):
        self.connection, self.upto = connection, upto
        self.total = count(connection, upto)

    def __len__(self) -> int:
        return self.total

    def read(self, window: range) -> Iterator[dict]:
        """Yield the labels at the window's positions as training records, oldest first."""
        if not window:
            return
        query = labelled_query(self.upto).offset(window.start).limit(len(window))
        # On the statement, not the connection: a connection option would outlive this query.
        options = {"stream_results": True, "yield_per": self.BATCH}
        for row in self.connection.execute(query.execution_options(**options)):
            record = {name: getattr(row, name) for name in RECORD_FIELDS}
            record["label"] = LABELS[Status(row.to_status)]
            record["decided_at"] = row.decided_at
            yield record


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
