"""keep trained model versions in the database; merge the settings and console heads

Revision ID: 0004_model_versions
Revises: 0002_site_settings, 0003_console
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_model_versions"
down_revision = ("0002_site_settings", "0003_console")
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "promoted",
                "rejected",
                "rolled_back",
                name="model_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("hmac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_model_versions_version")),
    )
    op.create_index(
        op.f("ix_model_versions_status_promoted_at"),
        "model_versions",
        ["status", "promoted_at"],
    )


def downgrade():
    op.drop_index(op.f("ix_model_versions_status_promoted_at"), table_name="model_versions")
    op.drop_table("model_versions")
