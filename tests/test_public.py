"""GET /api/v1/posts/<post_id>/comments: the published thread, private data never in it."""

import re

POST = "relatives-of-missing-kazakhs-fall-silent"


def approve(moderator, comment_id):
    response = moderator.post(f"/api/v1/comments/{comment_id}/moderate", {"action": "approve"})
    assert response.status_code == 200, response.get_json()


def test_only_approved_comments_are_shown_threaded_oldest_first(client, submit, moderator, clock):
    first = submit(content="First, and approved.").get_json()["id"]
    clock.advance(minutes=1)
    submit(content="Still waiting in the queue.")
    clock.advance(minutes=1)
    second = submit(content="Second, and approved.").get_json()["id"]
    approve(moderator, first)
    approve(moderator, second)
    clock.advance(minutes=1)
    reply = submit(
        content="A reply to the first.", parent_id=first, author_email="dana@example.org"
    ).get_json()["id"]
    approve(moderator, reply)

    response = client.get(f"/api/v1/posts/{POST}/comments")

    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [first, second]
    assert [r["id"] for r in body["items"][0]["replies"]] == [reply]
    assert body["items"][0]["content"] == "First, and approved."


def test_raw_json_never_contains_email_ip_or_user_agent(client, submit, moderator):
    comment = submit(
        author_email="private.reader@example.org",
        user_ip="198.51.100.23",
        user_agent="SecretAgent/1.0",
    ).get_json()["id"]
    approve(moderator, comment)

    text = client.get(f"/api/v1/posts/{POST}/comments").get_data(as_text=True)

    assert "Aigerim" in text  # the comment is there...
    assert "private.reader" not in text  # ...but not its author's private data
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)
    assert "198.51.100.23" not in text
    assert "SecretAgent" not in text


def test_unknown_post_has_an_empty_thread(client):
    body = client.get("/api/v1/posts/no-such-post/comments").get_json()

    assert body == {"post_id": "no-such-post", "count": 0, "items": []}


def test_site_parameter_limits_the_thread_to_one_site(client, runner, submit, moderator):
    approve(moderator, submit().get_json()["id"])

    assert client.get(f"/api/v1/posts/{POST}/comments?site=news").get_json()["count"] == 1
    assert client.get(f"/api/v1/posts/{POST}/comments?site=other").get_json()["count"] == 0


def test_unknown_query_parameter_is_422(client):
    response = client.get(f"/api/v1/posts/{POST}/comments?sort=new")

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["sort"]


def test_cors_is_off_unless_the_site_allows_the_origin(client, configure):
    url = f"/api/v1/posts/{POST}/comments?site=news"
    origin = {"Origin": "https://news.example"}

    assert "Access-Control-Allow-Origin" not in client.get(url, headers=origin).headers
    configure(cors_origins=["https://NEWS.example/"])

    allowed = client.get(url, headers=origin).headers
    assert allowed["Access-Control-Allow-Origin"] == "https://news.example"
    assert allowed["Vary"] == "Origin"
    other = client.get(url, headers={"Origin": "https://evil.example"}).headers
    assert "Access-Control-Allow-Origin" not in other
    assert (
        "Access-Control-Allow-Origin"
        not in client.get(f"/api/v1/posts/{POST}/comments", headers=origin).headers
    )


def test_cors_origins_must_be_bare_origins(admin, site_key):
    response = admin.patch(
        "/api/v1/sites/news/settings", {"cors_origins": ["https://news.example/path"]}
    )

    assert response.status_code == 422
    assert "cors_origins.0" in response.get_json()["errors"]
