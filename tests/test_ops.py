"""Operations endpoints, the OpenAPI document and the model description."""

import contextlib
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import bearer, count_comments

from service import migrate
from service.db import create_engine


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_is_ready_with_database_and_model(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == "ok"


def test_readyz_is_degraded_without_a_model(make_app, tmp_path):
    response = make_app(MODEL_DIR=str(tmp_path)).test_client().get("/readyz")

    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["checks"]["model"].startswith("unavailable")


def test_readyz_fails_when_the_database_is_unreachable(make_app):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/none")
    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"]["database"].startswith("unavailable")


def read_only(database_url: str) -> str:
    """The same database opened so that it refuses every write, as a read-only disk would."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///file:{url.database}?mode=ro&uri=true"
    session = {"options": "-c default_transaction_read_only=on"}
    return url.update_query_dict(session).render_as_string(hide_password=False)


def test_readyz_fails_when_the_database_refuses_writes(
    make_app, database_url, site_headers, valid_comment
):
    client = make_app(DATABASE_URL=read_only(database_url)).test_client()

    ready = client.get("/readyz")
    posted = client.post("/api/v1/comments", json=valid_comment(), headers=site_headers)

    assert posted.status_code == 503  # the condition is real: a comment cannot be stored
    assert count_comments(make_app()) == 0
    assert ready.status_code == 503
    assert ready.get_json()["status"] == "unavailable"
    assert ready.get_json()["checks"]["database"].startswith("refuses writes: ")


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 4 MiB filesystem of its own (tmpfs), or skip where this user may not mount one."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)]
    mounted = subprocess.run(mount, capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Write a file until the filesystem has no byte left."""
    with (folder / "filler").open("wb", buffering=0) as filler:
        for size in (1 << 16, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    filler.write(b"\0" * size)


def test_readyz_fails_when_the_sqlite_disk_is_full(
    make_app, database_url, sqlite_template, small_disk, valid_comment
):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's disk is the server's: its writes answer 503 themselves")
    shutil.copy(sqlite_template, small_disk / "moderato.db")
    app = make_app(DATABASE_URL=f"sqlite:///{small_disk / 'moderato.db'}")
    site_key = app.test_cli_runner().invoke(args=["sites", "create", "news"]).output.split()[-1]
    client, headers = app.test_client(), bearer(site_key)
    before = client.get("/readyz").get_json()

    fill(small_disk)
    ready = client.get("/readyz")
    posted = client.post("/api/v1/comments", json=valid_comment(), headers=headers)

    assert before["checks"]["database"] == "ok"
    assert posted.status_code == 503  # the condition is real: a comment cannot be stored
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["database"].startswith("full: ")


def test_openapi_documents_every_endpoint_with_bearer_auth(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    assert set(spec["paths"]) >= {
        "/api/v1/comments",
        "/api/v1/posts/{post_id}/comments",
        "/api/v1/queue",
        "/api/v1/comments/{comment_id}",
        "/api/v1/comments/{comment_id}/moderate",
        "/api/v1/moderate",
        "/api/v1/model",
    }
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    submit = spec["paths"]["/api/v1/comments"]["post"]
    assert submit["security"] == [{"bearerAuth": []}]
    schema = spec["components"]["schemas"]["CommentIn"]
    assert set(schema["required"]) == {"post_id", "author_name", "author_email", "content"}
    assert "author_email" not in spec["components"]["schemas"]["PublicComment"]["properties"]


def test_model_endpoint_describes_the_serving_model(moderator):
    body = moderator.get("/api/v1/model").get_json()

    assert body["version"]
    assert 0 < body["threshold"] <= 1
    assert body["metrics"]


def test_model_endpoint_without_a_model_is_503(make_app, tmp_path, moderator_token):
    client = make_app(MODEL_DIR=str(tmp_path)).test_client()

    response = client.get("/api/v1/model", headers={"Authorization": f"Bearer {moderator_token}"})

    assert response.status_code == 503
    assert "no model" in response.get_json()["error"]


def test_unknown_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert set(response.get_json()) == {"error"}


def test_a_new_sqlite_database_and_its_wal_are_readable_by_the_owner_only(tmp_path):
    path = tmp_path / "instance" / "moderato.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:  # open while checking: -wal and -shm exist now
            connection.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
            modes = {file.name: stat.S_IMODE(file.stat().st_mode) for file in path.parent.iterdir()}
    finally:
        engine.dispose()

    assert modes == {"moderato.db": 0o600, "moderato.db-wal": 0o600, "moderato.db-shm": 0o600}
