"""A promotion reaches every gunicorn worker within the poll interval, without a restart."""

import os
import subprocess
import time

import requests
from live import BIN, ROOT, gunicorn, prepare
from support import SECRET, bearer

from research import campaign


def post_comments(base: str, headers: dict, records, first_ip: int) -> list[dict]:
    """Post records as distinct readers; return the created comments."""
    created = []
    for number, record in enumerate(records, start=first_ip):
        body = {k: v for k, v in record.items() if k != "label" and v is not None}
        body["user_ip"] = f"10.1.{number // 250}.{number % 250 + 1}"
        response = requests.post(f"{base}/api/v1/comments", json=body, headers=headers, timeout=10)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


def test_a_retrained_model_reaches_both_workers_without_a_restart(database_url, tmp_path):
    secrets = prepare(database_url)
    site, moderator = bearer(secrets["site"]), bearer(secrets["moderators"][0])
    env = {"DATABASE_URL": database_url, "MODEL_POLL_SECONDS": "1", "SITE_REQUESTS_PER_SECOND": "0"}
    records = list(campaign.comments(60, seed=5))
    with gunicorn(env, tmp_path) as server:
        workers = server.worker_pids()
        before = post_comments(server.base, site, records[:20], first_ip=0)
        for comment, record in zip(before, records[:20], strict=True):
            action = "spam" if record["label"] == "spam" else "approve"
            if comment["status"] != ("spam" if action == "spam" else "approved"):
                requests.post(
                    f"{server.base}/api/v1/comments/{comment['id']}/moderate",
                    json={"action": action},
                    headers=moderator,
                    timeout=10,
                ).raise_for_status()

        retrained = subprocess.run(
            [BIN / "flask", "--app", "wsgi", "model", "retrain", "--force"],
            cwd=ROOT,
            env={**os.environ, **env, "SECRET_KEY": SECRET},
            capture_output=True,
            text=True,
            check=True,
        )
        promoted = retrained.stdout.split("decision: PROMOTED ")[1].split()[0]
        time.sleep(1.5)  # the poll interval, plus a margin: real workers, real time
        after = post_comments(server.base, site, records[20:], first_ip=20)

        assert server.worker_pids() == workers  # no restart
    assert {comment["model_version"] for comment in before} != {promoted}
    assert {comment["model_version"] for comment in after} == {promoted}
