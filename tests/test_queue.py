"""GET /api/v1/queue: statuses, sorts, keyset pages, and refused parameters."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from support import bearer

from service import scoring
from service.db import db
from service.tables import Comment, Site, Status


@pytest.fixture
def queued(submit, clock):
    """Seven pending comments a minute apart, with distinct scores."""
    ids = []
    for n in range(7):
        ids.append(
            submit(content=f"Comment number {n} about the article, thoughtfully.").get_json()["id"]
        )
        clock.advance(minutes=1)
    return ids


def walk(moderator, **params) -> list[dict]:
    """Follow next_cursor from the first page to the last; return every item seen."""
    items, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = moderator.get("/api/v1/queue", query_string=query)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        assert len(page["items"]) <= params.get("limit", 50)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 50])
@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("-spam_score", "spam_score", True),
        ("spam_score", "spam_score", False),
        ("created_at", "created_at", False),
        ("-created_at", "created_at", True),
    ],
)
def test_pages_cover_every_comment_once_in_order(moderator, queued, sort, key, reverse, limit):
    items = walk(moderator, sort=sort, limit=limit)

    assert sorted(item["id"] for item in items) == sorted(queued)
    assert [item[key] for item in items] == sorted((item[key] for item in items), reverse=reverse)


# Per site: its own spam threshold (None: the service's, here the model's) and the scores
# of its pending comments (None: unscored). Dyadic values tie exactly across sites (at 0 and
# 0.25 from a threshold); the others check that a cursor's distance survives the round trip.
SPREAD = {
    "news": (0.5, [0.5, 0.25, 0.75, 0.61, None, 0.125]),
    "gazette": (0.75, [0.5, 0.75, 0.12, 0.9, 1.0]),
    "herald": (0.3, [0.55, 0.05, 0.3, None, 0.29, 0.0]),
    "plain": (None, [0.7, 0.2, 0.9]),
}


@pytest.fixture
def spread(app, admin, create_secret, site_key) -> dict[int, tuple[str, float | None]]:
    """Store SPREAD's comments, sites interleaved, oldest first; return {id: (site, distance)}."""
    for name, (threshold, _) in SPREAD.items():
        if name != "news":
            create_secret("sites", "create", name)
        if threshold is not None:
            admin.patch(f"/api/v1/sites/{name}/settings", {"spam_threshold": threshold})
    with app.test_request_context():
        served = scoring.threshold()
        site_ids = dict(db.session.execute(sa.select(Site.name, Site.id)).all())
        stored = {}
        rows = max(len(scores) for _, scores in SPREAD.values())
        for n in range(rows):
            for name, (threshold, scores) in SPREAD.items():
                if n >= len(scores):
                    continue
                comment = Comment(
                    site_id=site_ids[name],
                    post_id="a-post",
                    author_name=f"Reader {n}",
                    author_email=f"reader{n}@{name}.example",
                    content=f"Comment {n} on {name}.",
                    status=Status.PENDING,
                    spam_score=scores[n],
                    reasons=[],
                    created_at=datetime(2026, 11, 27, 9, n, tzinfo=UTC),
                )
                db.session.add(comment)
                db.session.flush()
                score, limit = scores[n], threshold if threshold is not None else served
                stored[comment.id] = (name, None if score is None else abs(score - limit))
        db.session.commit()
    return stored


def uncertain_order(comments: dict[int, tuple[str, float | None]]) -> list[int]:
    """Ids nearest their site's threshold first (ties by id), then the unscored by id."""
    scored = sorted((d, i) for i, (_, d) in comments.items() if d is not None)
    return [i for _, i in scored] + sorted(i for i, (_, d) in comments.items() if d is None)


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 50])
def test_uncertain_puts_scores_nearest_their_sites_threshold_first(moderator, spread, limit):
    items = walk(moderator, sort="uncertain", limit=limit)

    assert [item["id"] for item in items] == uncertain_order(spread)


def test_uncertain_follows_a_site_moderators_own_threshold(client, create_secret, spread):
    token = create_secret("moderators", "create", "desk@gazette.example", "--site", "gazette")
    gazette = {i: value for i, value in spread.items() if value[0] == "gazette"}

    response = client.get("/api/v1/queue?sort=uncertain", headers=bearer(token))

    assert [item["id"] for item in response.get_json()["items"]] == uncertain_order(gazette)


def test_unscored_comments_follow_scored_ones_in_both_directions(
    make_app, moderator, submit, site_headers, valid_comment, tmp_path
):
    scored = submit().get_json()["id"]
    unscored_app = make_app(MODEL_DIR=str(tmp_path / "none"))

    def unscored_reader(n: int) -> dict:
        # Each from a reader of their own, all at once: no flood interval in the way.
        return {"content": f"Unscored {n}", "author_email": f"u{n}@example.org", "user_ip": None}

    unscored = [
        unscored_app.test_client()
        .post("/api/v1/comments", json=valid_comment(**unscored_reader(n)), headers=site_headers)
        .get_json()["id"]
        for n in range(3)
    ]

    for sort in ("-spam_score", "spam_score", "uncertain"):
        items = walk(moderator, sort=sort, limit=2)
        assert [item["id"] for item in items] == [scored, *unscored]


def test_default_is_pending_by_descending_score(moderator, submit):
    spam = submit(
        content="FREE iPhone!!! CHECK OUT my channel http://bit.ly/xyz subscribe"
    ).get_json()
    ham = submit().get_json()
    assert spam["status"] == "spam"

    items = moderator.get("/api/v1/queue").get_json()["items"]

    assert [item["id"] for item in items] == [ham["id"]]
    spam_items = moderator.get("/api/v1/queue?status=spam").get_json()["items"]
    assert [item["id"] for item in spam_items] == [spam["id"]]


def test_queue_items_show_moderators_everything(moderator, submit):
    submit()

    [item] = moderator.get("/api/v1/queue").get_json()["items"]

    assert item["author_email"] == "aigerim@example.kz"
    assert item["user_ip"] == "203.0.113.7"
    assert item["site"] == "news"
    assert item["version"] == 1
    assert item["reasons"]


def test_a_queue_item_is_the_comment_as_its_detail_shows_it(moderator, submit):
    parent = submit(author_url="https://example.org/aigerim").get_json()
    moderator.post(f"/api/v1/comments/{parent['id']}/moderate", {"action": "approve"})
    submit(parent_id=parent["id"], author_url=None, author_email="ben@example.org")

    [item] = moderator.get("/api/v1/queue").get_json()["items"]
    detail = moderator.get(f"/api/v1/comments/{item['id']}").get_json()

    assert item["parent_id"] == parent["id"] and item["author_url"] is None
    assert item == {key: value for key, value in detail.items() if key not in ("history", "author")}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=deleted", "status"),
        ("sort=author", "sort"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WzEsMl0", "cursor"),  # [1, 2] under a created_at sort
        ("cursor=WyJ4IiwgMV0", "cursor"),  # ["x", 1] under a score sort
        ("colour=red", "colour"),
    ],
)
def test_malformed_parameters_are_422(moderator, query, field):
    if field == "cursor" and "WzEsMl0" in query:
        query += "&sort=created_at"

    response = moderator.get(f"/api/v1/queue?{query}")

    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_queue_needs_a_moderator(client, site_headers):
    assert client.get("/api/v1/queue").status_code == 401
    assert client.get("/api/v1/queue", headers=site_headers).status_code == 403


def test_site_moderator_sees_only_that_sites_queue(client, create_secret, submit):
    submit()
    create_secret("sites", "create", "other")
    token = create_secret("moderators", "create", "mod@other.example", "--site", "other")

    response = client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})

    assert response.get_json()["items"] == []
