"""Fresh benchmark databases: SQLite files under bench/out/, a PostgreSQL database of our own.

Never the test database: the suite truncates that one.
"""

import os
from pathlib import Path

import sqlalchemy as sa

from bench.server import OUT, ROOT
from model.artifact import signing_key
from service import create_app, migrate
from service.db import create_engine, db

# Override with BENCH_POSTGRES_URL; the database named here is dropped and recreated.
POSTGRES = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/moderato_bench"
)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def fresh_sqlite(name: str) -> str:
    """The URL of an empty SQLite file bench/out/<name>.db."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres(suffix: str = "") -> str | None:
    """The URL of an empty PostgreSQL database (dropped and created), or None if unreachable."""
    url = sa.make_url(POSTGRES)
    url = url.set(database=f"{url.database}{suffix}")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = connection.dialect.identifier_preparer.quote(url.database)
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError:
        return None
    finally:
        admin.dispose()
    return url.render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    """Drop a benchmark database made by fresh_postgres."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = connection.dialect.identifier_preparer.quote(target.database)
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def release(app, url: str | None) -> None:
    """Close an app's connections and drop its database when fresh_postgres made it."""
    with app.app_context():
        db.engine.dispose()
    if url is not None and sa.make_url(url).get_backend_name() == "postgresql":
        drop_postgres(url)


def migrated_app(url: str, **config):
    """An app on url's database, migrated to the current schema, signing as the instance does."""
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    key = signing_key(ROOT / "instance" / "secret_key")
    return create_app({"DATABASE_URL": url, "SECRET_KEY": key, **config})
