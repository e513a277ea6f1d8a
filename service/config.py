"""Configuration: defaults here, then the environment, then a test mapping.

Every key is documented where it is defined: what it means, its default and
unit, and the risk of changing it.
"""

import os
import time
from pathlib import Path

from model.artifact import key_from_file
from model.train import DATA_DIR as DATA
from model.train import DEFAULT_FILES

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _env_optional(name: str, kind: type[int] | type[float]) -> int | float | None:
    """Read an optional number from the environment; None when unset or empty."""
    value = os.environ.get(name)
    return kind(value) if value not in (None, "") else None


class Config:
    """Settings read once when the app is created."""

    # Signs sessions and model artifacts. Unset: a random key is generated once
    # and kept in instance/secret_key, so all workers on this host agree.
    # Risk: anyone holding it can forge console sessions and model artifacts.
    SECRET_KEY = os.environ.get("SECRET_KEY")

    # SQLAlchemy URL. Default: an SQLite file under instance/ (WAL mode). Set
    # postgresql+psycopg://... to share one database between many workers.
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'moderato.db'}")

    # Folder of versioned model artifacts written by `make train`; the version
    # named in its LATEST file is served. Missing model: comments are stored
    # as pending with the reason "unscored", never lost.
    MODEL_DIR = os.environ.get("MODEL_DIR", str(ROOT / "models"))

    # Seconds between a worker's looks at the model registry (one indexed query,
    # on the request path) for a newly promoted or rolled-back version. A
    # promotion reaches every worker within this plus one request. 0: every
    # request looks (tests). Longer means a slower rollout of a fix.
    MODEL_POLL_SECONDS = float(os.environ.get("MODEL_POLL_SECONDS", 10))
    # The monotonic clock of that poll; tests inject their own instead of sleeping.
    MONOTONIC = time.monotonic

    # `flask model retrain`: how much lower may the challenger's deciding metric
    # (PR-AUC on the newest labels) be than the champion's and still promote.
    # 0.01 tolerates noise on a small slice; larger risks promoting a worse model.
    RETRAIN_MARGIN = float(os.environ.get("RETRAIN_MARGIN", 0.01))
    # Fraction (0-1) of the site's labels, the newest by decision time, held out
    # to judge the challenger. Larger: a surer verdict, less to learn from.
    RETRAIN_HOLDOUT = float(os.environ.get("RETRAIN_HOLDOUT", 0.2))
    # Most held-out labels a retrain tests on (the newest): scoring them is
    # cheap, but a surer verdict than 5,000 labels give is not needed.
    RETRAIN_MAX_TESTED = int(os.environ.get("RETRAIN_MAX_TESTED", 5_000))
    # Most site labels one fit learns from (the newest); unset, every label. Memory
    # does not need it (RETRAIN_SAMPLE_ROWS bounds that): it is for learning only
    # from recent decisions.
    RETRAIN_MAX_LABELS = _env_optional("RETRAIN_MAX_LABELS", int)
    # Rows (corpora plus labels) a fit holds in memory: a fit up to this size is
    # make train's; a larger one learns its vocabulary from a sample this big and
    # its model from every row, chunked (docs/model.md). A retrain's peak memory
    # follows it: about 1.2 GiB at 50,000, whatever the number of labels.
    RETRAIN_SAMPLE_ROWS = int(os.environ.get("RETRAIN_SAMPLE_ROWS", 50_000))
    # Most a site label may weigh against one corpus row. Labels together weigh
    # as much as the corpora until there are that many (docs/model.md); a higher
    # cap lets a handful of labels swing the model, risking overfitting.
    LABEL_WEIGHT_MAX = float(os.environ.get("LABEL_WEIGHT_MAX", 10))
    # Corpus files a retrain learns from besides the labels (comma-separated
    # paths). Default: the shipped YouTube files, as `make train` uses.
    RETRAIN_CORPORA = tuple(
        path
        for path in os.environ.get(
            "RETRAIN_CORPORA", ",".join(str(DATA / name) for name in DEFAULT_FILES)
        ).split(",")
        if path
    )
    # The worker (`flask --app wsgi worker`) retrains by itself, through the same guard as
    # `make retrain`, once this many labels are new: decided after the last retrain started.
    # 0: never for a count. Lower keeps the model closer to the moderators for more CPU (a
    # retrain took 9.7 s on 10,000 labels and 72 s on 100,000: README, Performance).
    RETRAIN_AFTER_LABELS = int(os.environ.get("RETRAIN_AFTER_LABELS", 50))
    # ...or once a new label has waited this many hours, however few are new: so retrains
    # come at most daily on a quiet site. 0: never on time alone. A failed retrain counts as
    # a retrain, so it is tried again when next due by either rule, not in a loop.
    RETRAIN_EVERY_HOURS = float(os.environ.get("RETRAIN_EVERY_HOURS", 24))
    # Seconds between the worker's looks for due work (one or two indexed queries each).
    # Longer delays a due retrain by up to that much.
    WORKER_POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", 60))
    # Seconds a lease (service/leases.py: one host at a time, e.g. retraining) lasts unless
    # its holder renews it, which it does every third of that while it works. A holder that
    # died blocks the work this long; one that stalls longer than this (a suspended VM)
    # loses the lease, and its result is not stored. Hosts' clocks must agree to well within it.
    LEASE_SECONDS = float(os.environ.get("LEASE_SECONDS", 120))

    # Spam probability at or above which a comment goes straight to the spam
    # folder. Unset: the threshold chosen at training time (spam precision
    # >= 0.99 in grouped cross-validation). Lower it and real readers' comments
    # vanish into spam; raise it and moderators see more spam.
    SPAM_THRESHOLD = _env_optional("SPAM_THRESHOLD", float)

    # Largest request body accepted, in bytes; larger bodies get 413.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 64 * 1024))

    # Seconds a client is told to wait (Retry-After) when storage is down.
    RETRY_AFTER_SECONDS = int(os.environ.get("RETRY_AFTER_SECONDS", 5))

    # Where flood-control and request-rate counts live: a Redis URL such as
    # redis://127.0.0.1:6379/0 shares them between every worker on every host.
    # Unset: each worker counts in its own memory, so N workers let a reader
    # post up to N times the site's flood limit. If Redis goes down, limits are
    # not enforced (logged) rather than losing comments.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or None

    # Prefix of every Redis key this service writes, so several deployments
    # (or test runs) can share one Redis without counting each other's readers.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "moderato")

    # Requests per second one site key may make on average (429 with Retry-After
    # above), counted only once its key and secret are checked, so a wrong secret
    # cannot spend the site's budget. 0: no limit. Too low and a busy site's
    # readers lose comments to 429s its back end must retry.
    SITE_REQUESTS_PER_SECOND = int(os.environ.get("SITE_REQUESTS_PER_SECOND", 20))
    # Requests one site key may make at once beyond that rate (a token bucket of
    # this many, refilled at SITE_REQUESTS_PER_SECOND): the rush of comments after
    # a breaking story is taken whole rather than refused. At least 1. Larger lets
    # one site load the service harder for longer (200 at 20/s refill in 10 s).
    SITE_REQUEST_BURST = int(os.environ.get("SITE_REQUEST_BURST", 200))

    # Failed authentications (a missing, malformed or wrong token) one source
    # address may make per minute, an IPv6 one counted by its /64; beyond, 429
    # with Retry-After, before the token is looked up or its hash compared, even
    # when it is right. 0: no limit. The address is request.remote_addr: behind a
    # reverse proxy not counted in TRUSTED_PROXIES, every caller shares the
    # proxy's, and one caller's failures refuse them all.
    AUTH_FAILURES_PER_MINUTE = int(os.environ.get("AUTH_FAILURES_PER_MINUTE", 20))

    # Console sessions live in a cookie signed with SECRET_KEY. JavaScript cannot
    # read it (HttpOnly), and other sites' forms do not send it (SameSite=Lax);
    # each console form also carries a CSRF token.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Send the session cookie over HTTPS only. Default off so `make run` works on
    # http://127.0.0.1; turn it on (SESSION_COOKIE_SECURE=1) behind TLS, or a
    # session can be read off the wire.
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") in ("1", "true")
    # How long a console login lasts, in seconds (default 12 hours, one shift).
    # Longer means fewer logins and a longer life for a stolen cookie.
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_LIFETIME_SECONDS", 12 * 3600))
    # The scrypt cost of a console password's hash (N, a power of two; r=8, p=1), werkzeug's
    # default: each login or password change then takes 0.1 to 0.2 s of a core and 32 MiB.
    # Lower makes a stolen hash cheaper to crack; raise it as hardware gets faster. A hash
    # keeps the cost it was made with, so changing it locks nobody out.
    PASSWORD_SCRYPT_N = int(os.environ.get("PASSWORD_SCRYPT_N", 2**15))
    # Hours a password link lasts (an admin's "reset password", or a new moderator's first
    # one). It works once: setting a password through it voids it. Longer gives the
    # moderator more time to open it, and whoever else reads it too.
    PASSWORD_LINK_HOURS = float(os.environ.get("PASSWORD_LINK_HOURS", 48))

    # How many reverse proxies stand in front of the service, each appending the
    # address it saw to X-Forwarded-For. That many entries, counted from the
    # right, are trusted to name the client (request.remote_addr, everywhere:
    # login throttling, logs). Default 0: the header is ignored, since a client
    # can write anything in it. Behind a proxy left at 0, every client shares the
    # proxy's address; set higher than the real number of proxies, and clients
    # can choose their own address.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))

    # Failed console logins one client address may make in 15 minutes, whatever
    # emails it tries (429 above); each address and email pair gets 10. Too low,
    # and an office behind one address locks itself out; too high, and one
    # address may guess at many accounts.
    LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", 100))

    # Email (service/mail.py): the digests of waiting comments moderators ask for. Nothing is
    # mailed unless MAIL_SERVER names an SMTP server; the console then says mail is off.
    # MAIL_DEFAULT_SENDER is the From address, required with it (an address the server may
    # send as, or receivers' spam filters reject the digests).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 25)
    # Upgrade the connection with STARTTLS (port 587 usually) and check the server's
    # certificate against the system's CAs. Off, the digests, their one-click links and the
    # password cross the network in clear: only for a relay on this host or a private network.
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") in ("1", "true")
    # Log in to the server with these (after STARTTLS when MAIL_USE_TLS); unset: no login.
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or None
    # Seconds any one step of talking to the mail server (connect, each command) may take
    # before the send counts as failed and is retried at the worker's next poll. Longer lets a
    # slow server through, but a dead one holds the worker's other jobs that long.
    MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", 10))
    # The address moderators reach the service at, e.g. https://moderato.example.org (a path
    # prefix too, behind a proxy that mounts it there): the digests' links begin with it.
    # Unset: no digest is sent, since its links could not be made (the console says so).
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or None
    # Hours a digest's one-click Approve and Spam links work. Each works once anyway (a change
    # to the comment kills it); longer lets an old email decide a comment that waited that
    # long, and a forwarded or leaked email decide it too.
    DECISION_LINK_HOURS = float(os.environ.get("DECISION_LINK_HOURS", 48))

    # Log JSON lines (with a request id) to stderr; off keeps the host's logging.
    LOG_JSON = os.environ.get("LOG_JSON", "1") not in ("0", "false")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # Days a reader's IP address is kept in full; `flask privacy purge` then
    # anonymises it (IPv4 to /24, IPv6 to /48). Longer helps abuse tracing,
    # shorter is kinder to readers.
    IP_RETENTION_DAYS = int(os.environ.get("IP_RETENTION_DAYS", 30))

    # flask-smorest: the OpenAPI document is served at /api/v1/openapi.json.
    API_TITLE = "Moderato"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


def load_secret_key(instance: Path = INSTANCE) -> str:
    """Return the secret kept in the instance folder, creating it once."""
    return key_from_file(instance / "secret_key")
