"""A real WordPress for tests: Debian's packages, Apache on a free loopback port, MariaDB.

Nothing is installed here (.ci/run installs the packages). Every change to the machine (a
MariaDB database, a config file in /etc/wordpress, two must-use plugins) is undone on exit.
Its admin acts through wp-admin as a browser does, or through WordPress's REST API with the
browser's cookies; Apache's access log (one line a request, method first) says what a test
sent it.
"""

import fcntl
import html
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests
from live import ROOT, free_port, wait_until_answering

PACKAGES = (
    "wordpress",
    "wordpress-theme-twentytwentythree",
    "apache2",
    "libapache2-mod-php",
    "php-mysql",
)
MODULES = Path("/usr/lib/apache2/modules")
WORDPRESS = Path("/usr/share/wordpress")
CONTENT = Path("/var/lib/wordpress/wp-content")
MU_PLUGINS = CONTENT / "mu-plugins"
# Debian's wp-config.php reads /etc/wordpress/config-$WORDPRESS_CONFIG.php when the web server
# sets that variable: a name of our own, so a config-127.0.0.1.php kept here is never touched.
CONFIG_NAME = "moderato-test"
CONFIG = Path(f"/etc/wordpress/config-{CONFIG_NAME}.php")
PLUGIN = ROOT / "integrations" / "wordpress" / "moderato-akismet.php"
TEST_PLUGIN = """<?php
// Moderato's tests only (tests/wordpress.py): readers all post from 127.0.0.1 within
// seconds, which WordPress would refuse as a flood; and no mail leaves the machine.
add_filter( 'comment_flood_filter', '__return_false' );
add_filter( 'pre_wp_mail', '__return_false' );
"""
MARIADB = ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "--batch", "-N"]
ADMIN = "admin"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
# WordPress waits up to 15 s per Akismet call and tries three times when the server is down.
TIMEOUT = 60
APACHE_MODULES = {
    "mpm_prefork_module": "mod_mpm_prefork.so",
    "authz_core_module": "mod_authz_core.so",
    "dir_module": "mod_dir.so",
    "mime_module": "mod_mime.so",
    "alias_module": "mod_alias.so",
    "env_module": "mod_env.so",
    "rewrite_module": "mod_rewrite.so",
    "headers_module": "mod_headers.so",
}
APACHE_CONF = """\
ServerRoot {folder}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {folder}/apache.pid
DefaultRuntimeDir {folder}
ErrorLog {folder}/error.log
LogLevel warn
LogFormat "%h %t \\"%r\\" %>s %b %Dus \\"%{{User-Agent}}i\\"" timed
CustomLog {folder}/access.log timed
User www-data
Group www-data
{modules}
StartServers 2
MinSpareServers 2
MaxSpareServers 4
MaxRequestWorkers 8
TypesConfig /etc/mime.types
DirectoryIndex index.php
DocumentRoot {wordpress}
Alias /wp-content {content}
SetEnv WORDPRESS_CONFIG {config_name}
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {wordpress}>
    Options FollowSymLinks
    Require all granted
    # What Settings > Permalinks asks for (Debian's /etc/wordpress/htaccess, uncommented):
    # with pretty permalinks, WordPress answers every path that is no file.
    RewriteEngine On
    RewriteBase /
    RewriteCond %{{REQUEST_FILENAME}} !-f
    RewriteCond %{{REQUEST_FILENAME}} !-d
    RewriteRule . /index.php [L]
</Directory>
<Directory {content}>
    Options FollowSymLinks
    Require all granted
</Directory>
# As a proxy or CDN that drops WordPress's Link header would (?link-header=off).
<If "%{{QUERY_STRING}} =~ /link-header=off/">
    Header unset Link
</If>
<FilesMatch "\\.php$">
    SetHandler application/x-httpd-php
</FilesMatch>
"""
WP_CONFIG = """<?php
// Written by Moderato's tests (tests/wordpress.py) and removed when they end.
define( 'DB_NAME', '{database}' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', '127.0.0.1:3306' );
define( 'WPCOM_API_KEY', '{api_key}' );
define( 'MODERATO_URL', '{moderato_url}' );
// 'local' also lets WordPress make application passwords without HTTPS.
define( 'WP_ENVIRONMENT_TYPE', 'local' );
// Only 127.0.0.1: update checks and feeds fail at once, and an Akismet call that the
// must-use plugin did not redirect fails too instead of reaching rest.akismet.com.
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
// The test drives every step itself; no background job runs behind its back.
define( 'DISABLE_WP_CRON', true );
"""


def unavailable() -> str | None:
    """Say why a real WordPress cannot run on this machine, or None when it can."""
    if shutil.which("dpkg-query") is None:
        return "a real WordPress needs Debian's packages, and this is not a Debian machine"
    absent = [name for name in PACKAGES if not _installed(name)]
    if absent:
        return f"Debian packages missing: {' '.join(absent)} (.ci/run installs them)"
    if not sorted(MODULES.glob("libphp*.so")):
        return f"no PHP module for Apache in {MODULES}"
    if os.geteuid() != 0:
        return "a real WordPress needs root, to write /etc/wordpress and its mu-plugins folder"
    if shutil.which("mariadb") is None:
        return "no MariaDB client (Debian package mariadb-client)"
    probe = subprocess.run([*MARIADB, "-e", "SELECT 1"], capture_output=True, text=True, timeout=10)
    if probe.returncode:
        return f"MariaDB at 127.0.0.1:3306 refuses root: {probe.stderr.strip()} (.ci/run starts it)"
    return None


def _installed(package: str) -> bool:
    """Whether dpkg has a package installed."""
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return status.stdout == "install ok installed"


def sql(statement: str, database: str = "") -> str:
    """Run SQL as MariaDB's root over 127.0.0.1; return its tab-separated rows."""
    command = [*MARIADB, "-e", statement, *([database] if database else [])]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"{statement}: {result.stderr}"
    return result.stdout


class Changes:
    """Files this harness writes on the machine, each restored or removed on exit."""

    def __init__(self, undo: ExitStack):
        self.undo = undo

    def write(self, path: Path, text: str) -> None:
        """Write a file readable by the web server, arranging for its old state to return."""
        if not path.parent.exists():
            path.parent.mkdir(parents=True)
            self.undo.callback(_remove_if_empty, path.parent)
        before = (path.read_bytes(), path.stat()) if path.exists() else None
        self.undo.callback(_restore, path, before)
        path.write_text(text)
        path.chmod(0o644)


def _remove_if_empty(folder: Path) -> None:
    """Remove a folder this harness created, unless someone else has put files in it."""
    with suppress(OSError):
        folder.rmdir()


def _restore(path: Path, before: tuple[bytes, os.stat_result] | None) -> None:
    """Put a file back as it was (content, mode, owner), or remove it if it was absent."""
    if before is None:
        path.unlink(missing_ok=True)
        return
    content, stat = before
    path.write_bytes(content)
    path.chmod(stat.st_mode & 0o7777)
    os.chown(path, stat.st_uid, stat.st_gid)


@contextmanager
def _exclusive(folder: Path, seconds: float = 600) -> Iterator[None]:
    """Hold a lock on a folder, so two test runs never share the machine's WordPress files."""
    handle = os.open(folder, os.O_RDONLY)
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another test run held {folder} for {seconds} s") from None
                time.sleep(0.5)
        yield
    finally:
        os.close(handle)


@contextmanager
def _apache(folder: Path) -> Iterator[str]:
    """Run Apache with a config of its own on a free port; stop it by its pid on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    php = sorted(MODULES.glob("libphp*.so"))[-1]
    modules = [f"LoadModule {name} {MODULES / so}" for name, so in APACHE_MODULES.items()]
    conf = folder / "apache.conf"
    conf.write_text(
        APACHE_CONF.format(
            folder=folder,
            port=port,
            modules="\n".join([*modules, f"LoadModule php_module {php}"]),
            wordpress=WORDPRESS,
            content=CONTENT,
            config_name=CONFIG_NAME,
        )
    )
    with (folder / "apache.stderr").open("w") as stderr:
        # Its own session: stopping, Apache signals its whole process group, which must not
        # include the test runner.
        process = subprocess.Popen(
            ["/usr/sbin/apache2", "-f", conf, "-DFOREGROUND"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/wp-admin/install.php", process, lambda: _logs(folder))
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _logs(folder: Path) -> str:
    """Apache's own output and error log, for a failure's message."""
    paths = (folder / "apache.stderr", folder / "error.log")
    return "".join(path.read_text() for path in paths if path.exists())


class _FormFields(HTMLParser):
    """The fields a browser without JavaScript sends from one form of a page."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        """Note a form's start, or a field of the form being read."""
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif self.inside and tag in ("input", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        """Note a form's end."""
        if tag == "form":
            self.inside = False


def form_fields(page: str, form_id: str) -> dict[str, str]:
    """Read the fields of the form with that id, as a browser without JavaScript posts them."""
    parser = _FormFields(form_id)
    parser.feed(page)
    assert parser.fields, f"no form #{form_id} on the page"
    return parser.fields


def _link(page: str, pattern: str) -> str | None:
    """The first link of a page whose URL (entities decoded) starts with a pattern."""
    for href in re.findall(r'href=["\']([^"\']+)["\']', page):
        if re.match(pattern, html.unescape(href)):
            return html.unescape(href)
    return None


@dataclass
class WordPress:
    """A running WordPress: its URL, database, access log, admin's browser session, timings."""

    base: str
    database: str
    access_log: Path
    admin: requests.Session = field(default_factory=requests.Session)
    timings: dict[str, float] = field(default_factory=dict)
    nonce: str = ""

    def rest(self, method: str, route: str, **body) -> dict:
        """Call WordPress's REST API as the logged-in admin (cookies and nonce, as wp-admin)."""
        if not self.nonce:
            answer = self.admin.get(
                f"{self.base}/wp-admin/admin-ajax.php?action=rest-nonce", timeout=TIMEOUT
            )
            assert answer.ok, f"no REST nonce for the admin: {answer.text[:500]}"
            self.nonce = answer.text
        response = self.admin.request(
            method,
            f"{self.base}/?rest_route={route}",
            json=body or None,
            headers={"X-WP-Nonce": self.nonce},
            timeout=TIMEOUT,
        )
        assert response.ok, f"{method} {route}: {response.status_code} {response.text[:500]}"
        return response.json()

    def application_password(self, user: str | int = "me") -> str:
        """Make a user an application password, as Users > Profile does; return it."""
        route = f"/wp/v2/users/{user}/application-passwords"
        return self.rest("POST", route, name="Moderato import")["password"]

    def create_user(self, login: str, role: str) -> int:
        """Add a user with a role (Users > Add New); return the user's id."""
        user = self.rest(
            "POST",
            "/wp/v2/users",
            username=login,
            email=f"{login}@blog.example",
            password=secrets.token_urlsafe(12),
            roles=[role],
        )
        return user["id"]

    def add_comment(self, **fields) -> dict:
        """Add a comment to the first post as the admin may (any author, IP, date, status)."""
        return self.rest("POST", "/wp/v2/comments", post=1, **fields)

    def set_option(self, name: str, value: str) -> None:
        """Set one of WordPress's options, as its settings screens save them."""
        sql(
            f"UPDATE wp_options SET option_value = '{value}' WHERE option_name = '{name}'",
            self.database,
        )

    def zero_dates(self, comment_id: int, *columns: str) -> None:
        """Set a comment's date columns to zero, as imports from older blogs left some."""
        zeros = ", ".join(f"{column} = '0000-00-00 00:00:00'" for column in columns)
        sql(f"UPDATE wp_comments SET {zeros} WHERE comment_ID = {int(comment_id)}", self.database)

    def use_permalinks(self, structure: str) -> None:
        """Switch permalinks ('' plain, '/%postname%/' pretty); WordPress rebuilds its rules."""
        self.set_option("permalink_structure", structure)
        self.set_option("rewrite_rules", "")

    def requests_logged(self, user_agent: str) -> list[tuple[str, float]]:
        """What Apache logged from a client, in order: request line, seconds it took to serve."""
        lines = re.findall(
            r'"([^"]*)" \S+ \S+ (\d+)us "([^"]*)"$', self.access_log.read_text(), re.M
        )
        return [(line, int(us) / 1e6) for line, us, agent in lines if agent == user_agent]

    def post_comment(self, author: str, email: str, content: str, url: str = "") -> int:
        """Post a comment on the first post, as a reader's browser without JS; return its id."""
        with requests.Session() as reader:
            reader.headers["User-Agent"] = BROWSER
            page = reader.get(f"{self.base}/?p=1", timeout=TIMEOUT)
            fields = form_fields(page.text, "commentform")
            fields.update(author=author, email=email, url=url, comment=content)
            response = reader.post(
                f"{self.base}/wp-comments-post.php",
                data=fields,
                headers={"Referer": page.url},
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        location = response.headers.get("Location", "")
        assert "#comment-" in location, f"WordPress refused the comment: {response.text[:500]}"
        return int(location.rsplit("#comment-", 1)[1])

    def status(self, comment_id: int) -> str:
        """A comment's comment_approved in WordPress: '0' held, '1' approved, 'spam'."""
        query = f"SELECT comment_approved FROM wp_comments WHERE comment_ID = {int(comment_id)}"
        return sql(query, self.database).strip()

    def akismet_meta(self, comment_id: int) -> dict[str, str]:
        """What the Akismet plugin recorded on a comment (result, error), its history aside."""
        query = (
            "SELECT meta_key, meta_value FROM wp_commentmeta WHERE comment_id = "
            f"{int(comment_id)} AND meta_key IN ('akismet_result', 'akismet_error', "
            "'akismet_pro_tip', 'akismet_user_result', 'akismet_user')"
        )
        return dict(line.split("\t", 1) for line in sql(query, self.database).splitlines())

    def click(self, comment_id: int, action: str) -> None:
        """Click a comment's 'spam' or 'unspam' row action in wp-admin's Comments list."""
        view = "spam" if action == "unspam" else "all"
        page = self.admin.get(
            f"{self.base}/wp-admin/edit-comments.php?comment_status={view}", timeout=TIMEOUT
        )
        link = _link(page.text, rf"comment\.php\?c={int(comment_id)}&action={action}comment&")
        assert link, f"no {action} link for comment {comment_id} in wp-admin ({view})"
        response = self.admin.get(
            urljoin(page.url, link),
            headers={"Referer": page.url},
            timeout=TIMEOUT,
        )
        assert response.ok, f"{action} click answered {response.status_code}"

    def install(self, password: str) -> None:
        """Install WordPress headlessly, as its installer's form does."""
        form = {
            "weblog_title": "Moderato test blog",
            "user_name": ADMIN,
            "admin_password": password,
            "admin_password2": password,
            "pw_weak": "1",
            "admin_email": "admin@blog.example",
            "blog_public": "0",
            "Submit": "Install WordPress",
        }
        answer = requests.post(
            f"{self.base}/wp-admin/install.php?step=2", data=form, timeout=TIMEOUT
        )
        assert "Success!" in answer.text, f"WordPress did not install: {answer.text[:2000]}"

    def log_in(self, password: str) -> None:
        """Log the admin in through wp-login.php, keeping the cookies in self.admin."""
        self.admin.headers["User-Agent"] = BROWSER
        self.admin.get(f"{self.base}/wp-login.php", timeout=TIMEOUT)  # sets the test cookie
        form = {"log": ADMIN, "pwd": password, "wp-submit": "Log In", "testcookie": "1"}
        self.admin.post(f"{self.base}/wp-login.php", data=form, timeout=TIMEOUT)
        names = [cookie.name for cookie in self.admin.cookies]
        assert any(name.startswith("wordpress_logged_in") for name in names), names

    def activate_akismet(self) -> None:
        """Click Akismet's Activate link on wp-admin's Plugins page."""
        page = self.admin.get(f"{self.base}/wp-admin/plugins.php", timeout=TIMEOUT)
        link = _link(page.text, r"plugins\.php\?action=activate&plugin=akismet%2F")
        assert link, "no Activate link for Akismet on the Plugins page"
        self.admin.get(urljoin(page.url, link), timeout=TIMEOUT)
        active = sql(
            "SELECT option_value FROM wp_options WHERE option_name = 'active_plugins'",
            self.database,
        )
        assert "akismet/akismet.php" in active, f"Akismet is not active: {active}"


@contextmanager
def running(folder: Path, api_key: str = "", moderato_url: str = "") -> Iterator[WordPress]:
    """Serve a freshly installed WordPress, its admin logged in; undo it all on exit.

    With an Akismet key, its Akismet plugin is active and calls Moderato at moderato_url.
    """
    with ExitStack() as undo:
        undo.enter_context(_exclusive(CONFIG.parent))
        database = f"moderato_wp_{secrets.token_hex(4)}"
        sql(f"CREATE DATABASE {database} CHARACTER SET utf8mb4")
        undo.callback(sql, f"DROP DATABASE IF EXISTS {database}")
        changes = Changes(undo)
        settings = {"database": database, "api_key": api_key, "moderato_url": moderato_url}
        changes.write(CONFIG, WP_CONFIG.format(**settings))
        changes.write(MU_PLUGINS / PLUGIN.name, PLUGIN.read_text())
        changes.write(MU_PLUGINS / "moderato-test-only.php", TEST_PLUGIN)
        started = time.monotonic()
        wordpress = WordPress(undo.enter_context(_apache(folder)), database, folder / "access.log")
        undo.callback(wordpress.admin.close)
        wordpress.timings["apache start"] = time.monotonic() - started
        password = secrets.token_urlsafe(12)
        steps = {
            "WordPress install": lambda: wordpress.install(password),
            "admin login": lambda: wordpress.log_in(password),
        }
        if api_key:
            steps["Akismet activation"] = wordpress.activate_akismet
        for name, step in steps.items():
            started = time.monotonic()
            step()
            wordpress.timings[name] = time.monotonic() - started
        yield wordpress
