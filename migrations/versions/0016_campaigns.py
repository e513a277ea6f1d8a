"""campaigns: each comment's campaign of near-duplicates, and the LSH buckets that find them

Revision ID: 0016_campaigns
Revises: 0015_setting_changes
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_campaigns"
down_revision = "0015_setting_changes"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN and CREATE INDEX: comments is referred to by other tables, so it is
    # never rebuilt (a batch rebuild would trip SQLite's foreign keys).
    op.add_column("comments", sa.Column("campaign_id", sa.Integer(), nullable=True))
    op.create_index(
        "ix_comments_campaign_id_status_spam_score_id",
        "comments",
        ["campaign_id", "status", "spam_score", "id"],
    )
    op.create_table(
        "campaign_buckets",
        sa.Column("band_hash", sa.BigInteger(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_campaign_buckets_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("band_hash", "comment_id", name=op.f("pk_campaign_buckets")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_campaign_buckets_comment_id", "campaign_buckets", ["comment_id"])


def downgrade():
    op.drop_index("ix_campaign_buckets_comment_id", table_name="campaign_buckets")
    op.drop_table("campaign_buckets")
    op.drop_index("ix_comments_campaign_id_status_spam_score_id", table_name="comments")
    # DROP COLUMN in place (SQLite 3.35+): the column is in no index or key by now.
    op.drop_column("comments", "campaign_id")
