"""gunicorn as deployed (gunicorn.conf.py): what only the real server shows."""

import re

import requests
from live import gunicorn, prepare
from load import comment
from support import bearer


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition, 0 when it is absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    found = re.search(rf"^{name}{{{re.escape(wanted)}}} (\S+)$", metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_add_up_every_workers_requests(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'moderato.db'}"
    site = bearer(prepare(database_url)["site"])
    # tests/live.py leaves PROMETHEUS_MULTIPROC_DIR unset: the config alone must set it up.
    with gunicorn({"DATABASE_URL": database_url}, tmp_path, workers=2) as server:
        for _ in range(6):
            requests.get(f"{server.base}/healthz", timeout=10).raise_for_status()
        posted = requests.post(
            f"{server.base}/api/v1/comments", json=comment(1), headers=site, timeout=10
        )
        metrics = requests.get(f"{server.base}/metrics", timeout=10).text

    assert posted.status_code == 201, posted.text
    health = {"method": "GET", "endpoint": "/healthz", "status": "200"}
    assert sample(metrics, "moderato_http_requests_total", **health) >= 6
    created = {"method": "POST", "endpoint": "/api/v1/comments", "status": "201"}
    assert sample(metrics, "moderato_http_requests_total", **created) == 1
    status = posted.json()["status"]
    assert sample(metrics, "moderato_comments_total", status=status) == 1
