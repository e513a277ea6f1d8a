"""A bounded load of varied comments from concurrent clients, and what it acknowledged."""

import itertools
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from support import ROOT

SENTENCE = (
    "the families deserve answers about what happened in Xinjiang and why officials stay "
    "silent while relatives wait for news of people who vanished years ago"
)
WORDS = SENTENCE.split()


@dataclass
class LoadResult:
    """What a load run sent and what the server acknowledged."""

    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    acknowledged: set[int] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(
            n for status, n in self.statuses.items() if isinstance(status, int) and status >= 500
        )

    def percentile(self, q: float) -> float:
        """The q-quantile of the request latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def comment(n: int) -> dict:
    """The n-th comment of a load: a different reader, address and text each time."""
    words = " ".join(WORDS[(n + i * 7) % len(WORDS)] for i in range(12))
    return {
        "post_id": f"article-{n % 20}",
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.org",
        "content": f"{words.capitalize()}. (comment {n})",
        "user_ip": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        "user_agent": "load-test/1.0",
    }


def post_comments(base: str, site_key: str, clients: int, seconds: float) -> LoadResult:
    """POST varied comments from `clients` threads for `seconds`; failed requests count too."""
    result, lock, numbers = LoadResult(), threading.Lock(), itertools.count()
    deadline = time.monotonic() + seconds

    def client() -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {site_key}"
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    response = session.post(
                        f"{base}/api/v1/comments", json=comment(next(numbers)), timeout=30
                    )
                    outcome = response.status_code
                except requests.RequestException as error:
                    outcome, response = type(error).__name__, None
                with lock:
                    result.sent += 1
                    result.statuses[outcome] += 1
                    result.latencies.append(time.perf_counter() - started)
                    if outcome == 201:
                        result.acknowledged.add(response.json()["id"])

    with ThreadPoolExecutor(max_workers=clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    return result


def record(name: str, result: LoadResult, found: set[int], **context) -> dict:
    """Write a run's figures to test-artifacts/<name>.json (for closing notes) and return them."""
    figures = {
        **context,
        "sent": result.sent,
        "acknowledged": len(result.acknowledged),
        "found_in_database": len(result.acknowledged & found),
        "server_errors": result.server_errors,
        "statuses": {str(status): n for status, n in result.statuses.items()},
        "p50_ms": round(result.percentile(0.50), 1),
        "p99_ms": round(result.percentile(0.99), 1),
    }
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / f"{name}.json").write_text(json.dumps(figures, indent=2))
    return figures
