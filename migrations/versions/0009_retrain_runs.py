"""record every retrain; a lease table so that two hosts never train at once

Revision ID: 0009_retrain_runs
Revises: 0008_imports
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_retrain_runs"
down_revision = "0008_imports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "retrain_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("label_mark", sa.Integer(), nullable=False),
        sa.Column("labels", sa.Integer(), nullable=True),
        sa.Column("version", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "promoted",
                "kept",
                "failed",
                "stopped",
                name="run_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retrain_runs")),
    )


def downgrade():
    op.drop_table("retrain_runs")
    op.drop_table("leases")
