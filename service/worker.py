"""The background worker: jobs that run away from any request, on a poll, until stopped.

`flask --app wsgi worker` runs every job at each poll (WORKER_POLL_SECONDS); `--once` runs
them once, for cron. A job decides for itself whether it is due, and guards itself against
the same job in other workers (a lease, or row locks on its queue), so any number of workers
may run on any number of hosts against one database. A job that fails is logged and tried
again at the next poll; it must record enough that it does not fail again at once.
SIGTERM or SIGINT stops the worker: at once when it waits, and in the middle of a job too,
which then records that it was stopped (a retrain is redone by the next worker).
"""

import logging
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import orm

from . import digests, labels, leases, retrain, webhooks
from .clock import now
from .db import db

log = logging.getLogger(__name__)


class Stopped(BaseException):
    """SIGTERM or SIGINT arrived: unwind whatever runs (not an Exception, so no job swallows it)."""


@dataclass(frozen=True)
class Job:
    """Work the worker does whenever it is due: run() is called at each poll, in an app context."""

    name: str
    run: Callable[[], None]


def retrain_due(session: orm.Session, config: Mapping) -> str | None:
    """Say why a retrain is due, or None: enough new labels, or one that has waited long enough.

    New labels: labels whose latest decision came after the last counted retrain started
    (retrain.latest); before any retrain, every label is new.
    """
    last = retrain.latest(session, counted=True)
    new, oldest = labels.new_since(session.connection(), last.label_mark if last else 0)
    enough, hours = config["RETRAIN_AFTER_LABELS"], config["RETRAIN_EVERY_HOURS"]
    if last is None and new < retrain.MIN_LABELS:
        return None  # a first retrain would only fail for want of labels
    counted = f"{new} new label{'s' if new != 1 else ''}"
    if enough and new >= enough:
        return counted
    if hours and new and now() - oldest >= timedelta(hours=hours):
        period = "daily" if hours == 24 else f"every {hours:g} h"
        return f"{period}: {counted}"
    return None


def retrain_when_due() -> None:
    """Retrain through the champion/challenger guard when due, unless another host is at it."""
    config = current_app.config
    if retrain_due(db.session, config) is None:  # read-only: takes no lease while nothing is due
        return
    try:
        done = retrain.guarded(
            lambda session: retrain_due(session, config),  # asked again under the lease
            retrain.options(config),
            False,
            lambda message: log.info("retrain: %s", message),
        )
    except leases.Held as held:
        log.info("a retrain is due, but another worker is at it: %s", held)
        return
    if done is not None:
        log.info("retrained (%s): %s", done.run.trigger, done.decision)


# Digests first: a retrain of minutes would otherwise hold up the email of that poll.
JOBS = (
    Job("digests", digests.send_due),
    Job("retrain", retrain_when_due),
    Job("webhooks", webhooks.deliver_due),
)
# systemd and kill send SIGTERM; Ctrl-C sends SIGINT.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Worker:
    """Runs the jobs at each poll until stopped by SIGTERM or SIGINT."""

    def __init__(self, app: Flask, jobs: Sequence[Job] = JOBS):
        self.app, self.jobs = app, jobs
        self.stopping = threading.Event()

    def run_once(self) -> None:
        """Run each job once, each in an app context of its own; one failing stops no other."""
        for job in self.jobs:
            with self.app.app_context():
                try:
                    job.run()
                except Exception:  # any failure of one job: logged, and the next poll goes on
                    log.exception("job %s failed; it runs again when next due", job.name)

    def serve(self, once: bool = False) -> None:
        """Poll until stopped (or run the jobs once); a stop ends the running job too."""
        names = ", ".join(job.name for job in self.jobs)
        poll = self.app.config["WORKER_POLL_SECONDS"]
        log.info("worker started: %s, %s", names, "once" if once else f"every {poll:g}s")
        previous = {signum: signal.signal(signum, self._stop) for signum in STOP_SIGNALS}
        try:
            while not self.stopping.is_set():
                self.run_once()
                if once:
                    break
                self.stopping.wait(poll)
        except Stopped:
            pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        log.info("worker stopped")

    def _stop(self, signum: int, _frame) -> None:
        """Unwind at once, the first time; later signals wait for that to finish."""
        name = signal.Signals(signum).name
        if self.stopping.is_set():
            log.info("%s: already stopping", name)
            return
        self.stopping.set()
        log.info("%s: stopping", name)
        raise Stopped(name)
