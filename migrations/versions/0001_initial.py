"""create sites, moderators, comments and moderation actions

Revision ID: 0001
Revises: none
Create Date: 2026-11-27 01:24:18.919781
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("key_id", name=op.f("uq_sites_key_id")),
        sa.UniqueConstraint("name", name=op.f("uq_sites_name")),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("author_url", sa.String(length=2000), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("user_ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("referrer", sa.String(length=2000), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "spam",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("spam_score", sa.Double(), nullable=True),
        sa.Column("model_version", sa.String(length=100), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_comments_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comments_site_id_author_email_status"),
            ["site_id", "author_email", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_comments_site_id_post_id_status_created_at"),
            ["site_id", "post_id", "status", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_comments_status_created_at_id"),
            ["status", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_comments_status_spam_score_id"),
            ["status", "spam_score", "id"],
            unique=False,
        )

    op.create_table(
        "moderators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "moderator",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_moderators_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderators")),
        sa.UniqueConstraint("email", name=op.f("uq_moderators_email")),
        sa.UniqueConstraint("key_id", name=op.f("uq_moderators_key_id")),
    )
    op.create_table(
        "moderation_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "spam",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "spam",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_moderation_actions_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_moderation_actions_moderator_id_moderators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_actions")),
    )
    with op.batch_alter_table("moderation_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_actions_comment_id"), ["comment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("moderation_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_actions_comment_id"))

    op.drop_table("moderation_actions")
    op.drop_table("moderators")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_status_spam_score_id"))
        batch_op.drop_index(batch_op.f("ix_comments_status_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_comments_site_id_post_id_status_created_at"))
        batch_op.drop_index(batch_op.f("ix_comments_site_id_author_email_status"))

    op.drop_table("comments")
    op.drop_table("sites")
