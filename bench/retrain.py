"""Retrain figures: wall time and peak memory of `make retrain` on N labelled comments.

`python -m research.retrain_cost N` fills a fresh SQLite database with N moderated
comments, then times `flask --app wsgi model retrain` in its own process; its last
stdout line is JSON with the retrain's own wall time (the fill is not counted).
"""

import json
import subprocess
import sys
from pathlib import Path

from bench.figures import Figure, at_most, info

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS_AT_100K = 120.0


def command(rows: int) -> list[str]:
    """The command that seeds `rows` labelled comments and times one retrain on them."""
    return [sys.executable, "-m", "research.retrain_cost", str(rows)]


def run(argv: list[str]) -> dict:
    """Run the retrain bench; return its JSON report (wall_s, cpu_s, peak_rss_mib, decision)."""
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def figures(sizes: tuple[int, ...], skipped: tuple[int, ...] = ()) -> list[Figure]:
    """Wall time and peak memory of a retrain at each size; skipped sizes are listed as such."""
    label = "make retrain"
    results = []
    for rows in sizes:
        report = run(command(rows))
        seconds = report["wall_s"]
        name = f"{label} {rows:,} labelled"
        if rows == 100_000:
            results.append(at_most(name, seconds, "s", TARGET_SECONDS_AT_100K))
        else:
            results.append(info(name, seconds, "s"))
        results[-1].note = (
            f"CPU {report['cpu_s']:.0f} s, peak RSS {report['peak_rss_mib']} MiB, "
            f"{report['decision']}"
        )
    for rows in skipped:
        results.append(
            Figure(
                f"{label} {rows:,} labelled",
                None,
                "s",
                f"<= {TARGET_SECONDS_AT_100K:g} s" if rows == 100_000 else None,
                note="not run: over the 10-minute budget (BENCH_RETRAIN_SIZES to include)",
            )
        )
    return results
