"""Moderato: a comment moderation service. `create_app` builds the Flask app."""

from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import akismet, cli, console, errors, headers, logs, metrics, ops, ratelimit, scoring
from .api import IdConverter, PathConverter, TextConverter, moderation, public, site_settings
from .config import INSTANCE, Config, load_secret_key
from .db import db
from .extensions import api
from .schemas import MAX_ID
from .tables import utcnow


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app: defaults, then the environment (Config), then the given mapping."""
    app = Flask(__name__, instance_path=str(INSTANCE))
    app.config.from_object(Config)
    app.config["CLOCK"] = utcnow
    app.config.update(config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_secret_key()
    if app.config["TRUSTED_PROXIES"]:
        # Only the client address: nothing here depends on the scheme or host a proxy reports.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=0)

    logs.init_app(app)
    metrics.init_app(app)
    headers.init_app(app)
    db.init_app(app)
    app.url_map.converters.update(id=IdConverter, default=TextConverter, path=PathConverter)
    api.init_app(app)
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(public.blp)
    api.register_blueprint(moderation.blp)
    api.register_blueprint(site_settings.blp)
    app.register_blueprint(ops.blp)
    app.register_blueprint(akismet.bp)
    console.init_app(app)
    errors.init_app(app)
    scoring.init_app(app)
    cli.init_app(app)
    ratelimit.init_app(app)
    return app
