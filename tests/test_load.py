"""Load and contention through gunicorn: nothing acknowledged is lost, nothing decided twice.

`make loadtest` runs the load for 60 s with 50 clients; the suite runs it briefly.
"""

import os
import random
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa
from live import gunicorn, prepare
from load import comment, post_comments, record

SECONDS = float(os.environ.get("LOAD_SECONDS", 8))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", 50))
UNLIMITED = {"SITE_REQUESTS_PER_SECOND": "1000000"}


def query(database_url: str, sql: str) -> list:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql)).all()
    finally:
        engine.dispose()


def test_under_load_every_acknowledged_comment_is_stored(database_url, tmp_path, request):
    secrets = prepare(database_url)
    with gunicorn({"DATABASE_URL": database_url, **UNLIMITED}, tmp_path, workers=2) as server:
        result = post_comments(server.base, secrets["site"], clients=CLIENTS, seconds=SECONDS)
    found = {row.id for row in query(database_url, "SELECT id FROM comments")}

    backend = request.node.callspec.params["database_url"]
    record(f"load-{backend}", result, found, backend=backend, clients=CLIENTS, seconds=SECONDS)
    assert result.statuses[201] > 0
    assert result.server_errors == 0
    assert result.acknowledged <= found


def test_concurrent_moderators_decide_each_comment_exactly_once(database_url, tmp_path):
    secrets = prepare(database_url, moderators=4)
    with gunicorn({"DATABASE_URL": database_url, **UNLIMITED}, tmp_path, workers=2) as server:
        site = {"Authorization": f"Bearer {secrets['site']}"}
        ids = [
            requests.post(
                f"{server.base}/api/v1/comments", json=comment(n), headers=site, timeout=30
            ).json()["id"]
            for n in range(20)
        ]

        def work(token_and_action) -> list[int]:
            """Act on every comment, in an order of one's own, on the state the queue showed."""
            token, action = token_and_action
            order = random.Random(token).sample(ids, len(ids))
            with requests.Session() as session:
                session.headers["Authorization"] = f"Bearer {token}"
                body = {"action": action, "version": 1}
                return [
                    session.post(
                        f"{server.base}/api/v1/comments/{i}/moderate", json=body, timeout=30
                    ).status_code
                    for i in order
                ]

        jobs = zip(secrets["moderators"], ["approve", "reject", "spam", "approve"], strict=True)
        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = [code for codes in pool.map(work, jobs) for code in codes]
    actions = query(
        database_url, "SELECT comment_id, count(*) FROM moderation_actions GROUP BY comment_id"
    )

    assert (codes.count(200), codes.count(409)) == (20, 60)
    assert dict(actions) == {i: 1 for i in ids}
