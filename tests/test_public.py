"""GET /api/v1/posts/<post_id>/comments: the published thread, private data never in it."""

import re

import sqlalchemy as sa
from support import bearer

from service.db import db
from service.tables import Comment, Status

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

    response = client.get(f"/api/v1/posts/{POST}/comments?site=news")

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

    text = client.get(f"/api/v1/posts/{POST}/comments?site=news").get_data(as_text=True)

    assert "Aigerim" in text  # the comment is there...
    assert "private.reader" not in text  # ...but not its author's private data
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)
    assert "198.51.100.23" not in text
    assert "SecretAgent" not in text


def test_unknown_post_has_an_empty_thread(client):
    body = client.get("/api/v1/posts/no-such-post/comments?site=news").get_json()

    assert body == {"post_id": "no-such-post", "count": 0, "items": []}


def test_site_parameter_limits_the_thread_to_one_site(client, runner, submit, moderator):
    approve(moderator, submit().get_json()["id"])

    assert client.get(f"/api/v1/posts/{POST}/comments?site=news").get_json()["count"] == 1
    assert client.get(f"/api/v1/posts/{POST}/comments?site=other").get_json()["count"] == 0


def test_unknown_query_parameter_is_422(client):
    response = client.get(f"/api/v1/posts/{POST}/comments?site=news&sort=new")

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
        not in client.get(f"/api/v1/posts/{POST}/comments?site=other", headers=origin).headers
    )


def test_cors_origins_must_be_bare_origins(admin, site_key):
    response = admin.patch(
        "/api/v1/sites/news/settings", {"cors_origins": ["https://news.example/path"]}
    )

    assert response.status_code == 422
    assert "cors_origins.0" in response.get_json()["errors"]


def test_a_thread_needs_its_site_named(client):
    response = client.get(f"/api/v1/posts/{POST}/comments")

    assert response.status_code == 422
    assert response.get_json() == {
        "errors": {"site": ["Name the site whose post this is: ?site=NAME."]}
    }


def test_two_sites_posts_of_the_same_id_never_share_readers(
    client, submit, moderator, create_secret, valid_comment
):
    other = bearer(create_secret("sites", "create", "other"))
    ours = submit(content="Ours.").get_json()["id"]
    theirs = client.post(
        "/api/v1/comments", json=valid_comment(content="Theirs."), headers=other
    ).get_json()["id"]
    approve(moderator, ours)
    approve(moderator, theirs)

    for site, expected in (("news", "Ours."), ("other", "Theirs.")):
        thread = client.get(f"/api/v1/posts/{POST}/comments?site={site}").get_json()
        assert [item["content"] for item in thread["items"]] == [expected]


def nesting(items: list[dict]) -> int:
    """How deep the replies of a dumped thread go (1: no replies), without recursing."""
    deepest, level = 0, [(item, 1) for item in items]
    while level:
        deepest = max(deepest, *(depth for _, depth in level))
        level = [(reply, depth + 1) for item, depth in level for reply in item["replies"]]
    return deepest


def test_a_reply_below_the_deepest_level_joins_its_parents_replies(
    client, submit, moderator, configure
):
    configure(thread_depth=3, flood_per_minute=None)
    ids = []
    for n in range(6):
        created = submit(
            parent_id=ids[-1] if ids else None,
            author_email=f"reader{n}@example.org",  # strangers: none approved by trust
            content=f"Level {n + 1}.",
        ).get_json()
        approve(moderator, created["id"])
        ids.append(created["id"])

    stored = [moderator.get(f"/api/v1/comments/{i}").get_json()["parent_id"] for i in ids]
    thread = client.get(f"/api/v1/posts/{POST}/comments?site=news").get_json()

    assert stored == [None, ids[0], ids[1], ids[1], ids[1], ids[1]]
    assert thread["count"] == 6
    assert nesting(thread["items"]) == 3


def test_a_reply_chain_far_deeper_than_python_recurses_still_renders(app, client, submit):
    first = submit().get_json()["id"]
    table = Comment.__table__
    with app.app_context():
        db.session.execute(sa.update(table).values(status=Status.APPROVED))
        row = db.session.execute(sa.select(table).where(table.c.id == first)).one()._asdict()
        # As a chain built before depth was bounded was stored: each a reply to the last.
        chain = [
            {**row, "id": first + n, "parent_id": first + n - 1, "fingerprint": None}
            for n in range(1, 3001)
        ]
        db.session.execute(sa.insert(table), chain)
        db.session.commit()

    response = client.get(f"/api/v1/posts/{POST}/comments?site=news")

    assert response.status_code == 200
    assert response.get_json()["count"] == 3001
    assert nesting(response.get_json()["items"]) == 5
