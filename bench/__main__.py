"""Run every benchmark, print the table and write bench/results.json (`make bench`).

`python -m bench --help` lists the options; each has an environment variable too
(BENCH_QUICK=1, BENCH_RETRAIN_SIZES=...), which is how `make bench` passes them on.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench.figures import Figure, table
from bench.server import ROOT

RESULTS = Path(__file__).resolve().parent / "results.json"
RETRAIN_SIZES = (10_000, 100_000, 1_000_000, 3_000_000)


@dataclass(frozen=True)
class Plan:
    """How big and how long each benchmark is."""

    load_seconds: float
    queue_comments: int
    queue_requests: int
    retrain_sizes: tuple[int, ...]
    # Comments stored before timing submissions' campaign placement, and submissions timed.
    campaign_fill: int
    campaign_submissions: int


FULL = Plan(
    load_seconds=10,
    queue_comments=1_000_000,
    queue_requests=300,
    retrain_sizes=(10_000, 100_000),
    campaign_fill=100_000,
    campaign_submissions=1000,
)
QUICK = Plan(
    load_seconds=2,
    queue_comments=20_000,
    queue_requests=30,
    retrain_sizes=(1_000,),
    campaign_fill=5_000,
    campaign_submissions=100,
)


def retrain_sizes(text: str) -> tuple[int, ...]:
    """Parse comma-separated label counts, e.g. 10000,100000."""
    try:
        sizes = tuple(int(size) for size in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not comma-separated whole numbers: {text!r}") from None
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"label counts must be positive: {text!r}")
    return sizes


def parser() -> argparse.ArgumentParser:
    """The bench's command line; the environment gives each option its default."""
    cli = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Measure the service against its targets, each figure beside a baseline taken "
            "in the same run; print the table and write bench/results.json. "
            "A full run takes several minutes; --quick about one."
        ),
    )
    cli.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK") == "1",
        help="a one-minute smoke run with small sizes and 2-second loads; its timings mean "
        "nothing (env BENCH_QUICK=1)",
    )
    cli.add_argument(
        "--retrain-sizes",
        type=retrain_sizes,
        default=os.environ.get("BENCH_RETRAIN_SIZES"),
        metavar="N,N,...",
        help="label counts to time a retrain at, e.g. 10000,100000,1000000 (env "
        "BENCH_RETRAIN_SIZES; default: those that fit the 10-minute budget)",
    )
    return cli


def plan(argv: list[str] | None = None) -> Plan:
    """The plan the command line (else the environment) asks for."""
    options = parser().parse_args(argv)
    chosen = QUICK if options.quick else FULL
    if options.retrain_sizes:
        chosen = replace(chosen, retrain_sizes=options.retrain_sizes)
    return chosen


def section(name: str, run) -> list[Figure]:
    """Run one benchmark, logging its duration to stderr."""
    started = time.perf_counter()
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    figures = run()
    print(f"[bench] {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run all benchmarks in turn; write results.json and print the table."""
    chosen, started = plan(argv), time.perf_counter()
    # Imported once the command line is read: the benchmarks bring the service, sklearn and
    # the database drivers, seconds that --help and a mistyped option need not wait for.
    from bench import campaign_cost, databases, ingest, isso, quality, queue_pages, retrain, scoring
    from model.artifact import signing_key
    from service import scoring as serving

    models = Path(os.environ.get("MODEL_DIR", "models"))
    classifier = serving.load(models, signing_key(ROOT / "instance" / "secret_key"))
    postgres = databases.fresh_postgres()
    skipped = tuple(n for n in RETRAIN_SIZES if n not in chosen.retrain_sizes)
    figures = section("scoring", lambda: scoring.figures(classifier, chosen == QUICK))
    for backend, url in (("sqlite", databases.fresh_sqlite("http")), ("postgresql", postgres)):
        figures += section(
            f"http {backend}",
            lambda b=backend, u=url: ingest.versus_hello(b, u, chosen.load_seconds),
        )
    figures += section(
        "akismet sqlite",
        lambda: ingest.akismet_versus_json(databases.fresh_sqlite("akismet"), chosen.load_seconds),
    )
    figures += section(
        "isso sqlite",
        lambda: isso.versus_isso(databases.fresh_sqlite("isso"), chosen.load_seconds),
    )
    for backend in ("sqlite", "postgresql"):
        figures += section(
            f"queue {backend}",
            lambda b=backend: queue_pages.figures(b, chosen.queue_comments, chosen.queue_requests),
        )
    for backend, fresh in (
        ("sqlite", lambda: databases.fresh_sqlite("campaigns")),
        ("postgresql", lambda: databases.fresh_postgres("_campaigns")),
    ):
        figures += section(
            f"campaigns {backend}",
            lambda b=backend, f=fresh: campaign_cost.figures(
                b, f(), chosen.campaign_fill, chosen.campaign_submissions
            ),
        )
    figures += section(
        "ingest", lambda: ingest.scaling(databases.fresh_postgres(), chosen.load_seconds)
    )
    figures += section("quality", quality.figures)
    figures += section("retrain", lambda: retrain.figures(chosen.retrain_sizes, skipped))
    elapsed = time.perf_counter() - started
    RESULTS.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    print(table(figures))
    print(
        f"\n{sum(f.ok is False for f in figures)} figures miss their target; "
        f"{elapsed:.0f} s in all; written to {RESULTS.relative_to(Path.cwd())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
