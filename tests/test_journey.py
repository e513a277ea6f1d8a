"""The whole journey through a real gunicorn server: post, queue, approve, read back."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(database_url, tmp_path):
    """Migrate with the real CLI and serve with gunicorn; yield (base_url, cli)."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "journey-secret"}

    def cli(*args: str) -> str:
        done = subprocess.run(
            [BIN / "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    cli("db", "upgrade")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, log)
        yield base, cli
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    """Poll /healthz until the server answers; fail with its log if it dies or hangs."""
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{base}/healthz", timeout=2)
            return
        except requests.RequestException:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no answer in 30 s:\n{log.read_text()}"
            time.sleep(0.1)


def test_comment_goes_from_post_to_queue_to_published(server):
    base, cli = server
    site = {"Authorization": f"Bearer {cli('sites', 'create', 'news').splitlines()[-1]}"}
    moderator = {
        "Authorization": f"Bearer {cli('moderators', 'create', 'ed@news.example').splitlines()[-1]}"
    }
    post = "relatives-of-missing-kazakhs-fall-silent"
    comment = {
        "post_id": post,
        "author_name": "Aigerim",
        "author_email": "aigerim@example.kz",
        "content": "My uncle has been missing since 2018. Thank you for this report.",
        "user_ip": "203.0.113.7",
    }

    created = requests.post(f"{base}/api/v1/comments", json=comment, headers=site, timeout=10)
    assert created.status_code == 201
    assert created.headers["Location"].endswith(f"/api/v1/comments/{created.json()['id']}")
    assert created.json()["status"] == "pending"

    queue = requests.get(f"{base}/api/v1/queue", headers=moderator, timeout=10).json()
    assert [item["id"] for item in queue["items"]] == [created.json()["id"]]

    assert requests.get(f"{base}/api/v1/posts/{post}/comments", timeout=10).json()["count"] == 0
    approved = requests.post(
        f"{base}{created.headers['Location']}/moderate",
        json={"action": "approve"},
        headers=moderator,
        timeout=10,
    )
    assert approved.status_code == 200

    public = requests.get(f"{base}/api/v1/posts/{post}/comments", timeout=10)
    assert [item["content"] for item in public.json()["items"]] == [comment["content"]]
    assert "aigerim@example.kz" not in public.text
    assert "203.0.113.7" not in public.text
