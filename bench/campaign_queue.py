"""The grouped queue's worst case: one large campaign at the top of the order.

A grouped page (`grouped=true`) shows each campaign once, at its oldest pending comment, and
walks past the campaign's other comments to fill the page: one index probe each. `make bench`
measures the queue bench/seed.py makes (one comment in ten in a campaign of 31, spread over
the order); here `--campaign` pending comments of one campaign take the highest scores, so
the first page by score walks past all of them. In process (Flask's test client), on SQLite
and PostgreSQL; standalone, not part of `make bench`.

    .venv/bin/python -m bench.campaign_queue [--count 1000000] [--campaign 10000]
"""

import argparse
import logging
import time

import numpy as np
import sqlalchemy as sa

from bench import databases, seed
from bench.figures import Figure, at_most, table
from bench.ingest import app_env
from bench.queue_pages import TARGET_MS
from service import create_app

LARGE = 7  # its name: the id of its first comment, as the service names a campaign


def enlarge(url: str, size: int) -> None:
    """Make `size` pending comments in no campaign one campaign, with the highest scores."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE comments SET campaign_id = :large, spam_score = 1.0 WHERE id IN "
                "(SELECT id FROM comments WHERE status = 'pending' AND campaign_id IS NULL "
                "ORDER BY id LIMIT :size)"
            ),
            {"large": LARGE, "size": size},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        analyze = "VACUUM ANALYZE comments" if engine.dialect.name == "postgresql" else "ANALYZE"
        connection.exec_driver_sql(analyze)
    engine.dispose()


def timings_ms(client, token: str, params: dict, count: int) -> np.ndarray:
    """Milliseconds of count sequential GETs of the queue, after a short warm-up."""
    found = []
    for index in range(count + 20):
        started = time.perf_counter()
        response = client.get(
            "/api/v1/queue", query_string=params, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        if index >= 20:
            found.append((time.perf_counter() - started) * 1e3)
    return np.array(found)


def figures(backend: str, url: str | None, count: int, size: int, requests: int) -> list[Figure]:
    """The first page by score, ungrouped and grouped, with the large campaign on top."""
    if url is None:
        return [Figure(f"large campaign {backend}", None, "ms", note="database unreachable")]
    env = app_env(url, shared_limits=False)
    token = seed.seeded(env, count)["moderator"]
    enlarge(url, size)
    for noisy in ("service.scoring", "moderato.access"):  # a line per request otherwise
        logging.getLogger(noisy).setLevel(logging.ERROR)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": env["SECRET_KEY"], "LOG_JSON": False})
    client, results = app.test_client(), []
    for what, params in (("", {}), (" grouped", {"grouped": "true"})):
        found = timings_ms(client, token, {"sort": "-spam_score", **params}, requests)
        name = f"queue {backend} first page by score{what}, {size:,} of one campaign on top p99"
        note = f"p50 {np.percentile(found, 50):.2f} ms, {requests} requests, in process"
        results.append(at_most(name, np.percentile(found, 99), "ms", TARGET_MS, note=note))
    results[1].baseline = results[0].value
    results[1].ratio = round(results[1].value / results[0].value, 3)
    databases.release(app, url)
    return results


def main(argv=None) -> int:
    """Seed, enlarge one campaign, and measure on SQLite and PostgreSQL."""
    parser = argparse.ArgumentParser(prog="python -m bench.campaign_queue", description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000, help="comments seeded")
    parser.add_argument("--campaign", type=int, default=10_000, help="its comments on top")
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    args = parser.parse_args(argv)
    found = figures(
        "sqlite", databases.fresh_sqlite("large-campaign"), args.count, args.campaign, args.requests
    )
    found += figures(
        "postgresql",
        databases.fresh_postgres("_large_campaign"),
        args.count,
        args.campaign,
        args.requests,
    )
    print(table(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
