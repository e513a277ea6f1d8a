"""People in the console: admins manage moderators; a moderator manages their own account."""

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import CONSOLE_PASSWORD, bearer

from service.db import db
from service.tables import ConsoleSession, Moderator, Role, Site

ADMIN = "chief@news.example"
DESK = "desk@news.example"
NEW_PASSWORD = "a different long password"


class Browser:
    """One browser (its own cookie jar) on an app; every POST carries the CSRF token."""

    def __init__(self, app, address: str = "127.0.0.1", agent: str = "TestBrowser/1.0"):
        self.client = app.test_client()
        self.client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)

    def token(self) -> str:
        with self.client.session_transaction() as session:
            return session.setdefault("csrf", "test-csrf-token")

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.client.post(path, data={"csrf_token": self.token(), **(data or {})}, **kwargs)

    def login(self, email: str, password: str = CONSOLE_PASSWORD):
        return self.post("/moderate/login", data={"email": email, "password": password})

    def who(self) -> str | None:
        """The email the console says is logged in, or None when it sends us to log in."""
        response = self.get("/moderate/stats")
        if response.status_code == 302:
            return None
        return re.search(r'class="who">([^ <]+)', response.text).group(1)


@pytest.fixture
def browser(app):
    """Open a new browser on the app, at an address and with a user agent of its own."""
    return lambda *args, **kwargs: Browser(app, *args, **kwargs)


@pytest.fixture
def people(console_account, create_secret, site_key):
    """Sites news and gazette; a global admin, a news desk moderator, a gazette moderator."""
    create_secret("sites", "create", "gazette")
    console_account(ADMIN, "--admin")
    console_account(DESK, "--site", "news")
    console_account("desk@gazette.example", "--site", "gazette")


@pytest.fixture
def admin(people, browser):
    """A browser logged in as the admin of every site."""
    chief = browser()
    assert chief.login(ADMIN).status_code == 302
    return chief


@pytest.fixture
def desk(people, browser):
    """A browser logged in as the news desk moderator."""
    moderator = browser("198.51.100.23", "Firefox/140.0 (desk)")
    assert moderator.login(DESK).status_code == 302
    return moderator


def row(app, email: str) -> Moderator:
    with app.app_context():
        return db.session.scalar(sa.select(Moderator).where(Moderator.email == email))


def site_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Site.id).where(Site.name == name))


def secret_on(response) -> str:
    """The secret a page shows once."""
    return re.search(r'class="secret">([^<]+)<', response.text).group(1)


def link_path(response) -> str:
    """The path and query of the password link a page shows."""
    link = urlsplit(secret_on(response))
    return f"{link.path}?{link.query}"


def api_status(client, token: str) -> int:
    return client.get("/api/v1/queue", headers=bearer(token)).status_code


# Admins manage moderators


def test_an_admin_adds_a_moderator_without_a_password_and_hands_over_a_link(app, admin, browser):
    response = admin.post("/moderate/admin/moderators", data={"email": "new@news.example"})

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    link = link_path(response)
    newcomer = browser()
    assert newcomer.login("new@news.example", NEW_PASSWORD).status_code == 401
    assert newcomer.get(link).status_code == 200
    assert (
        newcomer.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    )
    assert newcomer.login("new@news.example", NEW_PASSWORD).status_code == 302
    assert newcomer.who() == "new@news.example"
    assert row(app, "new@news.example").role == Role.MODERATOR


def test_disabling_ends_an_open_session_on_every_worker_and_refuses_the_token(
    app, make_app, admin, desk, create_secret
):
    token = create_secret("moderators", "rotate-token", DESK)
    other_worker = Browser(make_app())
    other_worker.client.set_cookie("session", desk.client.get_cookie("session").value)
    assert other_worker.who() == DESK

    response = admin.post(f"/moderate/admin/moderators/{row(app, DESK).id}/disable")

    assert response.status_code == 302
    assert desk.who() is None and other_worker.who() is None
    assert api_status(desk.client, token) == 401
    assert desk.login(DESK).status_code == 401
    assert "disabled" in admin.get("/moderate/admin/moderators").text


def test_re_enabling_lets_the_moderator_log_in_and_use_the_token_again(
    app, admin, desk, create_secret
):
    token = create_secret("moderators", "rotate-token", DESK)
    desk_id = row(app, DESK).id
    admin.post(f"/moderate/admin/moderators/{desk_id}/disable")

    assert admin.post(f"/moderate/admin/moderators/{desk_id}/enable").status_code == 302

    assert row(app, DESK).disabled_at is None
    assert api_status(desk.client, token) == 200
    assert desk.who() is None, "the old session stays ended"
    assert desk.login(DESK).status_code == 302


def test_an_admin_changes_a_moderators_role_and_site(app, admin):
    gazette = site_id(app, "gazette")
    response = admin.post(
        f"/moderate/admin/moderators/{row(app, DESK).id}", {"role": "admin", "site": gazette}
    )

    assert response.status_code == 302
    changed = row(app, DESK)
    assert (changed.role, changed.site_id) == (Role.ADMIN, gazette)
    assert "is now admin of gazette" in admin.get("/moderate/admin/moderators").text


def test_a_role_change_with_a_bad_value_changes_nothing(app, admin):
    desk_id = row(app, DESK).id
    response = admin.post(f"/moderate/admin/moderators/{desk_id}", {"role": "owner", "site": 99})

    assert response.status_code == 422
    assert 'id="role-error"' in response.text
    unchanged = row(app, DESK)
    assert (unchanged.role, unchanged.site_id) == (Role.MODERATOR, site_id(app, "news"))


def test_an_admin_rotates_a_moderators_token_and_sees_it_once(app, admin, client, create_secret):
    old = create_secret("moderators", "rotate-token", DESK)
    response = admin.post(f"/moderate/admin/moderators/{row(app, DESK).id}/token")

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    new = secret_on(response)
    assert (api_status(client, old), api_status(client, new)) == (401, 200)
    assert new not in admin.get("/moderate/admin/moderators").text


# Password links


def reset_link(app, admin, email: str = DESK) -> str:
    response = admin.post(f"/moderate/admin/moderators/{row(app, email).id}/password-link")
    assert response.status_code == 201
    return link_path(response)


def test_a_reset_link_sets_a_new_password_once_and_ends_the_old_sessions(app, admin, desk, browser):
    link = reset_link(app, admin)
    holder = browser()

    assert holder.get(link).status_code == 200
    assert holder.get(link).status_code == 200, "opening the link changes nothing"
    assert desk.who() == DESK, "the old password and sessions last until the new one is set"
    done = holder.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert done.headers["Location"] == "/moderate/login"
    assert desk.who() is None
    assert browser().login(DESK).status_code == 401
    assert browser().login(DESK, NEW_PASSWORD).status_code == 302
    again = holder.post(
        link, {"password": "yet another password", "confirm": "yet another password"}
    )
    assert again.status_code == 404
    assert "already used, has expired" in again.text
    assert browser().login(DESK, "yet another password").status_code == 401


def test_the_access_log_never_holds_a_password_link(app, admin, browser, caplog):
    link = reset_link(app, admin)
    token = link.partition("?token=")[2]

    with caplog.at_level("INFO", logger="moderato.access"):
        assert browser().get(link).status_code == 200

    logged = [str(vars(record)) for record in caplog.records]
    assert any("/moderate/password" in line for line in logged)
    assert not any(token in line for line in logged)


def test_a_reset_link_expires(app, admin, browser, clock):
    link = reset_link(app, admin)
    clock.advance(hours=48, seconds=1)

    response = browser().get(link)

    assert response.status_code == 404
    assert "has expired" in response.text


def test_a_reset_link_lasts_as_long_as_configured(make_app, people, clock):
    app = make_app(PASSWORD_LINK_HOURS=1)
    chief = Browser(app)
    chief.login(ADMIN)
    link = reset_link(app, chief)
    clock.advance(minutes=59)
    assert Browser(app).get(link).status_code == 200
    clock.advance(minutes=2)
    assert Browser(app).get(link).status_code == 404


def _flip_first(token: str, after: str) -> str:
    """Change the first character of the token's last part after a separator."""
    head, sep, tail = token.rpartition(after)
    return f"{head}{sep}{'B' if tail[0] == 'A' else 'A'}{tail[1:]}"


@pytest.mark.parametrize(
    "alter",
    [
        lambda token: _flip_first(token, after="."),  # the signature
        lambda token: "x" + token[1:],  # the claims
        lambda token: token.partition(".")[0],  # no signature at all
    ],
)
def test_an_altered_reset_link_is_refused_and_changes_nothing(app, admin, browser, alter):
    link = reset_link(app, admin)
    prefix, _, token = link.rpartition("=")
    altered = f"{prefix}={alter(token)}"

    response = browser().post(altered, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 404
    assert browser().login(DESK).status_code == 302, "the old password still works"


def test_a_reset_link_dies_when_its_moderator_is_disabled(app, admin, browser):
    link = reset_link(app, admin)
    admin.post(f"/moderate/admin/moderators/{row(app, DESK).id}/disable")

    assert browser().get(link).status_code == 404
    refused = admin.post(f"/moderate/admin/moderators/{row(app, DESK).id}/password-link")
    assert refused.status_code == 422
    assert "Enable them first" in refused.text


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"password": "too short", "confirm": "too short"}, "password"),
        ({"confirm": "x"}, "password"),
    ],
)
def test_a_bad_new_password_is_refused_next_to_its_field_and_keeps_the_link(
    app, admin, browser, typed, field
):
    link = reset_link(app, admin)
    holder = browser()
    holder.get(link)

    response = holder.post(link, typed)

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert holder.get(link).status_code == 200


def test_two_different_passwords_are_refused(app, admin, browser):
    link = reset_link(app, admin)

    response = browser().post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})

    assert response.status_code == 422
    assert "The two passwords differ." in response.text


# Who may manage whom


@pytest.fixture
def news_admin(people, console_account, browser):
    """A browser logged in as an admin of the news site only."""
    console_account("boss@news.example", "--admin", "--site", "news")
    boss = browser()
    assert boss.login("boss@news.example").status_code == 302
    return boss


ACTIONS = ["", "/disable", "/enable", "/password-link", "/token"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target", ["desk@gazette.example", ADMIN])
def test_a_site_admin_cannot_touch_a_moderator_beyond_its_site(app, news_admin, action, target):
    before = row(app, target)
    data = {"role": "moderator", "site": site_id(app, "news")}

    response = news_admin.post(f"/moderate/admin/moderators/{before.id}{action}", data)

    assert response.status_code == 404
    after = row(app, target)
    assert (after.role, after.site_id, after.key_hash, after.disabled_at) == (
        before.role,
        before.site_id,
        before.key_hash,
        before.disabled_at,
    )


@pytest.mark.parametrize(
    ("role", "site"),
    [("admin", ""), ("moderator", ""), ("admin", "gazette"), ("moderator", "gazette")],
)
def test_a_site_admin_can_neither_make_a_global_moderator_nor_move_one_away(
    app, news_admin, role, site
):
    chosen = site_id(app, site) if site else ""
    response = news_admin.post(
        f"/moderate/admin/moderators/{row(app, DESK).id}", {"role": role, "site": chosen}
    )

    assert response.status_code == 422
    assert "only for the sites you manage" in response.text
    unchanged = row(app, DESK)
    assert (unchanged.role, unchanged.site_id) == (Role.MODERATOR, site_id(app, "news"))


def test_a_site_admin_manages_its_own_sites_moderators(app, news_admin):
    desk_id = row(app, DESK).id
    page = news_admin.get("/moderate/admin/moderators").text

    assert f"/moderate/admin/moderators/{desk_id}/disable" in page
    assert "desk@gazette.example" not in page and ADMIN not in page
    promoted = news_admin.post(
        f"/moderate/admin/moderators/{desk_id}", {"role": "admin", "site": site_id(app, "news")}
    )
    assert promoted.status_code == 302
    assert row(app, DESK).role == Role.ADMIN
    assert news_admin.post(f"/moderate/admin/moderators/{desk_id}/disable").status_code == 302


def test_an_admin_does_not_change_itself_on_the_admin_page(app, admin):
    chief = row(app, ADMIN)
    page = admin.get("/moderate/admin/moderators").text

    assert f"/moderate/admin/moderators/{chief.id}/disable" not in page
    assert "This is you" in page
    assert admin.post(f"/moderate/admin/moderators/{chief.id}/disable").status_code == 404
    assert row(app, ADMIN).disabled_at is None


@pytest.mark.parametrize("action", ACTIONS)
def test_a_plain_moderator_cannot_reach_the_admin_actions(app, desk, action):
    target = row(app, "desk@gazette.example")

    response = desk.post(f"/moderate/admin/moderators/{target.id}{action}", {"role": "admin"})

    assert response.status_code == 403
    assert row(app, "desk@gazette.example").key_hash == target.key_hash


def test_a_plain_moderator_cannot_add_a_moderator(app, desk):
    response = desk.post("/moderate/admin/moderators", {"email": "sneaky@news.example"})

    assert response.status_code == 403
    assert row(app, "sneaky@news.example") is None


# A moderator's own page


def test_the_own_page_lists_sessions_by_network_never_by_address(desk, browser):
    phone = browser("198.51.100.99", "Phone/2.0")
    phone.login(DESK)

    page = desk.get("/moderate/me").text

    assert page.count("End this session") == 1 and "Log out here" in page
    assert "Firefox/140.0 (desk)" in page and "Phone/2.0" in page
    assert "198.51.100.0" in page
    assert "198.51.100.23" not in page and "198.51.100.99" not in page


def test_a_user_agent_with_control_characters_is_stored_without_them(app, people, browser):
    odd = browser(agent="Odd\x00Agent\x1b[31m/1.0")
    assert odd.login(DESK).status_code == 302

    assert "OddAgent[31m/1.0" in odd.get("/moderate/me").text


def test_a_moderator_ends_another_of_its_sessions(app, desk, browser):
    phone = browser("198.51.100.99", "Phone/2.0")
    phone.login(DESK)
    with app.app_context():
        phone_session = db.session.scalar(
            sa.select(ConsoleSession.id).where(ConsoleSession.user_agent == "Phone/2.0")
        )

    response = desk.post(f"/moderate/me/sessions/{phone_session}/end")

    assert response.headers["Location"] == "/moderate/me"
    assert phone.who() is None
    assert desk.who() == DESK


def test_ending_this_browsers_session_logs_it_out(desk, browser):
    other = browser()
    other.login(DESK)
    with desk.client.session_transaction() as session:
        this_session = session["console_session"]

    response = desk.post(f"/moderate/me/sessions/{this_session}/end")

    assert response.headers["Location"] == "/moderate/login"
    assert desk.who() is None
    assert other.who() == DESK


def test_a_moderator_cannot_end_someone_elses_session(app, admin, desk):
    with app.app_context():
        chiefs = db.session.scalar(
            sa.select(ConsoleSession.id).join(Moderator).where(Moderator.email == ADMIN)
        )

    assert desk.post(f"/moderate/me/sessions/{chiefs}/end").status_code == 404
    assert admin.who() == ADMIN


def test_logging_out_everywhere_ends_every_session(desk, browser):
    other = browser()
    other.login(DESK)

    response = desk.post("/moderate/me/sessions/end")

    assert response.headers["Location"] == "/moderate/login"
    assert desk.who() is None and other.who() is None


def test_logging_out_ends_only_this_browsers_session(desk, browser):
    other = browser()
    other.login(DESK)

    desk.post("/moderate/logout")

    assert desk.who() is None
    assert other.who() == DESK


def test_logging_in_again_in_the_same_browser_replaces_its_session(app, desk):
    desk.login(DESK)

    assert desk.get("/moderate/me").text.count("Log out here") == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsoleSession)) == 1


def test_a_session_lapses_after_its_lifetime_without_use(app, desk, clock):
    lifetime = app.permanent_session_lifetime
    clock.advance(seconds=lifetime.total_seconds() - 60)
    assert desk.who() == DESK, "used just in time: the session lives on from now"
    clock.advance(seconds=lifetime.total_seconds() - 60)
    assert desk.who() == DESK
    clock.advance(seconds=lifetime.total_seconds())
    assert desk.who() is None


def test_a_moderator_changes_its_password_and_its_other_sessions_end(app, desk, browser):
    other = browser()
    other.login(DESK)
    change = {"current": CONSOLE_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}

    response = desk.post("/moderate/me/password", change)

    assert response.headers["Location"] == "/moderate/me"
    assert desk.who() == DESK, "this browser stays logged in"
    assert other.who() is None
    assert browser().login(DESK).status_code == 401
    assert browser().login(DESK, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"current": "not my password"}, "current", "not your current password"),
        ({"current": ""}, "current", "Type your current password."),
        ({"password": "short", "confirm": "short"}, "password", "at least 12 characters"),
        ({"confirm": "something else entirely"}, "confirm", "The two passwords differ."),
    ],
)
def test_a_wrong_password_change_is_refused_next_to_its_field(app, desk, change, field, message):
    typed = {"current": CONSOLE_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    before = row(app, DESK).password_hash

    response = desk.post("/moderate/me/password", {**typed, **change})

    assert response.status_code == 422
    assert re.search(f'id="{field}-error">[^<]*{message}', response.text)
    assert row(app, DESK).password_hash == before
    assert desk.who() == DESK


def test_guessing_the_current_password_is_throttled_like_logging_in(app, desk):
    guess = {"current": "wrong guess", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    answers = [desk.post("/moderate/me/password", guess).status_code for _ in range(11)]

    assert answers == [422] * 10 + [429]
    right = {**guess, "current": CONSOLE_PASSWORD}
    locked = desk.post("/moderate/me/password", right)
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    assert desk.login(DESK).status_code == 429, "the login form counts the same guesses"


def test_a_moderator_rotates_revokes_and_makes_its_own_token(app, desk, client, create_secret):
    first = create_secret("moderators", "rotate-token", DESK)
    page = desk.get("/moderate/me").text
    assert "You have an API token" in page and first not in page
    assert first.partition(".")[0] in page, "its key id, to tell tokens apart"

    rotated = desk.post("/moderate/me/token")
    second = secret_on(rotated)
    assert rotated.status_code == 201 and rotated.headers["Cache-Control"] == "no-store"
    assert (api_status(client, first), api_status(client, second)) == (401, 200)
    assert second not in desk.get("/moderate/me").text

    assert desk.post("/moderate/me/token/revoke").headers["Location"] == "/moderate/me"
    assert api_status(client, second) == 401
    assert "You have no API token" in desk.get("/moderate/me").text

    third = secret_on(desk.post("/moderate/me/token"))
    assert api_status(client, third) == 200


def test_the_own_page_needs_a_login(client):
    assert client.get("/moderate/me").headers["Location"] == "/moderate/login?next=/moderate/me"


# Hostile input

FIELDS = st.dictionaries(
    st.sampled_from(["role", "site", "email", "password", "confirm", "current", "token", "x"]),
    st.one_of(
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["admin", "moderator", "", "1", "2"]),
    ),
    max_size=5,
)
PEOPLE_FORMS = [
    "/moderate/admin/moderators",
    "/moderate/admin/moderators/2",
    "/moderate/admin/moderators/2/password-link",
    "/moderate/me/password",
    "/moderate/me/sessions/%00x/end",
    "/moderate/password?token=e30.x",
]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PEOPLE_FORMS), fields=FIELDS)
def test_no_people_form_causes_a_server_error(app, admin, path, fields):
    before = row(app, DESK)

    response = admin.post(path, fields)

    assert response.status_code < 500, (path, fields)
    if response.status_code >= 400:
        after = row(app, DESK)
        assert (after.role, after.site_id, after.password_hash) == (
            before.role,
            before.site_id,
            before.password_hash,
        )
