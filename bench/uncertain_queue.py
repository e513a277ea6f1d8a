"""What the queue's `uncertain` sort costs against the default (`-spam_score`).

A pending queue of 100,000 comments on four sites whose spam thresholds differ, among
300,000 decided ones (a site's table holds more history than queue), paged through
GET /api/v1/queue in process (Flask's test client: auth, query, serialization,
no network): the first page, and the page after 10,000 comments by cursor, on SQLite and
PostgreSQL. The distance from a site's threshold is computed, not indexed, so every page
of that sort reads the whole status (from the index on status, site and score); the default
walks its index.

    .venv/bin/python -m bench.uncertain_queue [--count 100000] [--requests 30]
"""

import argparse
import logging
import time

import numpy as np
import sqlalchemy as sa

from bench import databases
from service import settings, sites
from service.db import db
from service.tables import Site

THRESHOLDS = {"news": 0.5, "gazette": 0.75, "herald": 0.3, "daily": 0.9}
SORTS = ("-spam_score", "uncertain")
DEPTH = 10_000
LIMIT = 50

# One in four pending (the rest approved, spam or rejected), sites taken in turn, one in
# fifty unscored (as bench/seed.py scores them).
_ROWS = (
    "site_id, post_id, author_name, author_email, content, status, spam_score, reasons, "
    "created_at, version"
)
_VALUES = (
    "1 + i % 4, 'post-' || (i % 5000), 'Reader ' || i, 'reader' || i || '@example.org', "
    "'Comment ' || i || ' on the council vote.', "
    "CASE (i / 4) % 4 WHEN 0 THEN 'pending' WHEN 1 THEN 'approved' WHEN 2 THEN 'spam' "
    "ELSE 'rejected' END, "
    "CASE WHEN i % 50 = 0 THEN NULL ELSE ((i * 7919) % 1000003) / 1000003.0 END, '[]'"
)
SEED = {
    "sqlite": f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
    f"INSERT INTO comments ({_ROWS}) SELECT {_VALUES}, "
    "strftime('%Y-%m-%d %H:%M:%S', '2026-01-01', '+' || i || ' seconds') || '.000000', 1 FROM n",
    "postgresql": f"INSERT INTO comments ({_ROWS}) SELECT {_VALUES}, "
    "timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second', 1 "
    "FROM generate_series(1::bigint, :count) AS i",
}


def seeded_app(url: str, count: int):
    """Migrate, add the sites with their thresholds and a moderator, seed; return (app, token)."""
    app = databases.migrated_app(url)
    runner = app.test_cli_runner()
    for name in THRESHOLDS:
        runner.invoke(args=["sites", "create", name])
    token = runner.invoke(args=["moderators", "create", "bench@example.org"]).output.split()[-1]
    with app.app_context():
        for site in db.session.scalars(sa.select(Site).order_by(Site.id)):
            threshold = settings.load({"spam_threshold": THRESHOLDS[site.name]})
            sites.save(site, threshold, None, "bench setup")
        db.session.execute(sa.text(SEED[db.engine.dialect.name]), {"count": 4 * count})
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            postgres = db.engine.dialect.name == "postgresql"
            connection.exec_driver_sql("VACUUM ANALYZE comments" if postgres else "ANALYZE")
    return app, token


def timed_ms(client, headers: dict, params: dict, count: int) -> np.ndarray:
    """Milliseconds each of count GETs of the queue took, after a warm-up of three."""
    timings = []
    for index in range(count + 3):
        start = time.perf_counter()
        response = client.get("/api/v1/queue", query_string=params, headers=headers)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.get_json()
        if index >= 3:
            timings.append(elapsed * 1e3)
    return np.array(timings)


def cursor_at(client, headers: dict, sort: str, depth: int) -> str:
    """The cursor of the page that starts after depth comments of the sort."""
    cursor, seen = None, 0
    while seen < depth:
        params = {"sort": sort, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/queue", query_string=params, headers=headers).get_json()
        cursor, seen = page["next_cursor"], seen + len(page["items"])
    return cursor


def measure(backend: str, count: int, requests: int) -> None:
    """Print p50 and p99 of each sort's first page and deep page on one backend."""
    if backend == "postgresql":
        url = databases.fresh_postgres("_uncertain")
        if url is None:
            print("postgresql: unreachable, skipped")
            return
    else:
        url = databases.fresh_sqlite("uncertain")
    started = time.perf_counter()
    app, token = seeded_app(url, count)
    seconds = time.perf_counter() - started
    print(f"{backend}: {count:,} pending of {4 * count:,} comments seeded in {seconds:.0f} s")
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    for sort in SORTS:
        pages = {
            "first page": {"sort": sort, "limit": LIMIT},
            f"page after {DEPTH:,}": {
                "sort": sort,
                "limit": LIMIT,
                "cursor": cursor_at(client, headers, sort, DEPTH),
            },
        }
        for what, params in pages.items():
            ms = timed_ms(client, headers, params, requests)
            print(
                f"  {sort:<12} {what:<17} p50 {np.percentile(ms, 50):7.1f} ms"
                f"  p99 {np.percentile(ms, 99):7.1f} ms  ({requests} requests of {LIMIT})"
            )
    databases.release(app, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.ERROR)
    logging.getLogger("moderato.access").setLevel(logging.WARNING)  # a line per request
    for backend in ("sqlite", "postgresql"):
        measure(backend, args.count, args.requests)


if __name__ == "__main__":
    main()
