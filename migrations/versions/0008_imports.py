"""comments imported from a site's history keep their source and their id there

Revision ID: 0008_imports
Revises: 0007_akismet
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_imports"
down_revision = "0007_akismet"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER and CREATE INDEX: a batch rebuild of comments would trip SQLite's foreign keys.
    op.add_column("comments", sa.Column("import_source", sa.String(length=200), nullable=True))
    op.add_column("comments", sa.Column("import_id", sa.String(length=100), nullable=True))
    op.create_index(
        "ix_comments_site_id_import_source_import_id",
        "comments",
        ["site_id", "import_source", "import_id"],
        unique=True,
    )


def downgrade():
    op.drop_index("ix_comments_site_id_import_source_import_id", table_name="comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("import_id")
        batch.drop_column("import_source")
