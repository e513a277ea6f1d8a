"""`flask model ...`: retrain on moderators' labels, list versions, roll back, import."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from model import retrain as recipe

from .. import leases, registry, retrain, scoring
from ..clock import now
from ..db import db

group = AppGroup("model", help="Retrain, list and roll back model versions.")


def _progress(message: str) -> None:
    """Print a progress line to stderr, keeping stdout for the result."""
    click.echo(f"[retrain] {message}", err=True)


@group.command("retrain")
@click.option("--force", is_flag=True, help="Promote the challenger even if it is worse.")
@click.option("--margin", type=float, help="How much worse may still promote (RETRAIN_MARGIN).")
def retrain_command(force, margin):
    """Train on the corpora plus moderators' labels; promote if not worse than the champion."""
    trigger = "make retrain --force" if force else "make retrain"
    chosen = retrain.options(current_app.config, margin)
    try:
        done = retrain.guarded(lambda _session: trigger, chosen, force, _progress)
    except leases.Held as held:
        raise click.ClickException(
            f"another retrain is running ({held}); try again later"
        ) from None
    except retrain.RetrainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(done.trained.evaluation.table(done.champion))
    click.echo(done.decision)


@group.command("list")
def list_command():
    """List stored versions, newest first, marking the one that serves."""
    serving = registry.serving(db.session)
    rows = registry.listing(db.session)
    if not rows:
        click.echo("the registry is empty: workers serve MODEL_DIR/LATEST (make train)")
    for row in rows:
        mark = "*" if serving is not None and row.id == serving.id else " "
        promoted = f"promoted {row.promoted_at:%Y-%m-%d %H:%M:%S}" if row.promoted_at else ""
        data = row.manifest.get("data") or []
        labels = next((d["rows"] for d in data if d.get("name") == recipe.SITE_GROUP), 0)
        click.echo(
            f"{mark} {row.version:<32} {row.status:<11} threshold {row.manifest['threshold']:.3f} "
            f"site labels {labels:<7} {promoted}"
        )


@group.command("rollback")
def rollback_command():
    """Serve the version promoted before the serving one again."""
    try:
        current, previous = registry.rollback(db.session, now())
    except registry.RegistryError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"rolled back {current.version} -> serving {previous.version}")


@group.command("import")
def import_command():
    """Store the model in MODEL_DIR/LATEST in the registry as the serving version."""
    config = current_app.config
    champion = scoring.load(Path(config["MODEL_DIR"]), config["SECRET_KEY"])
    if champion is None:
        raise click.ClickException("no loadable, signed model in MODEL_DIR (run make train)")
    row = registry.import_classifier(db.session, champion, config["SECRET_KEY"], now())
    registry.promote(db.session, row, now())
    db.session.commit()
    click.echo(f"imported and serving {row.version}")
