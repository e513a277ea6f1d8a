"""add a console password to moderators

Revision ID: 0003_console
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_console"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("moderators", sa.Column("password_hash", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("moderators") as batch:
        batch.drop_column("password_hash")
