"""Fixtures: an app on a fresh database per test (SQLite, and PostgreSQL where available)."""

import itertools
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from support import CONSOLE_PASSWORD, MODEL_DIR, SECRET, FixedClassifier, bearer

from service import create_app, migrate, settings
from service.db import create_engine, db
from service.tables import Base

# Under pytest-xdist each worker ("gw0", "gw1", ...) has a database and a Redis db of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _own_database(url: str | None) -> str | None:
    """The worker's own PostgreSQL database beside TEST_DATABASE_URL's, created when missing."""
    if not url or not WORKER:
        return url
    base = sa.make_url(url)
    own = base.set(database=f"{base.database}_{WORKER}")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def _own_redis(url: str | None) -> str | None:
    """The worker's own Redis database number: TEST_REDIS_URL's, plus one per worker."""
    if not url or not WORKER:
        return url
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + 1 + int(WORKER.removeprefix("gw"))
    return parts._replace(path=f"/{number}").geturl()


POSTGRES_URL = _own_database(os.environ.get("TEST_DATABASE_URL"))
REDIS_URL = _own_redis(os.environ.get("TEST_REDIS_URL"))


class Clock:
    """A clock the tests move by hand instead of sleeping."""

    def __init__(self):
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        """Move the clock forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "moderato.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine():
    """The PostgreSQL test database, migrated once; None-skip where it is not configured."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (.ci/run sets it)")
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, sqlite_template) -> str:
    """A database URL with the current schema and no rows, for each backend."""
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "moderato.db")
        return f"sqlite:///{tmp_path / 'moderato.db'}"
    engine = request.getfixturevalue("postgres_engine")
    # DELETE and setval, not TRUNCATE ... RESTART IDENTITY: the tables hold a test's few rows,
    # which DELETE removes in milliseconds, where TRUNCATE's new files cost 0.25 to 0.45 s
    # per test here, a third of the suite's PostgreSQL setup.
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        connection.execute(
            sa.text(
                "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false)"
                " FROM pg_sequences WHERE schemaname = 'public'"
            )
        )
    return POSTGRES_URL


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_app(database_url, clock):
    """Build an app on this test's database; keyword arguments override the config."""
    apps = []

    def make(**config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": database_url,
            "MODEL_DIR": str(MODEL_DIR),
            "CLOCK": clock,
            "LOG_JSON": False,
            # A cheap scrypt: a console test hashes up to five passwords, each 0.17 s at the
            # default cost on CI's machine. test_console checks the default cost itself.
            "PASSWORD_SCRYPT_N": 2**10,
        }
        apps.append(create_app({**settings, **config}))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def create_secret(runner):
    """Run a `create` command and return the secret it prints on its last line."""

    def create(*args: str) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output.strip().splitlines()[-1]

    return create


@pytest.fixture
def site_key(create_secret) -> str:
    return create_secret("sites", "create", "news")


@pytest.fixture
def moderator_token(create_secret) -> str:
    return create_secret("moderators", "create", "ed@news.example")


def _valid_comment(**overrides) -> dict:
    """A valid submission body, with any field overridden."""
    body = {
        "post_id": "relatives-of-missing-kazakhs-fall-silent",
        "author_name": "Aigerim",
        "author_email": "aigerim@example.kz",
        "author_url": "https://example.kz/blog",
        "content": "My uncle has been missing since 2018. Thank you for reporting on this.",
        "user_ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "referrer": "https://news.example/relatives-of-missing-kazakhs",
    }
    body.update(overrides)
    return body


@pytest.fixture
def valid_comment():
    """Build a valid submission body, with any field overridden."""
    return _valid_comment


@pytest.fixture
def site_headers(site_key) -> dict:
    return bearer(site_key)


@pytest.fixture
def reader_pace() -> timedelta:
    """How long after the last the `submit` fixture posts: past the default flood interval."""
    return timedelta(seconds=settings.DEFAULTS.flood_interval_seconds)


@pytest.fixture
def submit(client, site_headers, clock, reader_pace):
    """Post a comment (a valid one unless overridden) with the site's key."""

    count = itertools.count(1)

    def post(**overrides):
        n = next(count)
        # Each default comment says something new, so none is refused as a duplicate,
        # and comes as a person writes, so flood control lets a reader's comments in.
        overrides.setdefault("content", f"{_valid_comment()['content']} ({n})")
        if n > 1:
            clock.advance(seconds=reader_pace.total_seconds())
        return client.post(
            "/api/v1/comments", json=_valid_comment(**overrides), headers=site_headers
        )

    return post


@pytest.fixture
def moderator(client, moderator_token):
    """Call the moderator API: moderator.get(path) / moderator.post(path, json)."""

    class Moderator:
        headers = bearer(moderator_token)

        def get(self, path, **kwargs):
            return client.get(path, headers=self.headers, **kwargs)

        def post(self, path, json):
            return client.post(path, json=json, headers=self.headers)

    return Moderator()


@pytest.fixture
def console_account(runner):
    """Create a moderator with a console password (CLI, prompted); return its email."""

    def create(email: str = "desk@news.example", *flags: str) -> str:
        typed = f"{CONSOLE_PASSWORD}\n{CONSOLE_PASSWORD}\n"
        result = runner.invoke(
            args=["moderators", "create", email, "--password", *flags], input=typed
        )
        assert result.exit_code == 0, result.output
        return email

    return create


@pytest.fixture
def console(client, console_account):
    """A test client logged in to the console; console.post() adds the CSRF token."""

    class Console:
        def login(self, email: str = "desk@news.example", *flags: str, create: bool = True):
            if create:
                console_account(email, *flags)
            return self.post("/moderate/login", data={"email": email, "password": CONSOLE_PASSWORD})

        def token(self) -> str:
            with client.session_transaction() as session:
                return session.setdefault("csrf", "test-csrf-token")

        def get(self, path, **kwargs):
            return client.get(path, **kwargs)

        def post(self, path, data=None, **kwargs):
            return client.post(path, data={"csrf_token": self.token(), **(data or {})}, **kwargs)

    return Console()


# A real write failure, as a full disk gives, raised by the database itself; and its undoing
# (emptying the tables between tests leaves triggers in place).
_REFUSE_INSERTS = {
    "sqlite": (
        "CREATE TRIGGER refuse BEFORE INSERT ON comments "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
        "DROP TRIGGER refuse",
    ),
    "postgresql": (
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full' "
        "USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql; CREATE TRIGGER refuse BEFORE "
        "INSERT ON comments FOR EACH ROW EXECUTE FUNCTION refuse()",
        "DROP TRIGGER refuse ON comments; DROP FUNCTION refuse()",
    ),
}


@pytest.fixture
def refuse_inserts(app):
    """Make the database refuse every new comment, as a full disk would, until the test ends."""
    with app.app_context():
        create, drop = _REFUSE_INSERTS[db.engine.dialect.name]
        with db.engine.begin() as connection:
            connection.exec_driver_sql(create)
    yield
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(drop)


@pytest.fixture
def score_as(app):
    """Make the app score every comment `value` (spam threshold 0.9); None: unscored."""

    def set_score(value: float | None) -> None:
        app.extensions["moderato.classifier"] = None if value is None else FixedClassifier(value)

    return set_score


@pytest.fixture
def admin(client, create_secret):
    """Call the admin API with an admin's token: admin.get/put/patch(path, json)."""
    headers = bearer(create_secret("moderators", "create", "admin@news.example", "--admin"))

    class Admin:
        def get(self, path):
            return client.get(path, headers=headers)

        def put(self, path, json):
            return client.put(path, json=json, headers=headers)

        def patch(self, path, json):
            return client.patch(path, json=json, headers=headers)

    return Admin()


@pytest.fixture
def configure(admin, site_key):
    """Change the "news" site's settings through the admin API (PATCH), checking it worked."""

    def change(**settings) -> dict:
        response = admin.patch("/api/v1/sites/news/settings", settings)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return change


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis for the shared rate-limit tests, or skip saying why."""
    import redis

    url = REDIS_URL
    if not url:
        pytest.skip("shared rate limits need TEST_REDIS_URL (.ci/run sets it)")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {url} is unreachable: {error}")
    return url
