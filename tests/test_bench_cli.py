"""The bench's command line: help and mistakes answer at once, never start a six-minute run."""

import os
import subprocess
import sys
from dataclasses import replace

import pytest
from support import ROOT

from bench.__main__ import FULL, QUICK, plan

# Were the bench to start after all, it would find no database to drop and recreate.
UNREACHABLE = {"BENCH_POSTGRES_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}


def run_bench(*args: str) -> subprocess.CompletedProcess:
    """Run `python -m bench ARGS` from the repository, for at most 30 seconds."""
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        env={**os.environ, **UNREACHABLE},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_help_prints_usage_and_runs_nothing():
    done = run_bench("--help")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m bench")
    assert "--quick" in done.stdout and "--retrain-sizes" in done.stdout
    assert "[bench]" not in done.stderr  # no benchmark section started


def test_an_unknown_option_is_refused_before_anything_runs():
    done = run_bench("--quik")

    assert done.returncode == 2
    assert "unrecognized arguments: --quik" in done.stderr
    assert "[bench]" not in done.stderr


@pytest.mark.parametrize(
    ("args", "environment", "expected"),
    [
        ([], {}, FULL),
        (["--quick"], {}, QUICK),
        ([], {"BENCH_QUICK": "1"}, QUICK),
        (["--retrain-sizes", "1000,2000"], {}, replace(FULL, retrain_sizes=(1000, 2000))),
        ([], {"BENCH_RETRAIN_SIZES": "5000"}, replace(FULL, retrain_sizes=(5000,))),
    ],
)
def test_options_and_environment_choose_the_plan(monkeypatch, args, environment, expected):
    for name in ("BENCH_QUICK", "BENCH_RETRAIN_SIZES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert plan(args) == expected
