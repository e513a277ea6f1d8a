"""How long a site's settings preview takes over 30 days of 100,000 comments.

One site with `--count` comments spread over the last 30 days (links in some, a word
in others, authors who come back, every status), seeded in the database; then a
change touching every kind of check (a new moderation word and disallowed word, a
lower link limit, trust for every low score) is replayed as the console's "Preview"
does (service.dryrun.replay), and the whole preview is asked for through the console
(Flask's test client: login, CSRF, validation, replay, the page). On SQLite and
PostgreSQL (BENCH_POSTGRES_URL, a database of its own dropped after the run).

    .venv/bin/python -m bench.preview [--count 100000] [--repeat 3] [--backend sqlite]
"""

import argparse
import logging
import statistics
import time

import sqlalchemy as sa

from bench import databases
from service import dryrun, settings, sites
from service.db import db
from service.tables import Site

PASSWORD = "bench password, long enough"
DAYS = 30
PROPOSED = {
    "moderation_words": ["bridge"],
    "disallowed_words": ["casino"],
    "max_links": 1,
    "trusted": "below_ham_threshold",
}

# Comment i is i * (30 days / count) seconds old; one in seven has two links, one in
# eleven says "casino", one in thirteen "bridge"; 20,000 authors come back in turn.
_ROWS = (
    "site_id, post_id, author_name, author_email, content, user_ip, user_agent, status, "
    "spam_score, model_version, reasons, created_at, version"
)
_VALUES = (
    "1, 'post-' || (i % 3000), 'Reader ' || (i % 20000), 'reader' || (i % 20000) || "
    "'@example.org', 'Comment ' || i || ' on the council vote'"
    " || CASE WHEN i % 7 = 0 THEN ', see https://a.example/x and https://b.example/y' ELSE '' END"
    " || CASE WHEN i % 11 = 0 THEN ', best casino odds' ELSE '' END"
    " || CASE WHEN i % 13 = 0 THEN ', and the new bridge' ELSE '' END || '.', "
    "'192.0.2.' || (i % 250), 'Mozilla/5.0 (X11; Linux x86_64)', "
    "CASE i % 10 WHEN 0 THEN 'spam' WHEN 1 THEN 'rejected' WHEN 2 THEN 'approved' "
    "WHEN 3 THEN 'approved' ELSE 'pending' END, "
    "CASE WHEN i % 50 = 0 THEN NULL ELSE ((i * 7919) % 1000003) / 1000003.0 END, 'seed', '[]'"
)
SEED = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
    f"INSERT INTO comments ({_ROWS}) SELECT {_VALUES}, "
    "strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || (i * :spacing) || ' seconds') || '.000000', 1 "
    "FROM n",
    "postgresql": f"INSERT INTO comments ({_ROWS}) SELECT {_VALUES}, "
    "now() - i * :spacing * interval '1 second', 1 FROM generate_series(1::bigint, :count) AS i",
}


def seeded_app(url: str, count: int):
    """Migrate, add the site and an admin with a console password, seed; return the app."""
    app = databases.migrated_app(url)
    runner = app.test_cli_runner()
    runner.invoke(args=["sites", "create", "news"])
    typed = f"{PASSWORD}\n{PASSWORD}\n"
    args = ["moderators", "create", "chief@example.org", "--admin", "--password"]
    assert runner.invoke(args=args, input=typed).exit_code == 0
    with app.app_context():
        spacing = DAYS * 86_400 / (count + 1)
        seed = sa.text(SEED[db.engine.dialect.name])
        db.session.execute(seed, {"count": count, "spacing": spacing})
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            postgres = db.engine.dialect.name == "postgresql"
            connection.exec_driver_sql("VACUUM ANALYZE comments" if postgres else "ANALYZE")
    return app


def time_replay(app, repeat: int) -> tuple[list[float], list[float], int, int]:
    """Wall and CPU seconds of each replay of PROPOSED; how many comments it read and moved.

    CPU is this process's only (PostgreSQL's server works in its own): on a shared
    machine the wall time also counts the other processes' turns.
    """
    walls, cpus = [], []
    with app.app_context():
        site = db.session.scalars(sa.select(Site)).one()
        proposed = sites.changed(site, settings.load_changes(PROPOSED))
        for _ in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            total, changes = dryrun.replay(site, proposed, DAYS)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            db.session.rollback()
    return walls, cpus, total, len(changes)


def time_page(app, repeat: int) -> list[float]:
    """Seconds each console preview (POST with step=preview) took, as an admin sees it."""
    client = app.test_client()
    login = {"csrf_token": "bench", "email": "chief@example.org", "password": PASSWORD}
    for step in ("login", "form"):  # a login starts a new session: its token, too
        with client.session_transaction() as session:
            session["csrf"] = "bench"
        if step == "login":
            assert client.post("/moderate/login", data=login).status_code == 302
    form = {
        "csrf_token": "bench",
        "step": "preview",
        **{k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in PROPOSED.items()},
    }
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.post("/moderate/admin/sites/1/settings", data=form)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:2000]
    return timings


def measure(backend: str, count: int, repeat: int) -> None:
    """Print the seed time, then the median and worst replay and preview page times."""
    url = databases.fresh_postgres("_preview") if backend == "postgresql" else None
    if backend == "postgresql" and url is None:
        print("postgresql: unreachable, skipped")
        return
    url = url or databases.fresh_sqlite("preview")
    started = time.perf_counter()
    app = seeded_app(url, count)
    seconds = time.perf_counter() - started
    print(f"{backend}: {count:,} comments over {DAYS} days seeded in {seconds:.0f} s")
    walls, cpus, total, moved = time_replay(app, repeat)
    print(
        f"  replay        median {statistics.median(walls):6.2f} s  worst {max(walls):6.2f} s"
        f"  CPU median {statistics.median(cpus):.2f} s"
        f"  ({total:,} replayed, {moved:,} would move; {repeat} runs)"
    )
    pages = time_page(app, repeat)
    print(
        f"  preview page  median {statistics.median(pages):6.2f} s  worst {max(pages):6.2f} s"
        f"  (POST /moderate/admin/sites/1/settings; {repeat} runs)"
    )
    databases.release(app, url)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.preview",
        description=__doc__.split("\n\n")[0],
        epilog="PostgreSQL: BENCH_POSTGRES_URL names the server; '_preview' is added to its "
        "database name, which is dropped and recreated.",
    )
    parser.add_argument("--count", type=int, default=100_000, help="comments (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        action="append",
        help="measure only this backend (repeatable; default both)",
    )
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.ERROR)
    for backend in args.backend or ("sqlite", "postgresql"):
        measure(backend, args.count, args.repeat)


if __name__ == "__main__":
    main()
