"""moderators' email digests of waiting comments, per site

Revision ID: 0013_digests
Revises: 0012_webhooks
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_digests"
down_revision = "0012_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("mark", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_digest_subscriptions_moderator_id_moderators"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_digest_subscriptions_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
    )
    op.create_index(
        "ix_digest_subscriptions_moderator_id_site_id",
        "digest_subscriptions",
        ["moderator_id", "site_id"],
        unique=True,
    )
    op.create_index("ix_digest_subscriptions_site_id", "digest_subscriptions", ["site_id"])


def downgrade():
    op.drop_index("ix_digest_subscriptions_site_id", table_name="digest_subscriptions")
    op.drop_index("ix_digest_subscriptions_moderator_id_site_id", table_name="digest_subscriptions")
    op.drop_table("digest_subscriptions")
