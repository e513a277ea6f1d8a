"""Real servers for the browser tests: Moderato and the example news site, and Chromium."""

import importlib.util
import sys
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from support import SECRET
from werkzeug.serving import make_server

from service import create_app, migrate, settings, sites
from service.clock import now
from service.db import create_engine, db
from service.tables import Comment, Site, Status

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = {1280: 900, 390: 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"

if not CHROMIUM.exists():
    pytest.skip(
        "the browser tests need Debian's Chromium at /usr/bin/chromium "
        "(apt-get install chromium; .ci/run does it)",
        allow_module_level=True,
    )


def serve(app: Flask) -> str:
    """Serve an app with werkzeug on a free port in a daemon thread; return its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def _news_site_module():
    """Import examples/news_site/app.py as `flask --app` would, its folder on sys.path."""
    folder = ROOT / "examples" / "news_site"
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("news_site_app", folder / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Servers:
    """Moderato and the news site, running, with a site key and an admin login."""

    moderato: str
    news: str
    app: Flask
    site_id: int
    site_key: str
    admin_email: str = "chief@news.example"

    def seed(self, count: int, status: Status = Status.PENDING, **fields) -> list[int]:
        """Store comments directly (no rules, no flood control), varied scores, oldest first."""
        with self.app.app_context():
            rows = [
                Comment(
                    site_id=self.site_id,
                    post_id=fields.get("post_id", "relatives-of-missing-kazakhs-fall-silent"),
                    author_name=fields.get("author_name", f"Reader {n}"),
                    author_email=fields.get("author_email", f"reader{n}@example.org"),
                    author_url=fields.get("author_url"),
                    content=fields.get("content", f"Seeded comment number {n}."),
                    user_ip=f"198.51.100.{n % 250}",
                    status=status,
                    spam_score=fields.get("spam_score", (n * 37 % 100) / 100),
                    model_version="seed",
                    reasons=fields.get("reasons", ["seeded for the browser test"]),
                    created_at=now() - timedelta(days=n % 12, minutes=n),
                )
                for n in range(count)
            ]
            db.session.add_all(rows)
            db.session.commit()
            return [row.id for row in rows]


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Servers:
    """Migrate a fresh SQLite database, create a site and an admin, start both servers."""
    path = tmp_path_factory.mktemp("browser") / "moderato.db"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    runner = app.test_cli_runner()
    site_key = runner.invoke(args=["sites", "create", "news"]).output.strip().splitlines()[-1]
    typed = f"{PASSWORD}\n{PASSWORD}\n"
    for email, flags in [("chief@news.example", ["--admin"]), ("desk@news.example", [])]:
        result = runner.invoke(
            args=["moderators", "create", email, "--password", *flags], input=typed
        )
        assert result.exit_code == 0, result.output
    with app.app_context():
        site = db.session.query(Site).one()
        # Every reader here comments from the browser's one address, seconds apart.
        sites.save(site, settings.load({"flood_interval_seconds": 0}), None, "test setup")
        db.session.commit()
        site_id = site.id
    moderato = serve(app)
    news = _news_site_module().create_app({"MODERATO_URL": moderato, "MODERATO_SITE_KEY": site_key})
    yield Servers(moderato=moderato, news=serve(news), app=app, site_id=site_id, site_key=site_key)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (never `playwright install`: no network)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) at the desktop width; dialogs and JS errors recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(5000)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(error))
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save the page at each width as test-artifacts/screenshots/<name>-<width>.png."""

    def take(name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width, height in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    return take


@pytest.fixture
def login(page, servers):
    """Log in to the console through its form (as the admin unless told otherwise)."""

    def log_in(email: str = servers.admin_email) -> None:
        page.goto(f"{servers.moderato}/moderate/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{servers.moderato}/moderate/")

    return log_in
