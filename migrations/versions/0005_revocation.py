"""let moderators be disabled and their console sessions ended

Revision ID: 0005_revocation
Revises: 0004_model_versions
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_revocation"
down_revision = "0004_model_versions"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("moderators", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "moderators",
        sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade():
    with op.batch_alter_table("moderators") as batch:
        batch.drop_column("session_version")
        batch.drop_column("disabled_at")
