"""an index of each comment's replies

Revision ID: 0014_replies
Revises: 0013_digests
"""

from alembic import op

revision = "0014_replies"
down_revision = "0013_digests"
branch_labels = None
depends_on = None


def upgrade():
    # A comment's page lists its replies: without this index, a read of the site's comments.
    op.create_index("ix_comments_parent_id", "comments", ["parent_id"])


def downgrade():
    op.drop_index("ix_comments_parent_id", table_name="comments")
