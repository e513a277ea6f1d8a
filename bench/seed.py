"""Seed a database with many comments in one SQL statement, generated inside the database.

A cached SQLite file is reused while the schema (migrations, models) and the
seed are unchanged; PostgreSQL is seeded afresh each run.
"""

import hashlib
import json
from pathlib import Path

import sqlalchemy as sa

from bench import server

# Six in ten pending, the rest decided; one in fifty unscored (spam_score null). One in ten
# (all pending) is in a campaign of 31 near-duplicates spread over the queue, named, as the
# service names one, by its first comment's id (the seed's ids are its i: a fresh table).
_COLUMNS = (
    "site_id, post_id, author_name, author_email, content, user_ip, status, spam_score, "
    "model_version, reasons, created_at, version, campaign_id"
)
CAMPAIGN_SIZE = 31
_CAMPAIGN = f"CASE WHEN i % 10 = 3 THEN (i / {CAMPAIGN_SIZE * 10}) * {CAMPAIGN_SIZE * 10} + 3 END"
FIRST_CAMPAIGN = 3
_STATUS = (
    "CASE WHEN i % 10 < 6 THEN 'pending' WHEN i % 10 < 8 THEN 'approved' "
    "WHEN i % 10 < 9 THEN 'rejected' ELSE 'spam' END"
)
_SCORE = "CASE WHEN i % 50 = 0 THEN NULL ELSE ((i * 7919) % 1000003) / 1000003.0 END"
_TEXT = "'A reader''s comment number ' || i || ' about the council vote and the new bridge.'"

SQLITE = f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO comments ({_COLUMNS})
SELECT :site_id, 'post-' || (i % 5000), 'Reader ' || (i % 90000),
       'reader' || (i % 90000) || '@example.org', {_TEXT}, '192.0.2.' || (i % 250),
       {_STATUS}, {_SCORE}, 'seed', '["seeded"]',
       strftime('%Y-%m-%d %H:%M:%S', '2026-01-01', '+' || i || ' seconds') || '.000000', 1,
       {_CAMPAIGN}
FROM n
"""

POSTGRES = f"""
INSERT INTO comments ({_COLUMNS})
SELECT :site_id, 'post-' || (i % 5000), 'Reader ' || (i % 90000),
       'reader' || (i % 90000) || '@example.org', {_TEXT}, '192.0.2.' || (i % 250),
       {_STATUS}, {_SCORE}, 'seed', '["seeded"]'::json,
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second', 1, {_CAMPAIGN}
FROM generate_series(1::bigint, :count) AS i
"""


def schema_digest() -> str:
    """A digest of everything that shapes the seeded database: migrations, models, this seed."""
    digest = hashlib.sha256()
    for path in sorted((server.ROOT / "migrations").rglob("*.py")):
        digest.update(path.read_bytes())
    for path in (server.ROOT / "service" / "tables.py", Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def seed(url: str, site: str, count: int) -> None:
    """Insert count comments for the named site, then refresh the planner's statistics."""
    engine = sa.create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        site_id = connection.scalar(sa.text("SELECT id FROM sites WHERE name = :n"), {"n": site})
        statement = sa.text(POSTGRES if postgres else SQLITE)
        connection.execute(statement, {"site_id": site_id, "count": count})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE comments" if postgres else "ANALYZE")
    engine.dispose()


def seeded(env: dict, count: int, cache: Path | None = None) -> dict[str, str]:
    """Migrate, create a site and a moderator, seed count comments; return the moderator token.

    With a cache file (SQLite), a database seeded earlier with the same digest is reused.
    """
    if cache is not None and cache.exists():
        return json.loads(cache.read_text())
    server.cli(env, "db", "upgrade")
    server.secret(env, "sites", "create", "bench")
    token = server.secret(env, "moderators", "create", "bench@example.org")
    seed(env["DATABASE_URL"], "bench", count)
    credentials = {"moderator": token}
    if cache is not None:
        cache.write_text(json.dumps(credentials))
    return credentials
