"""What a comment's console page costs on a large site.

400,000 comments on four sites (bench.uncertain_queue's seed), one of them by an author with
2,000 comments on its site and 30 replies, read through GET /moderate/comments/<id> in
process (Flask's test client: session, queries, template; no network), on SQLite and
PostgreSQL. The replies are found by parent_id within the site, which no index leads with.

    .venv/bin/python -m bench.comment_page [--count 100000] [--requests 30]
"""

import argparse
import logging
import time

import numpy as np
import sqlalchemy as sa

from bench import databases
from bench.uncertain_queue import seeded_app
from service.db import db

PASSWORD = "a benchmark password"
AUTHOR_EVERY = 50  # one in this many comments of site 1 is the prolific author's
REPLIES = 30


def story(app) -> int:
    """Give one comment of site 1 a prolific author and replies; return its id."""
    with app.app_context():
        target = db.session.scalar(sa.text("SELECT max(id) FROM comments WHERE site_id = 1"))
        db.session.execute(
            sa.text(
                "UPDATE comments SET author_email = 'prolific@example.org' "
                "WHERE site_id = 1 AND id % :every = :target % :every"
            ),
            {"every": AUTHOR_EVERY * 4, "target": target},
        )
        db.session.execute(
            sa.text(
                "UPDATE comments SET parent_id = :target WHERE id IN "
                "(SELECT id FROM comments WHERE site_id = 1 AND id < :target "
                "ORDER BY id DESC LIMIT :replies)"
            ),
            {"target": target, "replies": REPLIES},
        )
        db.session.commit()
    return target


def logged_in(app):
    """A test client logged in to the console as the benchmark's moderator."""
    runner = app.test_cli_runner()
    typed = f"{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(args=["moderators", "set-password", "bench@example.org"], input=typed)
    assert result.exit_code == 0, result.output
    client = app.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "bench"
    form = {"email": "bench@example.org", "password": PASSWORD, "csrf_token": "bench"}
    assert client.post("/moderate/login", data=form).status_code == 302
    return client


def timed_ms(client, path: str, count: int) -> np.ndarray:
    """Milliseconds each of count GETs of the page took, after a warm-up of three."""
    timings = []
    for index in range(count + 3):
        start = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.text
        if index >= 3:
            timings.append(elapsed * 1e3)
    return np.array(timings)


def measure(backend: str, count: int, requests: int) -> None:
    """Print p50 and p99 of the page of a comment with a long record and many replies."""
    if backend == "postgresql":
        url = databases.fresh_postgres("_comment_page")
        if url is None:
            print("postgresql: unreachable, skipped")
            return
    else:
        url = databases.fresh_sqlite("comment_page")
    app, _token = seeded_app(url, count)
    target = story(app)
    ms = timed_ms(logged_in(app), f"/moderate/comments/{target}", requests)
    print(
        f"{backend}: {4 * count:,} comments, the page of one with "
        f"{count // AUTHOR_EVERY:,} by its author and {REPLIES} replies: "
        f"p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms "
        f"({requests} requests)"
    )
    databases.release(app, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.ERROR)
    for backend in ("sqlite", "postgresql"):
        measure(backend, args.count, args.requests)


if __name__ == "__main__":
    main()
