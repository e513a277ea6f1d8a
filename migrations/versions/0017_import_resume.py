"""imports resume: a reply's parent id in its source, and how far an unfinished import read

Revision ID: 0017_import_resume
Revises: 0016_campaigns
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_import_resume"
down_revision = "0016_campaigns"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: comments is referred to by other tables, so it is never rebuilt.
    op.add_column("comments", sa.Column("import_parent_id", sa.String(length=100), nullable=True))
    op.create_table(
        "import_progress",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("resume_after", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_import_progress_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("site_id", "source", name=op.f("pk_import_progress")),
    )


def downgrade():
    op.drop_table("import_progress")
    # DROP COLUMN in place (SQLite 3.35+): the column is in no index or key.
    op.drop_column("comments", "import_parent_id")
