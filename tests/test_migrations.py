"""Migrations build exactly the schema the models describe, on every backend."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service import admission, migrate
from service.db import create_engine, db
from service.tables import Base


def test_migrated_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []


def test_comments_stored_twice_before_the_fingerprint_survive_its_migration(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0004_model_versions")
    row = {
        "post_id": "p",
        "author_name": "A",
        "author_email": "a@example.org",
        "content": "Twice, from before the constraint.",
        "status": "pending",
        "reasons": "[]",
        "created_at": "2026-11-01 00:00:00",
        "version": 1,
    }
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO sites (id, name, key_id, key_hash, created_at, "
                "settings) VALUES (1, 'news', 'k', 'h', '2026-11-01', '{}')"
            )
        )
        insert = sa.text(
            "INSERT INTO comments (site_id, post_id, author_name, author_email, content, status,"
            " reasons, created_at, version) VALUES (1, :post_id, :author_name, :author_email,"
            " :content, :status, :reasons, :created_at, :version)"
        )
        connection.execute(insert, [row, row])
        # A decision on it, so that no later migration may rebuild a table others refer to.
        connection.execute(
            sa.text(
                "INSERT INTO moderators (id, email, role, key_id, key_hash, created_at) "
                "VALUES (1, 'ed@news.example', 'moderator', 'mk', 'mh', '2026-11-01');"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO moderation_actions (comment_id, moderator_id, from_status, "
                "to_status, created_at) VALUES (1, 1, 'pending', 'approved', '2026-11-02')"
            )
        )

    migrate.upgrade(engine)

    with engine.connect() as connection:
        prints = connection.execute(sa.text("SELECT fingerprint FROM comments ORDER BY id")).all()
    engine.dispose()
    assert prints[0][0] == admission.fingerprint(1, "p", "a@example.org", row["content"])
    assert prints[1][0] is None
