"""Retrain figures: wall time and peak memory of `make retrain` on N labelled comments.

`python -m research.retrain_cost N` fills a fresh SQLite database with N moderated
comments, then times `flask --app wsgi model retrain` in its own process; its last
stdout line is JSON with the retrain's own wall time (the fill is not counted) and the
peak memory of its whole process tree (the retrain and its feature workers, summed).

The baseline is the same command's floor: a retrain on 1,000 labels, which fits in memory
as `make train` does; every larger retrain is reported against it, so the table shows what
the labels themselves cost.
"""

import json
import subprocess
import sys
from pathlib import Path

from bench.figures import Figure, at_most, info

ROOT = Path(__file__).resolve().parent.parent
BASELINE_LABELS = 1_000
# Issue 18: a million labels in at most 5 minutes and 2 GiB on this 2-core machine; three
# million within 10 % of a million's peak (memory bounded, time linear).
TARGET_SECONDS_AT_1M = 300.0
TARGET_MIB_AT_1M = 2048.0
TARGET_GROWTH_TO_3M = 1.10


def command(rows: int) -> list[str]:
    """The command that seeds `rows` labelled comments and times one retrain on them."""
    return [sys.executable, "-m", "research.retrain_cost", str(rows)]


def run(argv: list[str]) -> dict:
    """Run the retrain bench; return its JSON report (wall_s, cpu_s, peak memory, decision)."""
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _note(report: dict) -> str:
    return (
        f"CPU {report['cpu_s']:.0f} s, retrain process {report['peak_rss_mib']} MiB; "
        f"{report['decision']}"
    )


def figures(sizes: tuple[int, ...], skipped: tuple[int, ...] = ()) -> list[Figure]:
    """Wall time and peak memory at each size against the 1,000-label floor; skipped sizes
    are listed as such."""
    floor = run(command(BASELINE_LABELS))
    named = f"{BASELINE_LABELS:,} labelled (floor)"
    results = [
        info(f"make retrain {named}", floor["wall_s"], "s"),
        info(f"peak memory {named}", floor["peak_tree_rss_mib"], "MiB"),
    ]
    results[0].note = _note(floor)
    peaks: dict[int, float] = {}
    for rows in sizes:
        report = run(command(rows))
        seconds, peak = report["wall_s"], report["peak_tree_rss_mib"]
        peaks[rows] = peak
        name = f"make retrain {rows:,} labelled"
        if rows == 1_000_000:
            timed = at_most(name, seconds, "s", TARGET_SECONDS_AT_1M)
            memory = at_most(f"peak memory {rows:,} labelled", peak, "MiB", TARGET_MIB_AT_1M)
        else:
            timed = info(name, seconds, "s")
            memory = info(f"peak memory {rows:,} labelled", peak, "MiB")
        if rows == 3_000_000 and 1_000_000 in peaks:
            memory = at_most(
                f"peak memory {rows:,} labelled",
                peak,
                "MiB",
                round(peaks[1_000_000] * TARGET_GROWTH_TO_3M),
            )
            memory.note = f"within {TARGET_GROWTH_TO_3M - 1:.0%} of 1,000,000's"
        timed.baseline, memory.baseline = floor["wall_s"], floor["peak_tree_rss_mib"]
        timed.ratio = round(seconds / floor["wall_s"], 2)
        memory.ratio = round(peak / floor["peak_tree_rss_mib"], 2)
        timed.note = _note(report)
        results += [timed, memory]
    for rows in skipped:
        results.append(
            Figure(
                f"make retrain {rows:,} labelled",
                None,
                "s",
                note="not run in the default plan (BENCH_RETRAIN_SIZES to include)",
            )
        )
    return results
