"""Schema migrations with Alembic, run against the app's own engine."""

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _run(engine: sa.Engine, operation, *args, **kwargs) -> None:
    """Run an Alembic command on one connection of the engine, in one transaction."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        operation(config, *args, **kwargs)


def upgrade(engine: sa.Engine, revision: str = "heads") -> None:
    """Bring the database to the given revision (every newest head by default)."""
    _run(engine, command.upgrade, revision)


def revision(engine: sa.Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    _run(engine, command.revision, message=message, autogenerate=True)
