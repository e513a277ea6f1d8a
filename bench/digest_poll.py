"""What the digest job's look for due digests costs a worker's poll, over a large queue.

The queue of bench/uncertain_queue.py (100,000 pending among 400,000 comments on four
sites); five moderators each subscribed to every site (20 digests). Timed: `digests.due`,
the one query a poll makes while no digest is due, when every digest has already shown
everything (the steady state: it reads each site's pending comments from the index on
status, site and score) and when nothing has been shown yet.

    .venv/bin/python -m bench.digest_poll [--count 100000] [--polls 30]
"""

import argparse
import logging
import time
from datetime import UTC, datetime

import numpy as np
import sqlalchemy as sa

from bench import databases
from bench.uncertain_queue import seeded_app
from service import digests
from service.db import db
from service.tables import Comment, DigestSubscription, Moderator, Site

MODERATORS = 5


def subscribe_all(app) -> None:
    """Subscribe MODERATORS moderators (the seeded one and more) to every site."""
    runner = app.test_cli_runner()
    for n in range(1, MODERATORS):
        runner.invoke(args=["moderators", "create", f"bench{n}@example.org"])
    with app.app_context():
        for moderator in db.session.scalars(sa.select(Moderator)):
            for site in db.session.scalars(sa.select(Site)):
                digests.subscribe(moderator, site, digests.DEFAULT_MINUTES)
        db.session.commit()


def timed_ms(app, polls: int) -> tuple[np.ndarray, int]:
    """Milliseconds each of polls looks for due digests took, and how many were due."""
    timings, due = [], 0
    with app.app_context():
        for _ in range(polls):
            start = time.perf_counter()
            due = len(digests.due(datetime.now(UTC)))
            timings.append((time.perf_counter() - start) * 1e3)
            db.session.rollback()
    return np.array(timings), due


def measure(backend: str, count: int, polls: int) -> None:
    """Print p50 and p99 of the look for due digests, all shown and none shown."""
    url = databases.fresh_postgres("_digests") if backend == "postgresql" else None
    if backend == "postgresql" and url is None:
        print("postgresql: unreachable, skipped")
        return
    app, _token = seeded_app(url or databases.fresh_sqlite("digests"), count)
    subscribe_all(app)
    print(f"{backend}: {count:,} pending of {4 * count:,} comments, 20 digests")
    with app.app_context():
        newest = db.session.scalar(sa.select(sa.func.max(Comment.id)))
    for what, mark in (("all shown", newest), ("none shown", 0)):
        with app.app_context():
            db.session.execute(sa.update(DigestSubscription).values(mark=mark))
            db.session.commit()
        ms, due = timed_ms(app, polls)
        print(
            f"  {what:<10} p50 {np.percentile(ms, 50):6.1f} ms  p99 {np.percentile(ms, 99):6.1f}"
            f" ms  ({due} due, {polls} polls)"
        )
    databases.release(app, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--polls", type=int, default=30)
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.ERROR)
    for backend in ("sqlite", "postgresql"):
        measure(backend, args.count, args.polls)


if __name__ == "__main__":
    main()
