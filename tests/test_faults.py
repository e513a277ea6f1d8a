"""Faults survived: a broken model, a full or read-only disk, a killed worker, a stopped DB."""

import os
import shutil
import signal
import threading
import time

import pytest
import requests
import sqlalchemy as sa
from live import PG_BIN, gunicorn, prepare, private_postgres
from load import comment, post_comments, record
from support import MODEL_DIR, count_comments, stored_ids

from service.db import db


@pytest.fixture
def app(make_app):
    """An app whose per-site request limit stays out of the way of many quick posts."""
    return make_app(SITE_REQUESTS_PER_SECOND=100_000)


def break_truncated(folder):
    artifact = folder / "model.joblib"
    artifact.write_bytes(artifact.read_bytes()[:1000])


def break_tampered(folder):
    artifact = folder / "model.joblib"
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))


def break_missing(folder):
    (folder / "model.joblib").unlink()


def break_versions(folder):
    manifest = folder / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"scikit-learn": "', '"scikit-learn": "0.'))


@pytest.mark.parametrize("damage", [break_truncated, break_tampered, break_missing, break_versions])
def test_a_broken_model_leaves_the_service_up_and_comments_unscored(
    make_app, tmp_path, site_headers, valid_comment, caplog, damage
):
    models = tmp_path / "models"
    shutil.copytree(MODEL_DIR, models)
    damage(models / (models / "LATEST").read_text().strip())

    app = make_app(MODEL_DIR=str(models))
    client = app.test_client()
    response = client.post("/api/v1/comments", json=valid_comment(), headers=site_headers)

    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"
    assert response.get_json()["reasons"] == ["unscored"]
    assert client.get("/readyz").get_json()["status"] == "degraded"
    assert any("model refused" in record.getMessage() for record in caplog.records)


def test_a_read_only_database_answers_503_and_changes_nothing(
    make_app, database_url, site_key, valid_comment
):
    if not database_url.startswith("sqlite"):
        pytest.skip("read-only files are an SQLite concern")
    path = database_url.removeprefix("sqlite:///")
    app = make_app(DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true")

    response = app.test_client().post(
        "/api/v1/comments", json=valid_comment(), headers={"Authorization": f"Bearer {site_key}"}
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {"error": "storage is unavailable, try again later"}
    assert count_comments(make_app()) == 0


def test_a_full_disk_answers_503_and_leaves_the_database_whole(
    app, database_url, submit, valid_comment, site_headers
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's own 'database or disk is full' error stands in for a full disk")
    assert submit().status_code == 201
    with app.app_context():

        @sa.event.listens_for(db.engine, "connect")
        def _no_room_to_grow(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            # Cap the file at its current size: the next page it needs is "disk full".
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages}")
            cursor.close()

        db.engine.dispose()

    client = app.test_client()
    responses = [
        client.post(
            "/api/v1/comments",
            json={**comment(n), "content": f"{n} " + "x" * 9_000},
            headers=site_headers,
        )
        for n in range(40)
    ]

    assert 503 in {r.status_code for r in responses}
    assert {r.status_code for r in responses} <= {201, 503}, [r.get_json() for r in responses]
    with app.app_context():
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    acknowledged = {r.get_json()["id"] for r in responses if r.status_code == 201}
    assert count_comments(app) == 1 + len(acknowledged)


def test_killing_a_worker_under_load_loses_no_acknowledged_comment(database_url, tmp_path, request):
    secrets = prepare(database_url)
    env = {"DATABASE_URL": database_url, "SITE_REQUESTS_PER_SECOND": "100000"}
    with gunicorn(env, tmp_path, workers=2) as server:
        killer = threading.Timer(2.0, lambda: os.kill(server.worker_pids()[0], signal.SIGKILL))
        killer.start()
        result = post_comments(server.base, secrets["site"], clients=8, seconds=6)
        killer.join()
    found = stored_ids(database_url)
    record(f"kill-worker-{request.node.callspec.params['database_url']}", result, found)

    assert result.statuses[201] > 0
    assert result.server_errors == 0
    assert result.acknowledged <= found


@pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL server binaries are not installed")
def test_a_stopped_database_answers_503_and_recovers_by_itself(tmp_path):
    with private_postgres() as postgres:
        secrets = prepare(postgres.url)
        env = {"DATABASE_URL": postgres.url, "SITE_REQUESTS_PER_SECOND": "100000"}
        with gunicorn(env, tmp_path, workers=2) as server:
            headers = {"Authorization": f"Bearer {secrets['site']}"}

            def post(n):
                url = f"{server.base}/api/v1/comments"
                return requests.post(url, json=comment(n), headers=headers, timeout=30)

            before = post(0)
            postgres.stop()
            during = [post(n) for n in range(1, 4)]
            postgres.start()
            deadline, after = time.monotonic() + 20, None
            while after is None or after.status_code != 201:
                assert time.monotonic() < deadline, "the service did not recover within 20 s"
                after = post(int(time.monotonic() * 1000))
        found = stored_ids(postgres.url)

    assert before.status_code == 201
    assert [r.status_code for r in during] == [503, 503, 503]
    assert all(r.headers["Retry-After"] == "5" for r in during)
    assert {before.json()["id"], after.json()["id"]} <= found
