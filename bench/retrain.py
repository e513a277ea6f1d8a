"""Retrain figures: wall time and peak memory of retraining on N labelled comments.

`make retrain` does not exist yet, so STAND_IN is true and the command is
`python -m model.train` on the shipped corpora plus N synthetic labelled comments
in the project's CSV format. When `make retrain` lands, change `command()` (the
one hook) to seed N moderated comments into a database and run `make retrain`.
"""

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import synthetic
from bench.figures import Figure, at_most, info
from model.corpora import PROJECT_COLUMNS
from model.train import DATA_DIR, DEFAULT_FILES

ROOT = Path(__file__).resolve().parent.parent
STAND_IN = True
TARGET_SECONDS_AT_100K = 120.0


def write_labelled(path: Path, rows: int) -> Path:
    """Write rows synthetic labelled comments as a project CSV."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, PROJECT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(synthetic.comments(rows))
    return path


def command(rows: int, workdir: Path) -> list[str]:
    """The retrain command to time at `rows` labelled comments (the hook for `make retrain`)."""
    labelled = write_labelled(workdir / "labelled.csv", rows)
    corpora = [str(DATA_DIR / name) for name in DEFAULT_FILES]
    return [
        sys.executable,
        *("-m", "model.train", "--out", str(workdir / "models")),
        *("--data", *corpora, str(labelled)),
    ]


def run(argv: list[str]) -> tuple[float, float, float]:
    """Run a command to completion; return its wall seconds, CPU seconds and peak RSS in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def figures(sizes: tuple[int, ...], skipped: tuple[int, ...] = ()) -> list[Figure]:
    """Wall time and peak memory of a retrain at each size; skipped sizes are listed as such."""
    label = "retrain (stand-in: python -m model.train)" if STAND_IN else "make retrain"
    results = []
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-retrain-") as workdir:
            seconds, cpu, peak = run(command(rows, Path(workdir)))
        name = f"{label} {rows:,} labelled"
        if rows == 100_000:
            results.append(at_most(name, seconds, "s", TARGET_SECONDS_AT_100K))
        else:
            results.append(info(name, seconds, "s"))
        results[-1].note = f"CPU {cpu:.0f} s, peak RSS {peak:.0f} MiB"
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
