"""refuse a duplicate comment by constraint: a unique fingerprint per comment

Revision ID: 0006_fingerprint
Revises: 0005_revocation
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0006_fingerprint"
down_revision = "0005_revocation"
branch_labels = None
depends_on = None

BATCH = 1000


def _fingerprint(site_id: int, post_id: str, email: str, content: str) -> str:
    # Frozen copy of service.admission.fingerprint as of this revision.
    key = "\0".join((str(site_id), post_id, email, content))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def upgrade():
    # Plain ALTER and CREATE INDEX: a batch rebuild of comments would trip SQLite's foreign
    # keys from moderation_actions.
    op.add_column("comments", sa.Column("fingerprint", sa.String(length=64), nullable=True))
    _backfill(op.get_bind())
    op.create_index(op.f("ix_comments_fingerprint"), "comments", ["fingerprint"], unique=True)


def _backfill(connection: sa.Connection) -> None:
    """Fingerprint the first of each group of equal comments; later copies stay null."""
    comments = sa.table(
        "comments",
        sa.column("id", sa.Integer),
        sa.column("site_id", sa.Integer),
        sa.column("post_id", sa.String),
        sa.column("author_email", sa.String),
        sa.column("content", sa.Text),
        sa.column("fingerprint", sa.String),
    )
    seen, last_id = set(), 0
    update = (
        comments.update()
        .where(comments.c.id == sa.bindparam("row_id"))
        .values(fingerprint=sa.bindparam("value"))
    )
    while rows := connection.execute(
        sa.select(comments).where(comments.c.id > last_id).order_by(comments.c.id).limit(BATCH)
    ).all():
        values = []
        for row in rows:
            value = _fingerprint(row.site_id, row.post_id, row.author_email, row.content)
            if value not in seen:
                seen.add(value)
                values.append({"row_id": row.id, "value": value})
        if values:
            connection.execute(update, values)
        last_id = rows[-1].id


def downgrade():
    op.drop_index(op.f("ix_comments_fingerprint"), table_name="comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("fingerprint")
