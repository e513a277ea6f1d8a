"""Time `flask model retrain` on N labelled comments: `python -m research.retrain_cost N`.

Fills a fresh database (a temporary SQLite file unless --database is given) with N campaign
comments and readers' replies, each with a moderator's decision, then runs the retrain
command in its own process. The last stdout line is JSON: labels, wall and CPU seconds, the
peak memory of the retrain process and of its whole process tree (the retrain and the worker
processes it starts, their resident sets summed every 0.1 s), and the decision.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path

import sqlalchemy as sa

from research import campaign
from service import create_app, migrate
from service.clock import now
from service.config import ROOT
from service.db import db
from service.tables import (
    Comment,
    ModelVersion,
    ModerationAction,
    Moderator,
    RetrainRun,
    Site,
    Status,
)

BATCH = 5000


def fill(count: int) -> None:
    """Insert count decided comments (about half spam) with Core bulk inserts."""
    started = now()
    site = db.session.execute(
        sa.insert(Site).values(name="bench", key_id="bench", key_hash="-", created_at=started)
    ).inserted_primary_key[0]
    moderator = db.session.execute(
        sa.insert(Moderator).values(
            email="bench@example.org",
            role="moderator",
            key_id="bench",
            key_hash="-",
            created_at=started,
        )
    ).inserted_primary_key[0]
    records = campaign.comments(count, seed=1)
    next_id = 1
    while batch := list(islice(records, BATCH)):
        rows, actions = [], []
        for record in batch:
            status = Status.SPAM if record["label"] == "spam" else Status.APPROVED
            rows.append(
                {
                    "id": next_id,
                    "site_id": site,
                    "post_id": record["post_id"],
                    "author_name": record["author_name"],
                    "author_email": record["author_email"],
                    "author_url": record["author_url"],
                    "content": record["content"],
                    "status": status,
                    "reasons": [],
                    "created_at": started,
                    "version": 2,
                }
            )
            actions.append(
                {
                    "comment_id": next_id,
                    "moderator_id": moderator,
                    "from_status": Status.PENDING,
                    "to_status": status,
                    "created_at": started,
                }
            )
            next_id += 1
        db.session.execute(sa.insert(Comment), rows)
        db.session.execute(sa.insert(ModerationAction), actions)
    db.session.commit()


def prepare(count: int) -> None:
    """Fill an empty database with count labels, or reset one filled before to its state
    before that run's retrain (its labels kept, its models and retrain records removed)."""
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
    if stored == 0:
        fill(count)
        return
    if stored != count:
        raise SystemExit(f"the database holds {stored} comments, not 0 or {count}")
    print(f"reusing {stored} labelled comments", file=sys.stderr)
    db.session.execute(sa.delete(RetrainRun))
    db.session.execute(sa.delete(ModelVersion))
    db.session.commit()


def tree_rss(pid: int) -> int:
    """Bytes resident in a process and all its descendants now (0 once it has gone)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        rss = [line for line in status.splitlines() if line.startswith("VmRSS:")]
        total += int(rss[0].split()[1]) * 1024 if rss else 0
        pending += [int(child) for child in children]
    return total


def peak_tree_rss(process: subprocess.Popen, every: float = 0.1) -> int:
    """Wait for a process, sampling its tree's resident memory; return the peak in bytes."""
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(every)
    return peak


def main(argv=None) -> int:
    """Fill a database with labels and time one retrain over them."""
    parser = argparse.ArgumentParser(prog="python -m research.retrain_cost", description=__doc__)
    parser.add_argument("labels", type=int, nargs="?", default=100_000)
    parser.add_argument(
        "--database",
        help="SQLAlchemy URL of an empty database, or of one an earlier run filled with as many "
        "labels: it is reused as it was before that run's retrain (default: temp SQLite)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_JSON": False})
        with app.app_context():
            migrate.upgrade(db.engine)
            prepare(args.labels)
            db.engine.dispose()
        # The real command in its own process, as `make retrain` runs it; progress shows live.
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "model", "retrain"]
        wall = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        with ThreadPoolExecutor(1) as pool:
            output = pool.submit(process.stdout.read)
            tree_peak = peak_tree_rss(process)
            stdout = output.result()
        wall = time.perf_counter() - wall
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(stdout, file=sys.stderr)
    decision = [line for line in stdout.splitlines() if line.startswith("decision")]
    summary = {"labels": args.labels, "wall_s": round(wall, 1)}
    summary["cpu_s"] = round(cpu.ru_utime + cpu.ru_stime, 1)
    summary["peak_rss_mib"] = round(cpu.ru_maxrss / 1024)
    summary["peak_tree_rss_mib"] = round(tree_peak / 2**20)
    summary.update(exit_code=process.returncode, decision=decision[0] if decision else None)
    print(json.dumps(summary))
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
