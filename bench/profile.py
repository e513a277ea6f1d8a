"""Profile POST /api/v1/comments under load with py-spy and say where the time goes.

`python -m bench.profile [SECONDS] [TEXTS]` serves the real app under gunicorn (the
same command as `make bench`, on a fresh SQLite database), loads it with wrk
(TEXTS: load.lua's "typical" distinct comments, the default, or "campaign", every
comment a near-duplicate) and samples every worker with py-spy. It prints the workers'
CPU time per request (from /proc) and each stage's share of the workers' on-CPU
samples, and writes the raw stacks and a flame graph to bench/out/.
"""

import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

from bench import databases, ingest, server
from bench.load import wrk

# Stages of the POST path, most specific first: a sample counts for the first
# stage any of whose markers appears in its stack (frames read "function (file:line)").
# Markers name the function doing the work, never a decorator's wrapper, which
# stays on the stack for the whole view.
STAGES = (
    ("classifier score (scoring.score -> FastScorer)", ("score (service/scoring.py",)),
    ("rules chain (rules.route)", ("route (service/rules.py",)),
    ("duplicate / closed-post queries (admission.admit)", ("admit (service/admission.py",)),
    ("trusted-author query (previously_approved)", ("previously_approved (",)),
    ("site settings load (settings.of, marshmallow)", ("of (service/settings.py",)),
    ("flood control (reader_slot)", ("reader_slot (",)),
    (
        "site budget, failed-auth throttle (ratelimit)",
        ("charge_site (", "refuse_failing_source (", "count_failure ("),
    ),
    ("auth: key lookup + hash (bearer._caller)", ("_caller (service/bearer.py",)),
    ("COMMIT (session.commit: the durable fsync)", ("commit (sqlalchemy/orm/session.py",)),
    (
        "campaign grouping (campaigns.place, campaigns.store)",
        ("place (service/campaigns.py", "store (service/campaigns.py"),
    ),
    ("request parse + CommentIn validation (webargs)", ("Parser.parse (webargs/",)),
    ("response dump (CommentCreated, marshmallow)", ("Schema.dump (marshmallow/",)),
    (
        "rest of submit (the INSERT, url_for)",
        ("submit (service/comments.py", "submit_comment ("),
    ),
    ("session close / teardown", ("do_teardown_appcontext (",)),
    ("Flask/Werkzeug request handling", ("wsgi_app (flask/app.py",)),
)
OUTSIDE = "gunicorn: accept, HTTP parse, socket I/O (outside the app)"


def stage_of(stack: str, stages=STAGES) -> str:
    """The stage a sampled stack belongs to."""
    for name, markers in stages:
        if any(marker in stack for marker in markers):
            return name
    return OUTSIDE


def breakdown(raw: Path, stages=STAGES) -> Counter:
    """Count py-spy's collapsed samples ("frame;frame;... count") per stage."""
    counts: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            counts[stage_of(stack, stages)] += int(count)
    return counts


def record(pid: int, seconds: int, out: Path, fmt: str) -> subprocess.Popen:
    """Start py-spy sampling a gunicorn master and its workers."""
    argv = ["py-spy", "record", "--pid", str(pid), "--subprocesses", "--duration", str(seconds)]
    argv += ["--rate", "250", "--format", fmt, "--output", str(out), "--nonblocking"]
    return subprocess.Popen(
        [str(server.BIN / argv[0]), *argv[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def sample(
    app: str,
    path: str,
    env: dict,
    seconds: int,
    stages=STAGES,
    name="post",
    token="",
    protocol="json",
    bin_dir: Path = server.BIN,
    health="/healthz",
    texts="typical",
) -> int:
    """Serve an app, load and sample it as make bench does; print the breakdown by stage."""
    raw, flame = server.OUT / f"{name}-profile.txt", server.OUT / f"{name}-profile.svg"
    with server.serve(app, env, ingest.WORKERS, health, bin_dir) as (base, pid):
        url = base + path
        wrk(url, 2, ingest.WORKERS, token, uuid.uuid4().hex[:8], protocol, texts)
        samplers = [record(pid, seconds, raw, "raw"), record(pid, seconds, flame, "flamegraph")]
        cpu = server.workers_cpu_seconds(pid)
        load = wrk(url, seconds + 1, ingest.WORKERS, token, uuid.uuid4().hex[:8], protocol, texts)
        cpu = server.workers_cpu_seconds(pid) - cpu
        for sampler in samplers:
            if sampler.wait(timeout=60) != 0:
                print(sampler.stderr.read().decode(), file=sys.stderr)
                return 1
    counts = breakdown(raw, stages)
    total = sum(counts.values())
    print(f"{load.rate:.0f} req/s, {load.errors} errors; {total} on-CPU samples in the workers")
    print(f"the workers' CPU time: {1e3 * cpu / load.requests:.2f} ms per request")
    for stage, count in counts.most_common():
        print(f"{100 * count / total:5.1f} %  {stage}")
    print(f"raw stacks: {raw}\nflame graph: {flame}")
    return 0


def main(seconds: int = 20, texts: str = "typical") -> int:
    """Profile Moderato's POST path on a fresh SQLite database."""
    env = ingest.app_env(databases.fresh_sqlite("profile"), shared_limits=False)
    token = ingest.provision(env)
    return sample("wsgi:app", "/api/v1/comments", env, seconds, token=token, texts=texts)


if __name__ == "__main__":
    arguments = sys.argv[1:3]
    sys.exit(main(*map(int, arguments[:1]), *arguments[1:]))
