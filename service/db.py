"""The database: one engine per app, one session per request."""

from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import orm


def sqlite_file(url: sa.URL) -> Path | None:
    """The file an SQLite URL names; None for another database, memory or a URI filename."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    # A URI filename (uri=true, e.g. file:...?mode=ro) is SQLite's to open as it says.
    return None if "uri" in url.query else Path(url.database)


def create_engine(url: str) -> sa.Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    Statement parameters never appear in errors or logs: they hold readers' emails and IPs.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    path = sqlite_file(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readers' emails and IPs: owner only. SQLite gives -wal and -shm the file's mode.
        path.touch(mode=0o600, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": 15}, hide_parameters=True)

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # WAL lets readers work while a comment is being written; synchronous
        # stays FULL so that a 201 survives a power cut, not only a crash.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # SQLite's own lower() folds ASCII only; PostgreSQL's folds every letter.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    return engine


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class Database:
    """Holds the engine of each app and hands out request-scoped sessions."""

    def init_app(self, app: Flask) -> None:
        """Create the app's engine and close its session after each request."""
        engine = create_engine(app.config["DATABASE_URL"])
        app.extensions["moderato.db"] = orm.sessionmaker(engine, expire_on_commit=False)
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> sa.Engine:
        """The current app's engine."""
        return current_app.extensions["moderato.db"].kw["bind"]

    @property
    def session(self) -> orm.Session:
        """The session of the current app context, created on first use."""
        if "db_session" not in g:
            g.db_session = current_app.extensions["moderato.db"]()
        return g.db_session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
