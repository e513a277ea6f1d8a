"""every change to a site's settings or keys, with who made it and when

Revision ID: 0015_setting_changes
Revises: 0014_replies
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_setting_changes"
down_revision = "0014_replies"
branch_labels = None
depends_on = None


def upgrade():
    # A new table only: nothing that refers to sites or moderators is rebuilt.
    op.create_table(
        "site_setting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_site_setting_changes_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_site_setting_changes_moderator_id_moderators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_setting_changes")),
    )
    op.create_index("ix_site_setting_changes_site_id_id", "site_setting_changes", ["site_id", "id"])


def downgrade():
    op.drop_index("ix_site_setting_changes_site_id_id", table_name="site_setting_changes")
    op.drop_table("site_setting_changes")
