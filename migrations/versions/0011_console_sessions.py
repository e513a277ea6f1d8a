"""a row per console session, so a moderator sees and ends each one

Revision ID: 0011_console_sessions
Revises: 0010_undo
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_console_sessions"
down_revision = "0010_undo"
branch_labels = None
depends_on = None


def upgrade():
    # A new table only: the cookies of sessions begun before it name no row, so those
    # moderators log in once more after the upgrade.
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("network", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_console_sessions_moderator_id_moderators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
    )
    op.create_index(op.f("ix_console_sessions_moderator_id"), "console_sessions", ["moderator_id"])


def downgrade():
    op.drop_index(op.f("ix_console_sessions_moderator_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
