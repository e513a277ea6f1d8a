"""Loopback load with wrk: fixed settings for baseline and subject alike, bounded in time."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "load.lua"
# One wrk thread keeps the generator to about one core of two; two connections per
# server worker keep every sync worker busy without a long accept queue.
THREADS = 1
CONNECTIONS_PER_WORKER = 2
# The comments load.lua writes: distinct ones, as typical traffic, or a campaign's.
TEXTS = ("typical", "campaign")


@dataclass(frozen=True)
class Load:
    """What one wrk run measured, and the CPU time the server's workers spent on it if timed."""

    requests: int
    seconds: float
    errors: int
    refusal: str
    p50_ms: float
    p99_ms: float
    cpu_seconds: float | None = None

    @property
    def rate(self) -> float:
        """Completed requests per second (errors included, and reported beside it)."""
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float | None:
        """The workers' CPU milliseconds per completed request, if timed."""
        return None if self.cpu_seconds is None else 1e3 * self.cpu_seconds / self.requests


def wrk(
    url: str,
    seconds: float,
    workers: int,
    token: str = "",
    nonce: str = "00000000",
    protocol: str = "json",
    texts: str = "typical",
) -> Load:
    """POST varied comments (or, for the baseline, the same bodies) to a loopback URL.

    protocol "json" posts the JSON API's bodies; "akismet" an Akismet comment-check form;
    "isso" Isso's new-comment JSON to url?uri=/post-N. texts "typical" makes every comment
    distinct, as most readers' are; "campaign" makes every one a near-duplicate of others
    (load.lua says how).
    """
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"load goes to 127.0.0.1 only, not {url}")
    if texts not in TEXTS:
        raise ValueError(f"texts is one of {', '.join(TEXTS)}, not {texts}")
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk (make bench does)")
    argv = [
        "wrk",
        *("-t", str(THREADS), "-c", str(CONNECTIONS_PER_WORKER * workers)),
        *("-d", f"{round(seconds)}s", "--timeout", "10s", "-s", str(SCRIPT)),
        # A new connection per request, as sync workers forced and nginx's default upstream
        # does: a kept-alive connection stays with the gevent worker that accepted it, and
        # all four could land on one worker (2 runs of 4) and halve the rate.
        *("-H", "Connection: close"),
        *(url, "--", token, nonce, protocol, texts),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    refusals = [x for x in done.stdout.splitlines() if x.startswith("WRK_REFUSAL ")]
    return Load(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors=raw["status_errors"] + raw["socket_errors"],
        p50_ms=raw["p50_us"] / 1e3,
        p99_ms=raw["p99_us"] / 1e3,
        refusal=refusals[0].removeprefix("WRK_REFUSAL ") if refusals else "",
    )
