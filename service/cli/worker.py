"""`flask worker`: run the background jobs (digests, retraining, webhooks) beside the web server."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import worker

# Settings the worker reads, and the least each may be.
SETTINGS = {
    "RETRAIN_AFTER_LABELS": 0,
    "RETRAIN_EVERY_HOURS": 0,
    "WORKER_POLL_SECONDS": 0.1,
    "LEASE_SECONDS": 1,
}


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs that are due once, then exit (cron).")
@with_appcontext
def command(once):
    """Run the background jobs until SIGTERM or SIGINT: digests, retraining when due, webhooks."""
    config = current_app.config
    wrong = [
        f"{key} must be at least {least:g}"
        for key, least in SETTINGS.items()
        if config[key] < least
    ]
    if wrong:
        raise click.UsageError("; ".join(wrong))
    # LOG_JSON=0 leaves logging to the host; with none configured, still say what is done.
    logging.basicConfig(
        level=config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    worker.Worker(current_app._get_current_object()).serve(once)
