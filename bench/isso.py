"""The POST path against a real peer: Isso, the self-hosted Python comment server, in one run.

Both take comments under the same gunicorn command (gunicorn.conf.py, the same
workers and worker class), on SQLite (all Isso supports), one after the other with
the same wrk load: every request a new reader with a comment of its own, as most
readers' are (load.lua's typical texts; its "isso" protocol for Isso). Isso runs as
shipped, in its own virtual environment with the versions pinned in
bench/requirements-isso.txt, made on demand under bench/out/.

Then Moderato takes the worst case for its campaign grouping, which Isso does not
have: every comment a near-duplicate of hundreds of others (load.lua's "campaign"
texts), reported beside the typical CPU per comment, so that the grouping's cost
stays in sight.

Each keeps its own flood control on at its defaults, since each is what a reader
meets: Moderato counts a reader per IPv6 /64, Isso's guard per /48 (two comments a
minute, three top-level comments per thread); Isso learns the reader's address from
X-Forwarded-For, trusting the loopback proxy, as it does behind nginx. Neither
refuses a request, since every request is a new reader.

`python -m bench.isso [SECONDS]` profiles Isso under that load, as bench.profile does Moderato.
"""

import configparser
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from bench import ingest, profile, server
from bench.figures import Figure, info, ratio_at_least
from bench.load import Load

REQUIREMENTS = Path(__file__).resolve().parent / "requirements-isso.txt"
VENV = server.OUT / "isso-venv"
APP = "isso.run:application"
RATIO_TARGET = 1.0
# load.lua spreads the comments over posts post-0 ... post-499.
POSTS = 500
# Run by Isso's Python: create its database and a thread per post, as Isso itself would
# on each post's first comment.
OPEN_THREADS = """
import sys
from isso import config, db
conf = config.load(config.default_file(), sys.argv[1])
threads = db.SQLite3(conf.get("general", "dbpath"), conf).threads
for n in range(int(sys.argv[2])):
    threads.new(f"/post-{n}", f"Post {n}")
"""
# Where Isso's time goes, for `python -m bench.isso` (as bench.profile's STAGES for Moderato).
STAGES = (
    ("guard: rate limit, direct replies (2 SELECTs)", ("validate (isso/db/spam.py",)),
    ("store: INSERT, commit, read back", ("add (isso/db/comments.py",)),
    ("render Markdown, sanitise (mistune, bleach)", ("render (isso/",)),
    ("hash the email (PBKDF2)", ("hash (isso/utils/hash.py",)),
    ("notification: the comment's log lines", ("_new_comment (isso/ext/notifications.py",)),
    ("thread lookup", ("__contains__ (isso/db/threads.py", "__getitem__ (isso/db/threads.py")),
    ("sign the edit cookie", ("sign (isso/__init__.py",)),
    ("rest of new (validate, escape, response)", ("new (isso/views/comments.py",)),
    ("Isso's dispatch, middleware, werkzeug", ("wsgi_app (isso/", "(werkzeug/")),
)
WORK = (
    "per comment, Moderato: authenticate the site key, validate, flood control, duplicate "
    "check, rules, classify, group campaigns, store, queue; Isso: validate, guard "
    "(2 queries), store, render Markdown, hash the email (PBKDF2), sign a cookie, log it "
    "(its stdout notification)"
)


def venv() -> Path:
    """The bin folder of Isso's own virtual environment, made anew when its pins change."""
    pins = REQUIREMENTS.read_text()
    installed = VENV / REQUIREMENTS.name
    if installed.exists() and installed.read_text() == pins:
        return VENV / "bin"
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    # misaka builds from source (a C extension through cffi): a few seconds with gcc.
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True, timeout=900)
    installed.write_text(pins)
    return VENV / "bin"


def settings(folder: Path) -> Path:
    """Write an Isso configuration: a new SQLite file in folder, Isso's defaults otherwise.

    The site it serves comments for is a loopback port nobody listens on: Isso checks
    it once at start (and fails fast), and never fetches it, since every comment names
    its thread's title.
    """
    config = configparser.ConfigParser()
    config["general"] = {
        "dbpath": str(folder / "comments.db"),
        "host": f"http://127.0.0.1:{server.free_port()}",
    }
    config["server"] = {"trusted-proxies": "127.0.0.1"}
    path = folder / "isso.cfg"
    with path.open("w") as out:
        config.write(out)
    return path


@contextmanager
def isso_env(bin_dir: Path) -> Iterator[dict[str, str]]:
    """Isso's environment: its settings over a new database, a thread open for every post.

    Every post's thread exists before the load, as a blog's posts have theirs: in a
    short load most posts would otherwise be new, and Isso would pay for a thread
    (an INSERT, a commit) on most comments, which Moderato, keeping no post rows, never does.
    """
    with tempfile.TemporaryDirectory(prefix="isso-") as folder:
        env = {"ISSO_SETTINGS": str(settings(Path(folder)))}
        python = [str(bin_dir / "python"), "-c", OPEN_THREADS, env["ISSO_SETTINGS"], str(POSTS)]
        subprocess.run(python, check=True, capture_output=True, timeout=120)
        yield env


def isso_post(bin_dir: Path, seconds: float) -> Load:
    """The peer: Isso's POST /new under the same gunicorn settings and load as Moderato."""
    with isso_env(bin_dir) as env:
        return ingest.measure(
            APP,
            "/new",
            env,
            ingest.WORKERS,
            seconds,
            protocol="isso",
            bin_dir=bin_dir,
            health="/info",
        )


def grouped(url: str) -> tuple[int, int]:
    """How many of a database's comments are in a campaign, and how many it stores."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            query = "SELECT count(campaign_id), count(*) FROM comments"
            in_campaign, stored = connection.execute(sa.text(query)).one()
    finally:
        engine.dispose()
    return in_campaign, stored


def versus_isso(url: str, seconds: float) -> list[Figure]:
    """Moderato's POST rate as a share of Isso's, and the workers' CPU per comment of each.

    Both on typical (distinct) texts; then Moderato's CPU per comment when every comment
    joins a campaign, against its own on typical texts.
    """
    label = "POST /comments sqlite vs Isso"
    try:
        bin_dir = venv()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        return [Figure(label, None, "req/s", ok=False, note=f"Isso not installed: {error}")]
    peer = isso_post(bin_dir, seconds)
    env = ingest.app_env(url, shared_limits=False)
    token = ingest.provision(env)
    subject = ingest.post(env, token, ingest.WORKERS, seconds)
    before = grouped(url)
    problems = "; ".join(
        f"{who}: {ingest.errors(load)}"
        for who, load in (("Moderato", subject), ("Isso", peer))
        if load.errors
    )
    note = (
        f"{ingest.WORKERS} workers, {seconds:g} s each, Isso first; "
        f"{before[0]} of {before[1]} stored comments in a campaign; {WORK}"
    )
    rate = ratio_at_least(
        label, subject.rate, peer.rate, "req/s", RATIO_TARGET, note=problems or note
    )
    rate.ok = rate.ok and ingest.clean(subject) and ingest.clean(peer)
    cpu = info(f"{label} CPU", subject.cpu_ms, "ms/comment", baseline=round(peer.cpu_ms, 3))
    cpu.ratio = round(subject.cpu_ms / peer.cpu_ms, 3)
    cpu.note = (
        "the gunicorn workers' CPU time (from /proc) over requests; ratio < 1: Moderato's less"
    )
    return [
        rate,
        cpu,
        info(f"{label} p50", subject.p50_ms, "ms", baseline=peer.p50_ms),
        info(f"{label} p99", subject.p99_ms, "ms", baseline=peer.p99_ms),
        campaign_heavy(url, (env, token), seconds, subject, before),
    ]


def campaign_heavy(
    url: str, site: tuple[dict, str], seconds: float, typical: Load, before: tuple[int, int]
) -> Figure:
    """Moderato's CPU per comment when every comment joins a campaign, against typical texts'."""
    load = ingest.post(*site, ingest.WORKERS, seconds, texts="campaign")
    after = grouped(url)
    joined = f"{after[0] - before[0]} of {after[1] - before[1]} comments in a campaign"
    figure = info(
        "POST /comments sqlite, every comment in a campaign, CPU",
        load.cpu_ms,
        "ms/comment",
        baseline=round(typical.cpu_ms, 3),
        note=ingest.errors(load)
        or f"{load.rate:.1f} req/s, {joined}; baseline: the typical texts' CPU above",
    )
    figure.ratio = round(load.cpu_ms / typical.cpu_ms, 3)
    figure.ok = None if ingest.clean(load) else False
    return figure


def main(seconds: int = 20) -> int:
    """Profile Isso's POST /new as make bench loads it (`python -m bench.isso [SECONDS]`)."""
    bin_dir = venv()
    with isso_env(bin_dir) as env:
        return profile.sample(
            APP,
            "/new",
            env,
            seconds,
            STAGES,
            "isso",
            protocol="isso",
            bin_dir=bin_dir,
            health="/info",
        )


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:2])))
