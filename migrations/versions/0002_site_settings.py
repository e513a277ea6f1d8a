"""add per-site moderation settings and the bot traps relayed with a comment

Revision ID: 0002_site_settings
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_site_settings"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("sites", sa.Column("settings", sa.JSON(), server_default="{}", nullable=False))
    op.add_column("comments", sa.Column("honeypot", sa.String(length=500), nullable=True))
    op.add_column(
        "comments", sa.Column("form_rendered_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("form_rendered_at")
        batch.drop_column("honeypot")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("settings")
