"""Time `flask --app wsgi import wordpress` on N comments of a real WordPress (issue #15).

`python -m research.import_wordpress --help`. Starts the tests' WordPress (Debian's, on
Apache with MariaDB: tests/wordpress.py, so root and its packages are needed), fills it with
N comments in one SQL statement (60 % approved, 15 % held, 20 % spam, 5 % trash, one in five
a reply), makes the admin an application password inside WordPress, then runs the import
command as deployed, in a process of its own, into a fresh Moderato database per backend:
once, and again to show that a second run adds nothing (reading every page again); with
--interrupt-after N, once more into a fresh database, stopped by SIGTERM when N comments
are stored, and then the run that resumes it. Prints one JSON line per run: wall
seconds, peak RSS, CPU, what WordPress was sent and how long it took to answer. Everything
it changed on the machine is undone when it ends.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import databases, wordpress_import
from service import create_app, migrate
from service.config import ROOT
from service.db import db
from service.imports.wordpress import USER_AGENT

sys.path.insert(0, str(ROOT / "tests"))
import wordpress  # the tests' harness, importable once tests/ is on the path

FLASK = Path(sys.executable).parent / "flask"
SITE = "blog"
# One statement, rows from MariaDB's sequence engine: every comment different, dated three
# hours apart from 2015, each status in proportion, every fifth answering the one before.
FILL = """
INSERT INTO wp_comments (comment_ID, comment_post_ID, comment_author, comment_author_email,
    comment_author_url, comment_author_IP, comment_date, comment_date_gmt, comment_content,
    comment_karma, comment_approved, comment_agent, comment_type, comment_parent, user_id)
SELECT seq, 1, CONCAT('Reader ', seq % 997), CONCAT('reader', seq % 997, '@readers.example'),
    IF(seq % 3 = 0, CONCAT('https://reader', seq % 997, '.example/'), ''),
    CONCAT('198.51.100.', seq % 254 + 1),
    '2015-01-01' + INTERVAL seq * 3 HOUR, '2015-01-01' + INTERVAL seq * 3 HOUR,
    CONCAT(ELT(1 + seq % 5,
        'Thank you for following this story; my family has waited years for news like this.',
        'I disagree with the council here: the budget leaves the libraries with nothing.',
        'Cheap replica watches and bags, best prices, visit https://shop.example today.',
        'Earn 5000 a week from home, no experience needed, message me on Telegram now.',
        'The photo in the third paragraph is from 2019, not from this year; please correct.'),
        ' (', seq, ')'),
    0, ELT(1 + seq % 20, '1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '1',
        '0', '0', '0', 'spam', 'spam', 'spam', 'spam', 'trash'),
    'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0',
    'comment', IF(seq % 5 = 0, seq - 1, 0), 0
FROM seq_1_to_{count}
"""


def fill(wp: wordpress.WordPress, count: int) -> None:
    """Replace the installer's sample comment with count comments, in one SQL statement."""
    wordpress.sql("DELETE FROM wp_comments", wp.database)
    wordpress.sql(FILL.format(count=int(count)), wp.database)


def moderato(backend: str) -> str:
    """A fresh, migrated Moderato database with the site to import into; return its URL."""
    if backend == "sqlite":
        url = databases.fresh_sqlite("import_wordpress")
    elif (url := databases.fresh_postgres("_wp_import")) is None:
        raise SystemExit(f"PostgreSQL unreachable at {databases.POSTGRES}")
    app = create_app({"DATABASE_URL": url, "LOG_JSON": False})
    with app.app_context():
        migrate.upgrade(db.engine)
        result = app.test_cli_runner().invoke(args=["sites", "create", SITE])
        assert result.exit_code == 0, result.output
        db.engine.dispose()
    return url


def timed_import(
    wp: wordpress.WordPress, password: str, url: str, out: Path, stop_after: int = 0
) -> dict:
    """Run the import command in its own process; return its wall time, peak RSS and output.

    stop_after: send it SIGTERM once that many comments are stored (0: let it finish).
    """
    command = [str(FLASK), "--app", "wsgi", "import", "wordpress", wp.base]
    command += ["--user", wordpress.ADMIN, "--app-password", password, "--site", SITE]
    env = {**os.environ, "DATABASE_URL": url, "LOG_JSON": "0"}
    sent_before = len(wp.requests_logged(USER_AGENT))
    with (out / "stdout").open("w+") as stdout, (out / "stderr").open("w+") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr)
        if stop_after:
            wordpress_import.stop_when_stored(process, url, stop_after, signal.SIGTERM)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read()
    if process.returncode and not stop_after:
        raise SystemExit(f"the import failed ({process.returncode}):\n{errors}{output}")
    sent = wp.requests_logged(USER_AGENT)[sent_before:]
    return {
        "wall_seconds": round(wall, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "requests_sent": len(sent),
        "methods_sent": sorted({line.split()[0] for line, _ in sent}),
        "wordpress_serving_seconds": round(sum(seconds for _, seconds in sent), 2),
        "summary": output.strip().splitlines(),
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the options, fill a WordPress, and time the import into each backend."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=10_000, help="default 10000")
    parser.add_argument(
        "--interrupt-after",
        type=int,
        default=0,
        help="then stop an import into a fresh database with SIGTERM once this many comments "
        "are stored, and time the run that resumes it",
    )
    parser.add_argument(
        "--backend",
        action="append",
        choices=("sqlite", "postgresql"),
        help="repeat for both (default: sqlite, then postgresql; BENCH_POSTGRES_URL names it)",
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, wordpress.running(Path(folder) / "wp") as wp:
        fill(wp, options.comments)
        password = wp.application_password()
        for backend in options.backend or ["sqlite", "postgresql"]:
            url = moderato(backend)
            try:
                for run in ("first", "second"):
                    figures = timed_import(wp, password, url, Path(folder))
                    print(json.dumps({"backend": backend, "run": run, **figures}), flush=True)
                if options.interrupt_after:
                    if backend == "postgresql":
                        databases.drop_postgres(url)
                    url = moderato(backend)
                    for run, stop in (("stopped", options.interrupt_after), ("resumed", 0)):
                        figures = timed_import(wp, password, url, Path(folder), stop)
                        print(json.dumps({"backend": backend, "run": run, **figures}), flush=True)
            finally:
                if backend == "postgresql":
                    databases.drop_postgres(url)


if __name__ == "__main__":
    main()
