"""Operations endpoints, the OpenAPI document and the model description."""

import stat

import sqlalchemy as sa

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
