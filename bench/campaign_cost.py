"""What grouping campaigns adds to a submission: placing a comment among those already stored.

A database filled with `fill` comments and their campaign buckets (bench/synthetic.py: real
comments' words spliced together, so buckets are crowded as a site's are), then `count`
submissions through service.comments.submit, in process, one at a time: the whole
submission (checks, scoring, the durable commit) against the part campaigns take of it
(campaigns.place: tokens, signature, bucket reads, exact comparisons; campaigns.store: the
bucket rows and any campaign it joins or merges), timed around those two calls.

    .venv/bin/python -m bench.campaign_cost [--fill 100000] [--count 1000]
"""

import argparse
import time
from itertools import islice

import numpy as np
import sqlalchemy as sa

from bench import databases, synthetic
from bench.figures import Figure, info
from bench.ingest import app_env
from service import campaigns, comments, create_app, migrate
from service.clock import now
from service.db import db
from service.schemas import CommentIn
from service.tables import CampaignBucket, Comment, Site, Status

BATCH = 5000


def fill(site_id: int, records) -> None:
    """Store comments as pending with their buckets, in bulk (no scoring, no checks)."""
    while batch := list(islice(records, BATCH)):
        rows = [
            {
                "site_id": site_id,
                "post_id": record["post_id"],
                "author_name": record["author_name"],
                "author_email": record["author_email"],
                "content": record["content"],
                "status": Status.PENDING,
                "reasons": [],
                "created_at": now(),
                "version": 1,
            }
            for record in batch
        ]
        ids = db.session.scalars(sa.insert(Comment).returning(Comment.id), rows).all()
        buckets = [
            {"band_hash": key, "comment_id": comment_id}
            for comment_id, row in zip(ids, rows, strict=True)
            for key in set(_keys(site_id, row["content"]))
        ]
        if buckets:
            db.session.execute(sa.insert(CampaignBucket), buckets)
        db.session.commit()


def _keys(site_id: int, content: str) -> list[int]:
    """The buckets the service would store for a comment (none when it is too short)."""
    words = campaigns.tokens(content)
    return campaigns.keys(site_id, campaigns.pairs(words)) if len(words) >= 6 else []


class Stopwatch:
    """Wraps a module's functions to add up the seconds spent in each, while in effect."""

    def __init__(self, module, *names: str):
        self.module, self.spent = module, dict.fromkeys(names, 0.0)
        self.originals = {name: getattr(module, name) for name in names}

    def __enter__(self):
        for name, function in self.originals.items():
            setattr(self.module, name, self._timed(name, function))
        return self

    def __exit__(self, *exc):
        for name, function in self.originals.items():
            setattr(self.module, name, function)

    def _timed(self, name: str, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[name] += time.perf_counter() - started

        return timed


def measure(url: str, fill_count: int, count: int) -> dict[str, np.ndarray]:
    """Milliseconds per submission, whole and in each campaigns step, after a fill."""
    env = app_env(url, shared_limits=False)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": env["SECRET_KEY"], "LOG_JSON": False})
    records = synthetic.comments(fill_count + count, seed=7)
    spent: dict[str, list[float]] = {"submit": [], "place": [], "store": []}
    with app.app_context():
        migrate.upgrade(db.engine)
        site = Site(name="bench", key_id="bench", key_hash="-", created_at=now())
        db.session.add(site)
        db.session.commit()
        fill(site.id, islice(records, fill_count))
        with Stopwatch(campaigns, "place", "store") as watch:
            for number, record in enumerate(records):
                body = {key: record[key] for key in ("post_id", "author_name", "author_email")}
                body.update(
                    content=record["content"], user_ip=f"10.{number // 250}.0.{number % 250}"
                )
                data = CommentIn().load(body)
                before, started = dict(watch.spent), time.perf_counter()
                comments.submit(site, data, screen=False)
                spent["submit"].append((time.perf_counter() - started) * 1e3)
                for name, seconds in watch.spent.items():
                    spent[name].append((seconds - before[name]) * 1e3)
        db.engine.dispose()
    return {name: np.array(values) for name, values in spent.items()}


def figures(backend: str, url: str | None, fill_count: int, count: int) -> list[Figure]:
    """The share of a submission that campaigns take, at p50 and p99, on one backend."""
    if url is None:
        return [Figure(f"campaigns {backend}", None, "ms", note="database unreachable: skipped")]
    spent = measure(url, fill_count, count)
    spent["campaigns"] = spent["place"] + spent["store"]
    results = []
    for percentile in (50, 99):
        found = {name: np.percentile(values, percentile) for name, values in spent.items()}
        note = f"place {found['place']:.3f} ms, store {found['store']:.3f} ms"
        if percentile == 50:
            note += f"; {count} submissions among {fill_count:,} comments"
        part, total = found["campaigns"], found["submit"]
        figure = info(f"campaigns per submission {backend} p{percentile}", part, "ms", note=note)
        figure.baseline, figure.ratio = round(float(total), 3), round(float(part / total), 3)
        results.append(figure)
    if backend == "postgresql":
        databases.drop_postgres(url)
    return results


def main(argv=None) -> int:
    """Measure on SQLite and PostgreSQL; print the table."""
    from bench.figures import table

    parser = argparse.ArgumentParser(prog="python -m bench.campaign_cost", description=__doc__)
    parser.add_argument("--fill", type=int, default=100_000, help="comments stored first")
    parser.add_argument("--count", type=int, default=1000, help="submissions timed")
    args = parser.parse_args(argv)
    found = figures("sqlite", databases.fresh_sqlite("campaigns"), args.fill, args.count)
    found += figures("postgresql", databases.fresh_postgres("_campaigns"), args.fill, args.count)
    print(table(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
