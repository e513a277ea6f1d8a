"""Alembic environment: migrates the database the app is configured for."""

from alembic import context

from service.tables import Base, UTCDateTime

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    raise SystemExit("run migrations through the app: flask --app wsgi db upgrade")


def render_item(kind, obj, autogen_context):
    """Render app-side column types as plain SQLAlchemy ones, so migrations never import the app."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
