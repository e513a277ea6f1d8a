"""an Akismet key per site; decisions that came through a site's own tool, not a moderator

Revision ID: 0007_akismet
Revises: 0006_fingerprint
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_akismet"
down_revision = "0006_fingerprint"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER and CREATE INDEX: a batch rebuild of sites would trip SQLite's foreign keys.
    op.add_column("sites", sa.Column("akismet_key_hash", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_sites_akismet_key_hash"), "sites", ["akismet_key_hash"], unique=True)
    with op.batch_alter_table("moderation_actions") as batch:
        batch.alter_column("moderator_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("via", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("moderation_actions") as batch:
        batch.drop_column("via")
        batch.alter_column("moderator_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f("ix_sites_akismet_key_hash"), table_name="sites")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("akismet_key_hash")
