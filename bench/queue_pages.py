"""Queue figures: pages of the pending queue through the HTTP API, over a million comments.

Latency is sequential, one request at a time from a Python client on loopback,
so each figure is the whole server-side path (auth, query, serialization,
response) plus loopback, with nothing queued behind other requests. Each page is
also measured grouped (`grouped=true`: one item per campaign of near-duplicates, one
pending comment in ten being in a campaign of 31), against the same page ungrouped
in the same run; and one campaign's comments (`campaign=ID`) against the first page.
"""

import time
from pathlib import Path

import numpy as np
import requests

from bench import databases, seed, server
from bench.figures import Figure, at_most
from bench.ingest import app_env

TARGET_MS = 10.0
DEPTH = 10_000
PAGES = {
    "first page by score": {"sort": "-spam_score"},
    "first page by age": {"sort": "created_at"},
}
GROUPED = {"grouped": "true"}


def latencies_ms(session: requests.Session, url: str, params: dict, count: int) -> np.ndarray:
    """Milliseconds each of count sequential GETs took, after a short warm-up."""
    timings = []
    for index in range(count + 20):
        start = time.perf_counter()
        response = session.get(url, params=params, timeout=10)
        elapsed = time.perf_counter() - start
        response.raise_for_status()
        if index >= 20:
            timings.append(elapsed * 1e3)
    return np.array(timings)


def page_figure(
    session: requests.Session,
    url: str,
    params: dict,
    count: int,
    what: str,
    against: Figure | None = None,
) -> Figure:
    """p99 of one page against the target, and against another page's p99 if given."""
    timings = latencies_ms(session, url, params, count)
    value = np.percentile(timings, 99)
    compared = {}
    if against is not None:
        compared = {"baseline": against.value, "ratio": round(float(value) / against.value, 3)}
    note = f"p50 {np.percentile(timings, 50):.2f} ms, {count} requests"
    return at_most(f"queue {what} p99", value, "ms", TARGET_MS, note=note, **compared)


def cursor_at(session: requests.Session, url: str, depth: int) -> str:
    """The cursor of the page that starts after `depth` comments of the default sort."""
    cursor, seen = None, 0
    while seen < depth:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = session.get(url, params=params, timeout=30).json()
        cursor, seen = page["next_cursor"], seen + len(page["items"])
        if cursor is None:
            raise RuntimeError(f"the queue has fewer than {depth} pending comments")
    return cursor


def database(backend: str, count: int) -> tuple[str | None, Path | None]:
    """The URL to seed (and the cache file for SQLite), or None when PostgreSQL is down."""
    if backend == "postgresql":
        return databases.fresh_postgres("_queue"), None
    name = f"queue-{count}-{seed.schema_digest()}"
    cache = server.OUT / f"{name}.json"
    url = f"sqlite:///{server.OUT / name}.db"
    return (url, cache) if cache.exists() else (databases.fresh_sqlite(name), cache)


def figures(backend: str, count: int, requests_each: int) -> list[Figure]:
    """p99 of each queue page on one backend seeded with count comments."""
    url, cache = database(backend, count)
    if url is None:
        return [Figure(f"queue {backend}", None, "ms", note="database unreachable: skipped")]
    env = app_env(url, shared_limits=False)
    started = time.perf_counter()
    token = seed.seeded(env, count, cache)["moderator"]
    seeded_in = time.perf_counter() - started
    results = []
    with server.serve("wsgi:app", env, 2, "/healthz") as (base, _), requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        queue = f"{base}/api/v1/queue"
        pages = dict(PAGES)
        pages[f"page at depth {DEPTH:,} by cursor"] = {"cursor": cursor_at(session, queue, DEPTH)}
        for what, params in pages.items():
            ungrouped = page_figure(session, queue, params, requests_each, f"{backend} {what}")
            grouped = {**params, **GROUPED}
            results += [
                ungrouped,
                page_figure(
                    session, queue, grouped, requests_each, f"{backend} {what} grouped", ungrouped
                ),
            ]
        campaign = {"campaign": seed.FIRST_CAMPAIGN}
        results.append(
            page_figure(
                session,
                queue,
                campaign,
                requests_each,
                f"{backend} a campaign's {seed.CAMPAIGN_SIZE} comments by score",
                results[0],
            )
        )
    results[0].note += f"; {count:,} comments seeded" + (
        f" in {seeded_in:.0f} s" if seeded_in > 1 else " (cached)"
    )
    if backend == "postgresql":
        databases.drop_postgres(url)
    return results
