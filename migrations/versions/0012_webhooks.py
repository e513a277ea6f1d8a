"""a webhook secret per site; the outbox of webhook deliveries the worker sends

Revision ID: 0012_webhooks
Revises: 0011_console_sessions
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_webhooks"
down_revision = "0011_console_sessions"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER: a batch rebuild of sites would trip SQLite's foreign keys.
    op.add_column("sites", sa.Column("webhook_seed", sa.String(length=64), nullable=True))
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_webhook_deliveries_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_webhook_deliveries_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(op.f("ix_webhook_deliveries_comment_id"), "webhook_deliveries", ["comment_id"])
    op.create_index(op.f("ix_webhook_deliveries_created_at"), "webhook_deliveries", ["created_at"])
    op.create_index(
        op.f("ix_webhook_deliveries_next_attempt_at"), "webhook_deliveries", ["next_attempt_at"]
    )
    op.create_index(
        op.f("ix_webhook_deliveries_site_id_id"), "webhook_deliveries", ["site_id", "id"]
    )


def downgrade():
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("webhook_seed")
