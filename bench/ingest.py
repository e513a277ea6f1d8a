"""HTTP figures: the real POST /api/v1/comments path against a hello world, and ingest scaling.

Both apps run under the same gunicorn command (the shipped config, the same
workers) and take the same wrk load, every POST a new reader's comment of its own
(load.lua's typical texts), as most traffic is; every rate is compared with a rate
measured minutes apart in this run, never with a number from another day.
"""

import uuid
from dataclasses import replace
from pathlib import Path

from bench import databases, server
from bench.figures import Figure, info, ratio_at_least
from bench.load import Load, wrk
from model.artifact import signing_key

RATIO_TARGET = 0.35
WORKERS = 2
# Refused requests beyond this share make a figure fail: it would measure refusals.
MAX_ERROR_SHARE = 0.01


def app_env(url: str, shared_limits: bool) -> dict[str, str]:
    """The service's environment for a benchmark database.

    The per-site-key rate limit stays on but out of reach (its check still runs);
    flood control stays at the site default, since every request is a new reader.
    With shared_limits, counts live in Redis as in a multi-worker deployment.
    """
    env = {
        "DATABASE_URL": url,
        # The deployment's own secret: the served model is signed with it (make train).
        "SECRET_KEY": signing_key(server.ROOT / "instance" / "secret_key"),
        "SITE_REQUESTS_PER_SECOND": "1000000",
        "RATELIMIT_STORAGE_URI": databases.REDIS if shared_limits else "",
        "RATELIMIT_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
    }
    return env


def provision(env: dict[str, str]) -> str:
    """Migrate the database with the real CLI and create a site; return its API key."""
    server.cli(env, "db", "upgrade")
    return server.secret(env, "sites", "create", "bench")


def measure(
    app: str,
    path: str,
    env: dict,
    workers: int,
    seconds: float,
    token="",
    protocol="json",
    bin_dir: Path = server.BIN,
    health="/healthz",
    texts="typical",
) -> Load:
    """Serve an app, warm it up, then load it with wrk for a bounded time, timing workers' CPU."""
    with server.serve(app, env, workers, health, bin_dir) as (base, master):
        wrk(base + path, 2, workers, token, uuid.uuid4().hex[:8], protocol, texts)
        cpu = server.workers_cpu_seconds(master)
        load = wrk(base + path, seconds, workers, token, uuid.uuid4().hex[:8], protocol, texts)
        return replace(load, cpu_seconds=server.workers_cpu_seconds(master) - cpu)


def hello(env: dict, workers: int, seconds: float) -> Load:
    """The baseline: bench.hello under the same gunicorn settings and load."""
    return measure("bench.hello:app", "/hello", env, workers, seconds)


def post(env: dict, token: str, workers: int, seconds: float, texts="typical") -> Load:
    """The subject: the real app's comment submission, of distinct texts unless told otherwise."""
    return measure("wsgi:app", "/api/v1/comments", env, workers, seconds, token, texts=texts)


def clean(load: Load) -> bool:
    """Whether a load's refusals and failures stay within MAX_ERROR_SHARE of its requests."""
    return load.errors <= MAX_ERROR_SHARE * load.requests


def errors(load: Load) -> str:
    """Say how many requests were refused or failed and the first refusal; "" for none."""
    if not load.errors:
        return ""
    return f"{load.errors} of {load.requests} refused or failed, first: {load.refusal}"


def versus_hello(backend: str, url: str | None, seconds: float) -> list[Figure]:
    """POST req/s against hello world's, with both p50/p99, on one database."""
    label = f"POST /comments {backend}"
    if url is None:
        return [Figure(f"{label} vs hello", None, "req/s", note="database unreachable: skipped")]
    env = app_env(url, shared_limits=backend == "postgresql")
    token = provision(env)
    baseline = hello(env, WORKERS, seconds)
    subject = post(env, token, WORKERS, seconds)
    ratio = ratio_at_least(
        f"{label} vs hello",
        subject.rate,
        baseline.rate,
        "req/s",
        RATIO_TARGET,
        note=errors(subject) or f"{WORKERS} workers, {seconds:g} s each",
    )
    ratio.ok = ratio.ok and clean(subject)
    return [
        ratio,
        info(f"{label} p50", subject.p50_ms, "ms", baseline=baseline.p50_ms),
        info(f"{label} p99", subject.p99_ms, "ms", baseline=baseline.p99_ms),
    ]


def akismet_versus_json(url: str | None, seconds: float) -> list[Figure]:
    """Akismet's comment-check against the JSON API's POST, same site, same load, same run."""
    label = "comment-check sqlite"
    if url is None:
        return [Figure(f"{label} vs POST", None, "req/s", note="database unreachable: skipped")]
    env = app_env(url, shared_limits=False)
    token = provision(env)
    key = server.secret(env, "sites", "akismet-key", "bench")
    baseline = post(env, token, WORKERS, seconds)
    subject = measure(
        "wsgi:app", "/1.1/comment-check", env, WORKERS, seconds, key, protocol="akismet"
    )
    note = errors(subject) or f"{WORKERS} workers, {seconds:g} s each; baseline: POST /comments"
    figure = info(f"{label} vs POST", subject.rate, "req/s", baseline=baseline.rate, note=note)
    figure.ratio = round(subject.rate / baseline.rate, 3) if baseline.rate else None
    figure.ok = clean(subject)
    return [
        figure,
        info(f"{label} p50", subject.p50_ms, "ms", baseline=baseline.p50_ms),
        info(f"{label} p99", subject.p99_ms, "ms", baseline=baseline.p99_ms),
    ]


def scaling(url: str | None, seconds: float, counts=(1, 2, 4)) -> list[Figure]:
    """Sustained POST rate on PostgreSQL at 1, 2 and 4 workers, each as a ratio of 1 worker's."""
    if url is None:
        return [Figure("ingest PostgreSQL", None, "comments/s", note="database unreachable")]
    env = app_env(url, shared_limits=True)
    token = provision(env)
    loads = {n: post(env, token, n, seconds) for n in counts}
    single = loads[counts[0]].rate
    figures = []
    for n, load in loads.items():
        figure = info(f"ingest PostgreSQL {n} workers", load.rate, "comments/s")
        figure.value = round(load.rate, 1)
        figure.baseline, figure.ratio = round(single, 1), round(load.rate / single, 3)
        figure.note = errors(load) or f"p50 {load.p50_ms:g} ms, p99 {load.p99_ms:g} ms"
        figure.ok = clean(load) if n == counts[-1] else None
        figures.append(figure)
    return figures
