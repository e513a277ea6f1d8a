"""Time `flask --app wsgi import wordpress` at 1k / 10k / 100k comments, and its resume.

    .venv/bin/python -m bench.wordpress_import [--comments 100000] [--interrupt-after N]
        [--signal TERM|KILL] [--backend sqlite --backend postgresql]

A fake WordPress (bench/fake_wordpress.py, the real JSON shape, served from a thread of this
process at full speed) holds the comments; the import command runs as deployed, in a
process of its own, into a fresh database per backend (PostgreSQL when BENCH_POSTGRES_URL's
server answers). Each import's wall time, CPU and peak RSS are its own process's (os.wait4:
the rusage RUSAGE_CHILDREN sums, for one child). At the largest size the import is then
run again into a fresh database and stopped with a signal once --interrupt-after comments
are stored; a second run resumes, and the database must then hold each comment exactly
once, every reply attached to its parent. Prints a line per run and a JSON line at the end.
Not part of `make bench`: a 100,000-comment import takes minutes.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench import databases, fake_wordpress
from bench.server import ROOT
from service.db import create_engine

FLASK = Path(sys.executable).parent / "flask"
SITE = "blog"
SIZES = (1_000, 10_000, 100_000)


def moderato(backend: str) -> str | None:
    """A fresh, migrated database with the site to import into; None if PostgreSQL is down."""
    if backend == "sqlite":
        url = databases.fresh_sqlite("wordpress_import")
    elif (url := databases.fresh_postgres("_wordpress_import")) is None:
        return None
    app = databases.migrated_app(url, LOG_JSON=False)
    result = app.test_cli_runner().invoke(args=["sites", "create", SITE])
    assert result.exit_code == 0, result.output
    return url


def start(site: fake_wordpress.FakeWordPress, url: str) -> subprocess.Popen:
    """Start the import command, as deployed, reading the fake site."""
    command = [str(FLASK), "--app", "wsgi", "import", "wordpress", site.base]
    command += ["--user", fake_wordpress.USER, "--site", SITE]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LOG_JSON": "0",
        "WORDPRESS_APP_PASSWORD": fake_wordpress.PASSWORD,
    }
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def finish(process: subprocess.Popen, started: float) -> dict:
    """Wait for an import; its exit code, wall seconds, CPU seconds, peak RSS and summary."""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "exit_code": process.returncode,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "summary": process.stdout.read().strip().splitlines(),
    }


def timed(site: fake_wordpress.FakeWordPress, url: str) -> dict:
    """Run one import to its end; its figures and the comment pages it asked for."""
    pages, started = len(site.pages), time.perf_counter()
    figures = finish(start(site, url), started)
    if figures["exit_code"]:
        raise SystemExit(f"the import failed: {figures}")
    return {**figures, "pages_read": len(site.pages) - pages}


def stored(engine: sa.Engine) -> int:
    """How many comments the database holds."""
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT count(*) FROM comments"))


def stop_when_stored(process: subprocess.Popen, url: str, count: int, sig: int) -> None:
    """Send a running import sig once the database holds count comments (or it has ended)."""
    engine = create_engine(url)
    try:
        while process.poll() is None and stored(engine) < count:
            time.sleep(0.05)
        process.send_signal(sig)
    finally:
        engine.dispose()


def interrupted(site: fake_wordpress.FakeWordPress, url: str, after: int, sig: int) -> dict:
    """Run an import and send it sig once `after` comments are stored; what it left."""
    started = time.perf_counter()
    process = start(site, url)
    stop_when_stored(process, url, after, sig)
    figures = finish(process, started)
    engine = create_engine(url)
    try:
        return {**figures, "stored_when_stopped": stored(engine)}
    finally:
        engine.dispose()


def check(url: str) -> dict:
    """What the database holds: comments, distinct WordPress ids, and replies left unattached."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            comments, distinct = connection.execute(
                sa.text("SELECT count(*), count(DISTINCT import_id) FROM comments")
            ).one()
            unattached = connection.scalar(
                sa.text(
                    "SELECT count(*) FROM comments c JOIN comments p ON p.site_id = c.site_id "
                    "AND p.import_source = c.import_source AND p.import_id = c.import_parent_id "
                    "WHERE c.parent_id IS NULL"
                )
            )
            decisions = connection.scalar(sa.text("SELECT count(*) FROM moderation_actions"))
    finally:
        engine.dispose()
    return {
        "comments": comments,
        "distinct_ids": distinct,
        "unattached_replies": unattached,
        "decisions": decisions,
    }


def measure(backend: str, sizes: list[int], after: int, sig: int) -> dict | None:
    """Time the import at each size, then an interrupted one and its resume, on one backend."""
    runs = {}
    for size in sizes:
        if (url := moderato(backend)) is None:
            print(f"{backend}: unreachable at {databases.POSTGRES}, skipped", flush=True)
            return None
        with fake_wordpress.serving(size) as site:
            runs[size] = timed(site, url)
            runs[size]["stored"] = check(url)["comments"]
        print(f"{backend} {size:,}: {json.dumps(runs[size])}", flush=True)
    size, url = sizes[-1], moderato(backend)
    with fake_wordpress.serving(size) as site:
        stopped = interrupted(site, url, after, sig)
        print(f"{backend} stopped: {json.dumps(stopped)}", flush=True)
        resumed = timed(site, url)
        print(f"{backend} resumed: {json.dumps(resumed)}", flush=True)
        again = timed(site, url)
    held = check(url)
    exact = held["comments"] == held["distinct_ids"] == size and not held["unattached_replies"]
    if backend == "postgresql":
        databases.drop_postgres(url)
    return {
        "runs": {str(size): figures for size, figures in runs.items()},
        "stopped": stopped,
        "resumed": resumed,
        "again": again,
        "held": held,
        "each_comment_once": exact,
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the options and measure each backend."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000, help="the largest size")
    parser.add_argument(
        "--interrupt-after", type=int, help="stop the last import after this many are stored"
    )
    parser.add_argument("--signal", choices=("TERM", "KILL", "INT"), default="TERM")
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"))
    options = parser.parse_args(argv)
    if options.comments < 1:
        parser.error("--comments must be positive")
    sizes = [size for size in SIZES if size < options.comments] + [options.comments]
    after = options.interrupt_after or options.comments * 6 // 10
    if not 0 < after < options.comments:
        parser.error("--interrupt-after must be between 0 and --comments")
    sig = signal.Signals[f"SIG{options.signal}"]
    results = {}
    for backend in options.backend or ["sqlite", "postgresql"]:
        results[backend] = measure(backend, sizes, after, sig)
    print(json.dumps({"comments": options.comments, "interrupt_after": after, **_brief(results)}))


def _brief(value):
    """The results without the commands' own words, for the last line."""
    if isinstance(value, dict):
        return {key: _brief(item) for key, item in value.items() if key != "summary"}
    return value


if __name__ == "__main__":
    main()
