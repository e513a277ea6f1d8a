"""The whole journey through a real gunicorn server: post, queue, approve, read back."""

import pytest
import requests
from live import commands, gunicorn


@pytest.fixture
def server(database_url, tmp_path):
    """Migrate with the CLI's commands and serve with gunicorn; yield (base_url, cli)."""
    with commands(database_url) as cli:
        cli("db", "upgrade")
        with gunicorn({"DATABASE_URL": database_url}, tmp_path) as running:
            yield running.base, cli


def test_comment_goes_from_post_to_queue_to_published(server):
    base, cli = server
    site = {"Authorization": f"Bearer {cli('sites', 'create', 'news')}"}
    moderator = {"Authorization": f"Bearer {cli('moderators', 'create', 'ed@news.example')}"}
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

    assert (
        requests.get(f"{base}/api/v1/posts/{post}/comments?site=news", timeout=10).json()["count"]
        == 0
    )
    approved = requests.post(
        f"{base}{created.headers['Location']}/moderate",
        json={"action": "approve"},
        headers=moderator,
        timeout=10,
    )
    assert approved.status_code == 200

    public = requests.get(f"{base}/api/v1/posts/{post}/comments?site=news", timeout=10)
    assert [item["content"] for item in public.json()["items"]] == [comment["content"]]
    assert "aigerim@example.kz" not in public.text
    assert "203.0.113.7" not in public.text
