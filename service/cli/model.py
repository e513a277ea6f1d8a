"""`flask model ...`: retrain on moderators' labels, list versions, roll back, import."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from model import retrain as recipe

from .. import registry, retrain, scoring
from ..clock import now
from ..db import db

group = AppGroup("model", help="Retrain, list and roll back model versions.")


def _progress(message: str) -> None:
    """Print a progress line to stderr, keeping stdout for the result."""
    click.echo(f"[retrain] {message}", err=True)


def options(margin: float | None = None) -> recipe.Options:
    """Read the retrain options from the app's config, with an optional margin override."""
    config = current_app.config
    return recipe.Options(
        corpora=config["RETRAIN_CORPORA"],
        holdout=config["RETRAIN_HOLDOUT"],
        margin=config["RETRAIN_MARGIN"] if margin is None else margin,
        weight_max=config["LABEL_WEIGHT_MAX"],
        max_tested=config["RETRAIN_MAX_TESTED"],
        max_labels=config["RETRAIN_MAX_LABELS"],
    )


@group.command("retrain")
@click.option("--force", is_flag=True, help="Promote the challenger even if it is worse.")
@click.option("--margin", type=float, help="How much worse may still promote (RETRAIN_MARGIN).")
def retrain_command(force, margin):
    """Train on the corpora plus moderators' labels; promote if not worse than the champion."""
    champion = scoring.classifier()
    chosen = options(margin)
    try:
        evaluation, row, promoted = retrain.run(
            db.session, champion, current_app.config["SECRET_KEY"], chosen, force, now(), _progress
        )
    except retrain.RetrainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(evaluation.table(champion.version if champion else None))
    click.echo(decision(evaluation, chosen.margin, promoted, row.version))


def decision(evaluation: recipe.Evaluation, margin: float, promoted: bool, version: str) -> str:
    """Say what was decided and why, in one line."""
    name = evaluation.metric
    new = evaluation.challenger[name]
    if evaluation.champion is None:
        why = "no champion to compare with"
    else:
        old = evaluation.champion[name]
        sign = ">=" if evaluation.better else "<"
        why = f"challenger {name} {new:.3f} {sign} champion {old:.3f} - margin {margin:g}"
    if promoted and not evaluation.better:
        return f"decision: PROMOTED {version} by --force although worse ({why})"
    if promoted:
        return f"decision: PROMOTED {version} ({why}); workers load it within MODEL_POLL_SECONDS"
    return f"decision: KEPT the champion; {version} stored as rejected ({why}; --force to promote)"


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
