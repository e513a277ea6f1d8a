"""an undo names the decision it took back; an index for the nearest-the-threshold sort

Revision ID: 0010_undo
Revises: 0009_retrain_runs
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_undo"
down_revision = "0009_retrain_runs"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER and CREATE INDEX: a batch rebuild would trip SQLite's foreign keys, and
    # SQLite takes a column's reference only inside its ADD COLUMN.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE moderation_actions ADD COLUMN undoes_id INTEGER "
            "CONSTRAINT fk_moderation_actions_undoes_id_moderation_actions "
            "REFERENCES moderation_actions (id)"
        )
    else:
        op.add_column("moderation_actions", sa.Column("undoes_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_moderation_actions_undoes_id_moderation_actions",
            "moderation_actions",
            "moderation_actions",
            ["undoes_id"],
            ["id"],
        )
    op.create_index("ix_moderation_actions_undoes_id", "moderation_actions", ["undoes_id"])
    op.create_index(
        "ix_comments_status_site_id_spam_score_id",
        "comments",
        ["status", "site_id", "spam_score", "id"],
    )


def downgrade():
    op.drop_index("ix_comments_status_site_id_spam_score_id", table_name="comments")
    op.drop_index("ix_moderation_actions_undoes_id", table_name="moderation_actions")
    with op.batch_alter_table("moderation_actions") as batch:
        batch.drop_constraint("fk_moderation_actions_undoes_id_moderation_actions")
        batch.drop_column("undoes_id")
