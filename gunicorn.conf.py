"""gunicorn as deployed: `gunicorn -c gunicorn.conf.py wsgi:app` (what `make serve` runs).

Every setting can be overridden from the environment, e.g. WEB_CONCURRENCY=4.
"""

import os
import shutil
import tempfile

bind = os.environ.get("BIND", "127.0.0.1:5000")
# One worker per core: scoring is CPU-bound, and a worker computes one request at a time.
workers = int(os.environ.get("WEB_CONCURRENCY", 2))
# gevent: a connection costs a greenlet, not a whole worker, so clients that send their
# headers a byte a second cannot take every worker (a sync worker is theirs until the
# 30 s timeout kills it; a gthread thread is theirs until their headers end).
worker_class = "gevent"
# Open connections per worker (default 1000), slow ones included: each holds a greenlet and
# a file descriptor, so keep it under the open-file limit (ulimit -n) less the pool's.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", 1000))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Under gevent this also bounds how long a request line and headers may take to arrive
# (gunicorn reads them under gevent.Timeout(keepalive)); 0 would leave them unbounded.
keepalive = 5
# Each worker's own JSON access line is logged by the app; gunicorn's is redundant.
accesslog = None
errorlog = "-"

# Prometheus: every worker writes its samples here, /metrics adds them up.
# prometheus_client chooses in-memory or file-backed samples once, when it is first
# imported, so nothing here may import it before this variable is set (see child_exit).
_made_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="moderato-metrics-")
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]


def on_starting(server):
    """Start from an empty metrics folder so counts begin at zero with the master."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    """Drop a dead worker's live gauges (e.g. the model version it served)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics folder made for this run; one the operator named is kept."""
    if _made_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
