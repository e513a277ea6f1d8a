"""Campaigns: near-duplicates grouped at submission, listed as one, decided and undone as one."""

import json

import pytest
import sqlalchemy as sa
from datasketch import MinHash
from support import bearer, run_module

from service import campaigns, labels, privacy
from service.db import db
from service.tables import CampaignBucket, Comment, ModerationAction, Status

# One pitch in other words, names, links, addresses and amounts: each wording repeats a
# sentence of another, none repeats all of them.
PITCH = [
    "I lost $42,000 in bitcoin to a fake trading platform and thought it was gone forever. "
    "Luckily I came across Agent Rachel Moore who helped me recover everything within 9 days. "
    "Reach them on WhatsApp +1 (415) 555-0134",
    "I lost €18,500 in bitcoin to a fake trading platform and thought it was gone forever. "
    "A friend referred me to Mr. Gary Lancaster and all my funds were retrieved in 12 days. "
    "Email lancaster_recovery@gmail.com",
    "Same happened to me, 7,000 dollars in USDT vanished after the exchange shut down. "
    "A friend referred me to Dr. Kevin Hacks and all my funds were retrieved in 3 days. "
    "Reach them on WhatsApp +44 7700 900123 God bless.",
    "Don't give up hope, my pension money vanished too after the exchange shut down. "
    "Luckily I came across Recovery Expert Sarah Cole who helped me recover everything within "
    "5 days. Visit https://chainrecoverypros.org",
]
# Readers of the same article, one of them warning against exactly that pitch.
READERS = [
    "Beware of anyone in these comments promising to recover your funds. Recovery services "
    "that contact you first are scams; go through the official administrator.",
    "I had $3,000 on that exchange. The administrators say creditors may get 20% back, in "
    "about 5 years.",
    "Lost 12,000 dollars. Filed a claim with the administrator on day one, still waiting for "
    "any news at all.",
    "Why did the regulator let them advertise on the football shirts for two whole seasons?",
]
POST = "crypto-exchange-collapse-leaves-savers-out-of-pocket"


@pytest.fixture
def post(submit, score_as):
    """Submit a comment on the crypto article as its own reader, to the queue; return its id."""
    score_as(0.5)  # pending, whatever the model would say of the pitch
    count = iter(range(1, 1000))

    def send(content: str, **fields) -> int:
        n = next(count)
        response = submit(
            content=content,
            post_id=POST,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            user_ip=f"198.51.100.{n}",
            **fields,
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return send


def campaign_of(app, *ids: int) -> list[int | None]:
    with app.app_context():
        query = sa.select(Comment.id, Comment.campaign_id).where(Comment.id.in_(ids))
        found = dict(db.session.execute(query).all())
    return [found[comment_id] for comment_id in ids]


def test_one_pitch_in_other_words_names_links_and_addresses_is_one_campaign(app, post):
    ids = [post(text) for text in PITCH]

    assert campaign_of(app, *ids) == [ids[0]] * len(ids)


def test_readers_of_the_same_article_are_grouped_with_nobody(app, post):
    ids = [post(text) for pair in zip(PITCH, READERS, strict=True) for text in pair]

    assert campaign_of(app, *ids[1::2]) == [None] * len(READERS)
    assert set(campaign_of(app, *ids[::2])) == {ids[0]}


def test_short_comments_are_never_grouped(app, post):
    ids = [post("Thank you for this!"), post("Thank you for this!!")]

    assert campaign_of(app, *ids) == [None, None]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignBucket)) == 0


def test_a_comment_like_two_campaigns_merges_them_into_the_older(app, post):
    opener, middle = PITCH[0].split(". ", 1)[0], PITCH[1].split(". ", 2)[1]
    first = f"{opener}. Nobody at the bank would listen and the police shrugged it off entirely."
    second = f"My sister called me in tears last night about her savings account. {middle}."
    # Each is alike to the bridge and not to the other, so two campaigns form first.
    words = [campaigns.pairs(campaigns.tokens(text)) for text in (first, second)]
    assert not campaigns.alike(*words)
    ids = [post(first), post(first + " Truly."), post(second), post(second + " Truly.")]
    assert campaign_of(app, *ids) == [ids[0], ids[0], ids[2], ids[2]]

    bridge = post(f"{opener}. {middle}.")

    assert campaign_of(app, *ids, bridge) == [ids[0]] * 5


def test_campaigns_form_across_app_instances_on_one_database(make_app, app, post, site_headers):
    first = post(PITCH[0])
    other = make_app().test_client()  # another worker, its own engine, the same database
    body = {
        "post_id": POST,
        "author_name": "Ben",
        "author_email": "ben@example.org",
        "content": PITCH[1],
        "user_ip": "203.0.113.99",
    }

    second = other.post("/api/v1/comments", json=body, headers=site_headers).get_json()["id"]

    assert campaign_of(app, first, second) == [first, first]


def test_each_site_has_campaigns_of_its_own(app, client, post, create_secret):
    blog = bearer(create_secret("sites", "create", "blog"))
    first = post(PITCH[0])
    body = {"post_id": POST, "author_name": "Ben", "author_email": "ben@example.org"}

    elsewhere = client.post("/api/v1/comments", json={**body, "content": PITCH[1]}, headers=blog)

    assert campaign_of(app, first, elsewhere.get_json()["id"]) == [None, None]


def test_a_campaign_is_stored_as_buckets_and_erasing_a_comment_takes_its_own(app, post):
    ids = [post(text) for text in PITCH[:2]]

    with app.app_context():
        count = sa.select(CampaignBucket.comment_id, sa.func.count()).group_by(
            CampaignBucket.comment_id
        )
        assert dict(db.session.execute(count).all()) == dict.fromkeys(ids, len(campaigns.BANDS))
        privacy.erase("reader1@example.org")
        assert dict(db.session.execute(count).all()) == {ids[1]: len(campaigns.BANDS)}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Write to gary@gmail.com today", "Write to wolfe_01@proton.me today"),
        ("Visit https://a.example/x?y=1 today", "Visit www.b-recovery.org today"),
        ("Call +1 (902) 421-7915 today", "Call 555 0100 today"),
        ("Lost $42,000 today", "Lost 7,000 today"),
        ("Thanks to Agent Rachel Moore today", "Thanks to Mr Gary Lancaster today"),
        ("Telegram @moore01 today", "Telegram @hacks today"),
        ("СПАСИБО, Cásino", "спасибо, casino"),
    ],
)
def test_names_links_addresses_and_numbers_read_alike(one, other):
    assert [t.text for t in campaigns.tokens(one)] == [t.text for t in campaigns.tokens(other)]


def queue(moderator, **params) -> list[dict]:
    return moderator.get("/api/v1/queue", query_string=params).get_json()["items"]


def test_queue_items_name_their_campaign_and_its_size(moderator, post):
    ids = [post(PITCH[0]), post(READERS[0]), post(PITCH[1])]

    items = {item["id"]: item for item in queue(moderator)}
    detail = moderator.get(f"/api/v1/comments/{ids[2]}").get_json()

    assert [(items[i]["campaign_id"], items[i]["campaign_size"]) for i in ids] == [
        (ids[0], 2),
        (None, None),
        (ids[0], 2),
    ]
    assert (detail["campaign_id"], detail["campaign_size"]) == (ids[0], 2)


def test_the_queue_lists_one_campaign_on_request(moderator, post):
    ids = [post(text) for pair in zip(PITCH, READERS, strict=True) for text in pair]

    listed = queue(moderator, campaign=ids[0], sort="created_at")

    assert [item["id"] for item in listed] == ids[::2]


def test_a_grouped_queue_shows_each_campaign_once_across_its_pages(moderator, post):
    ids = [post(text) for pair in zip(PITCH, READERS, strict=True) for text in pair]
    shown, cursor = [], None
    while True:
        page = moderator.get(
            "/api/v1/queue",
            query_string={"grouped": "true", "limit": 1, **({"cursor": cursor} if cursor else {})},
        ).get_json()
        shown += page["items"]
        if not (cursor := page["next_cursor"]):
            break

    assert sorted(item["id"] for item in shown) == sorted([ids[0], *ids[1::2]])
    assert {item["campaign_size"] for item in shown if item["id"] == ids[0]} == {4}


@pytest.mark.parametrize("query", ["campaign=abc", "campaign=0", "grouped=maybe"])
def test_a_bad_campaign_query_is_refused(moderator, query):
    response = moderator.get(f"/api/v1/queue?{query}")

    assert response.status_code == 422
    assert query.split("=")[0] in response.get_json()["errors"]


def history(app, *ids: int) -> dict[int, list[tuple]]:
    """Each comment's recorded decisions: (from, to, who, whether it undid the one before)."""
    with app.app_context():
        query = sa.select(ModerationAction).where(ModerationAction.comment_id.in_(ids))
        found = {comment_id: [] for comment_id in ids}
        for action in db.session.scalars(query.order_by(ModerationAction.id)):
            who = action.moderator.email
            move = (action.from_status, action.to_status, who, action.undoes_id is not None)
            found[action.comment_id].append(move)
        return found


def statuses(app, *ids: int) -> list[Status]:
    with app.app_context():
        query = sa.select(Comment.id, Comment.status).where(Comment.id.in_(ids))
        found = dict(db.session.execute(query).all())
    return [found[comment_id] for comment_id in ids]


def label_count(app) -> int:
    with app.app_context(), db.engine.connect() as connection:
        return labels.count(connection)


def group_form(html: str) -> dict[str, list[str]]:
    """The ids and versions a campaign row's form sends."""
    form = html.split('<li class="comment campaign"', 1)[1].split("</form>", 1)[0]
    return {name: _values(form, name) for name in ("ids", "versions")}


def _values(form: str, name: str) -> list[str]:
    marker = f'name="{name}" value="'
    return [part.split('"', 1)[0] for part in form.split(marker)[1:]]


JSON = {"Accept": "application/json"}


def test_the_console_shows_a_campaign_as_one_row_with_its_shared_words_marked(console, post):
    ids = [post(text) for pair in zip(PITCH, READERS, strict=True) for text in pair]
    console.login()

    html = console.get("/moderate/").text

    assert html.count('<li class="comment campaign"') == 1
    assert "4 similar comments" in html
    # The first comment, its phrases the others repeat marked whole; what varies is not.
    shared = html.split('class="content shared"', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
    assert shared == (
        "<mark>I lost</mark> $42,000 <mark>in bitcoin to a fake trading platform and thought "
        "it was gone forever. Luckily I came across</mark> Agent Rachel Moore <mark>who helped "
        "me recover everything within</mark> 9 <mark>days. Reach them on WhatsApp</mark> "
        "+1 (415) 555-0134"
    )
    assert group_form(html) == {"ids": [str(i) for i in ids[::2]], "versions": ["1"] * 4}
    assert all(f'id="comment-{reader}"' in html for reader in ids[1::2])


def test_one_decision_takes_the_whole_campaign_each_recorded_and_labelled(app, console, post):
    ids = [post(text) for text in PITCH]
    reader = post(READERS[0])
    console.login()
    form = group_form(console.get("/moderate/").text)

    response = console.post("/moderate/act", data={"action": "spam", **form}, headers=JSON)

    assert [r["code"] for r in response.get_json()["results"]] == [200] * 4
    assert response.get_json()["message"] == "Marked as spam: 4 comments."
    assert sorted(response.get_json()["undo"]) == ids
    assert statuses(app, *ids, reader) == [Status.SPAM] * 4 + [Status.PENDING]
    move = (Status.PENDING, Status.SPAM, "desk@news.example", False)
    assert history(app, *ids) == {comment_id: [move] for comment_id in ids}
    assert label_count(app) == 4


def test_a_campaign_decision_is_undone_as_one(app, console, post, clock):
    ids = [post(text) for text in PITCH]
    console.login()
    form = group_form(console.get("/moderate/").text)
    decided = console.post("/moderate/act", data={"action": "spam", **form}, headers=JSON)
    clock.advance(seconds=5)

    undone = console.post("/moderate/undo", data={"ids": decided.get_json()["undo"]}, headers=JSON)

    assert [r["code"] for r in undone.get_json()["results"]] == [200] * 4
    assert statuses(app, *ids) == [Status.PENDING] * 4
    who = "desk@news.example"
    moves = [(Status.PENDING, Status.SPAM, who, False), (Status.SPAM, Status.PENDING, who, True)]
    assert history(app, *ids) == {comment_id: moves for comment_id in ids}
    assert label_count(app) == 0
    assert "4 similar comments" in console.get("/moderate/").text


def test_a_campaign_comment_changed_meanwhile_is_refused_alone(app, console, post, moderator):
    ids = [post(text) for text in PITCH]
    console.login()
    form = group_form(console.get("/moderate/").text)  # every comment at version 1
    moderator.post(f"/api/v1/comments/{ids[2]}/moderate", {"action": "approve"})

    response = console.post("/moderate/act", data={"action": "spam", **form}, headers=JSON)

    results = {r["id"]: r for r in response.get_json()["results"]}
    assert [results[i]["code"] for i in ids] == [200, 200, 409, 200]
    assert "changed by another moderator" in results[ids[2]]["error"]
    assert statuses(app, *ids) == [Status.SPAM, Status.SPAM, Status.APPROVED, Status.SPAM]


def test_versions_that_do_not_match_the_ids_are_refused_and_change_nothing(app, console, post):
    ids = [post(text) for text in PITCH[:2]]
    console.login()

    response = console.post(
        "/moderate/act",
        data={"action": "spam", "ids": ids, "versions": [1]},
        headers=JSON,
    )

    assert response.status_code == 422
    assert "one version per comment" in response.get_json()["message"]
    assert statuses(app, *ids) == [Status.PENDING] * 2


@pytest.mark.parametrize(
    ("narrowing", "shown"),
    [("campaign={first}", [0, 1, 2, 3]), ("q=bitcoin", [0, 1]), (f"post={POST}", [0, 1, 2, 3])],
)
def test_a_narrowed_list_shows_a_campaigns_comments_one_by_one(console, post, narrowing, shown):
    ids = [post(text) for text in PITCH]
    console.login()

    html = console.get("/moderate/?" + narrowing.format(first=ids[0])).text

    assert '<li class="comment campaign"' not in html
    assert [i for i, comment_id in enumerate(ids) if f'id="comment-{comment_id}"' in html] == shown
    link = f'href="/moderate/?status=pending&amp;campaign={ids[0]}">4 similar comments</a>'
    assert html.count(link) == len(shown)


def test_the_research_command_finds_a_campaign_whole_among_readers():
    result = run_module("research.campaign_groups", "--seeds", "1")

    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])["runs"]
    crypto = next(row for row in served if row["campaign"].startswith("crypto recovery"))
    assert crypto["runs with all in one group"] == "1 of 1"
    assert crypto["readers wrongly grouped with it"] == 0


def test_the_research_command_says_what_it_measures():
    result = run_module("research.campaign_groups", "--help")

    assert result.returncode == 0, result.stderr
    assert "python -m research.campaign_groups" in result.stdout
    assert "--sweep" in result.stdout


def test_a_grouping_the_database_gives_up_on_costs_the_comment_nothing_else(app, post, monkeypatch):
    first = post(PITCH[0])
    store = campaigns.store

    def deadlocked(placement, comment_id):
        store(placement, comment_id)  # buckets written, the first comment renamed, then:
        raise sa.exc.OperationalError("UPDATE comments", {}, Exception("deadlock detected"))

    monkeypatch.setattr(campaigns, "store", deadlocked)
    second = post(PITCH[1])

    # Stored with the campaign it found; what grouping wrote besides is undone, not committed.
    assert campaign_of(app, first, second) == [None, first]
    with app.app_context():
        stored = sa.select(CampaignBucket.comment_id).where(CampaignBucket.comment_id == second)
        assert db.session.scalars(stored).all() == []


@pytest.mark.parametrize("text", PITCH + READERS)
def test_a_signature_is_datasketchs_minhash_of_the_word_pairs(text):
    paired = campaigns.shingles(text)
    reference = MinHash(campaigns.NUM_PERM, scheme="affine32", permutations=campaigns._PERMUTATIONS)
    reference.update_batch([pair.encode() for pair in paired])

    found = campaigns.signature(paired)

    assert found.dtype == reference.hashvalues.dtype
    assert found.tolist() == reference.hashvalues.tolist()
