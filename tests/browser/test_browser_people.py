"""In Chromium: admins manage moderators, a disabled moderator is logged out on its next
click, a site's admin sees one site, and a moderator looks after its own account."""

import pytest
from playwright.sync_api import expect
from support import CONSOLE_PASSWORD as PASSWORD

NEW_PASSWORD = "a brand new long password"


@pytest.fixture
def other_page(browser):
    """A second browser, with cookies of its own, at the phone width."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(5000)
    yield context.new_page()
    context.close()


@pytest.fixture
def add(servers):
    """Add a moderator (and any site it names) through `flask`, with the shared password."""
    runner = servers.app.test_cli_runner()

    def create(email: str, *flags: str) -> str:
        typed = f"{PASSWORD}\n{PASSWORD}\n"
        args = ["moderators", "create", email, "--password", *flags]
        result = runner.invoke(args=args, input=typed)
        assert result.exit_code == 0, result.output
        return email

    return create


def log_in(page, servers, email: str, password: str = PASSWORD) -> None:
    """Log in through the console's form and land on the queue."""
    page.goto(f"{servers.moderato}/moderate/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{servers.moderato}/moderate/")


def manage(page, email: str):
    """Open the row of one moderator on the moderators page; return it."""
    row = page.locator("li.person", has_text=email)
    row.locator("summary").click()
    return row


def test_a_disabled_moderators_open_session_is_logged_out_on_its_next_click(
    page, other_page, servers, login, add, screenshot
):
    night = add("night@news.example")
    log_in(other_page, servers, night)
    expect(other_page.locator(".who")).to_contain_text(night)

    login()
    page.goto(f"{servers.moderato}/moderate/admin/moderators")
    row = manage(page, night)
    expect(row).to_contain_text("1 open session")
    row.get_by_role("button", name="Disable").click()
    expect(page.locator("#toast")).to_contain_text(f"Disabled {night}")
    expect(page.locator("li.person", has_text=night)).to_contain_text("disabled since")

    other_page.get_by_role("link", name="Stats").click()
    expect(other_page).to_have_url(f"{servers.moderato}/moderate/login?next=/moderate/stats")
    expect(other_page.locator("h1")).to_have_text("Log in to moderate")

    manage(page, "desk@news.example").get_by_role("button", name="Reset password").click()
    expect(page.locator(".notice")).to_contain_text("Password link for desk@news.example")
    manage(page, "desk@news.example")  # its forms open, for the screenshot
    screenshot("people-moderators")
    assert page.errors == []


def test_a_moderator_sets_a_password_through_the_link_an_admin_hands_over(
    page, other_page, servers, login, add
):
    late = add("late@news.example")
    login()
    page.goto(f"{servers.moderato}/moderate/admin/moderators")
    manage(page, late).get_by_role("button", name="Reset password").click()
    link = page.locator(".secret").inner_text()

    other_page.goto(link)
    expect(other_page.locator("h1")).to_have_text("Set your password")
    other_page.locator("#password").fill(NEW_PASSWORD)
    other_page.get_by_label("New password again").fill(NEW_PASSWORD + "?")
    other_page.get_by_role("button", name="Set password").click()
    expect(other_page.locator("#confirm-error")).to_have_text("The two passwords differ.")
    other_page.locator("#password").fill(NEW_PASSWORD)
    other_page.get_by_label("New password again").fill(NEW_PASSWORD)
    other_page.get_by_role("button", name="Set password").click()
    expect(other_page.locator("#toast")).to_contain_text("Your password is set")

    log_in(other_page, servers, late, NEW_PASSWORD)
    other_page.goto(link)
    expect(other_page.locator("main")).to_contain_text("already used")


def test_a_site_admin_sees_one_site_only(page, servers, add):
    runner = servers.app.test_cli_runner()
    assert runner.invoke(args=["sites", "create", "gazette"]).exit_code == 0
    add("desk@gazette.example", "--site", "gazette")
    boss = add("boss@news.example", "--admin", "--site", "news")

    log_in(page, servers, boss)
    page.goto(f"{servers.moderato}/moderate/admin/moderators")
    people = page.locator("li.person .person-email")
    expect(people.first).to_be_visible()
    assert all(email.endswith("@news.example") for email in people.all_inner_texts())
    assert "chief@news.example" not in people.all_inner_texts(), "an admin of every site"
    assert page.locator("#m-site option").all_inner_texts() == ["news"]
    page.goto(f"{servers.moderato}/moderate/admin/sites")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("news")
    expect(page.locator("main")).not_to_contain_text("gazette")


def test_a_moderator_ends_its_other_session_and_rotates_its_token(
    page, other_page, servers, add, screenshot
):
    own = add("own@news.example")
    log_in(other_page, servers, own)
    log_in(page, servers, own)

    page.get_by_role("link", name="Account").click()
    expect(page.locator("h1")).to_have_text("Your account")
    expect(page.locator("li.person")).to_have_count(2)
    page.get_by_role("button", name="New token (the current one stops working)").click()
    expect(page.locator(".notice")).to_contain_text("Your new API token")
    screenshot("people-me")

    page.locator("li.person", has_text="Another browser").get_by_role(
        "button", name="End this session"
    ).click()
    expect(page.locator("#toast")).to_contain_text("That session is ended")
    expect(page.locator("li.person")).to_have_count(1)
    other_page.get_by_role("link", name="Published").click()
    expect(other_page.locator("h1")).to_have_text("Log in to moderate")
    assert page.errors == []
