"""Compare gunicorn worker classes on the POST path: rate, latency and workers' CPU per comment.

    .venv/bin/python -m bench.workers --seconds 8 "-k sync" "-k gevent" "-k sync" "-k gevent"

Each argument is a GUNICORN_CMD_ARGS value laid over gunicorn.conf.py. Runs alternate, so a
shared machine's load falls on every class alike; CPU time per request (from /proc) is the
figure that load disturbs least. SQLite, 2 workers, wrk at 4 connections (as make bench).
"""

import argparse
import os
import uuid

from bench import databases, ingest, server
from bench.load import wrk

WORKERS = 2


def measure(spec: str, seconds: float, run: int) -> str:
    """Serve the app with one worker class, load it with wrk, and describe what it cost."""
    os.environ["GUNICORN_CMD_ARGS"] = spec
    env = ingest.app_env(databases.fresh_sqlite(f"workers-{run}"), shared_limits=False)
    token = ingest.provision(env)
    with server.serve("wsgi:app", env, WORKERS, "/healthz") as (base, pid):
        wrk(f"{base}/api/v1/comments", 2, WORKERS, token, uuid.uuid4().hex[:8])  # warm-up
        cpu = server.workers_cpu_seconds(pid)
        load = wrk(f"{base}/api/v1/comments", seconds, WORKERS, token, uuid.uuid4().hex[:8])
        cpu = server.workers_cpu_seconds(pid) - cpu
    return (
        f"{spec:30} {load.rate:7.1f} req/s  {1e3 * cpu / load.requests:6.2f} ms CPU/comment  "
        f"p50 {load.p50_ms:g} ms  p99 {load.p99_ms:g} ms  errors {load.errors}"
    )


def main() -> int:
    """Measure each worker class given, in the order given."""
    cli = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__)
    cli.add_argument("specs", nargs="+", metavar="GUNICORN_CMD_ARGS", help='e.g. "-k sync"')
    cli.add_argument("--seconds", type=float, default=8, help="load per run (default 8)")
    options = cli.parse_args()
    for run, spec in enumerate(options.specs):
        print(measure(spec, options.seconds, run), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
