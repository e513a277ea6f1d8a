"""The database tables: sites, moderators, comments, their moderation and campaigns, models and
retrains, the webhook deliveries waiting to be sent, and moderators' digests."""

import enum
from datetime import UTC, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:  # SQLite drops the zone
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """The current time in UTC; the app's default clock."""
    return datetime.now(UTC)


class Status(enum.StrEnum):
    """Where a comment stands in its lifecycle."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"


class Role(enum.StrEnum):
    """What a moderator may do."""

    ADMIN = "admin"
    MODERATOR = "moderator"


def _enum(kind: type[enum.Enum], name: str) -> sa.Enum:
    """Store an enum by value as a constrained string, portable across backends."""
    return sa.Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(orm.DeclarativeBase):
    """Base of all tables; constraint names are fixed so migrations match."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Credential:
    """A secret presented as a bearer token: its public id and the hash of the rest."""

    key_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))


class Site(Credential, Base):
    """A website whose back end submits comments with its API key."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Moderation rules its admins saved (service.settings); {} means all defaults.
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    # Its Akismet key's digest (credentials.akismet_digest); null until one is issued.
    akismet_key_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True, unique=True)
    # What its webhook secret is derived from with SECRET_KEY (webhooks.secret_of); null until
    # `flask sites webhook-secret` makes one. Not a hash, as API keys are stored: signing a
    # delivery needs the secret itself. Not the secret either: a copy of the database
    # alone, a leaked backup, cannot sign a delivery a site would believe.
    webhook_seed: Mapped[str | None] = mapped_column(sa.String(64))


class Moderator(Credential, Base):
    """A person who reviews comments; scoped to one site, or all when site_id is null."""

    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.MODERATOR)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The console login: a werkzeug scrypt hash; null until a password is set,
    # so an API-only moderator cannot log in to the console.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Set by `flask moderators disable`: the token and every console session are
    # refused from then on, while the row stays so the decisions keep their author.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A console session is valid only under the version it began with, read back
    # on every request: raising it (logout, password change, disable) ends every
    # session of this moderator at once, on every worker.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")


class ConsoleSession(Base):
    """One console login in one browser: checked on every request, so ending it is immediate."""

    __tablename__ = "console_sessions"

    # Random, and the only thing the signed session cookie holds (console.sessions).
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("moderators.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Refreshed at most once a minute (sessions.TOUCH_SECONDS); the session lapses once it
    # is older than the session lifetime, as the cookie does.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What the moderator sees to tell their browsers apart: the browser's own name for
    # itself, and its network as the logs keep it (privacy.anonymise_ip), never the address.
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    network: Mapped[str | None] = mapped_column(sa.String(45))


class Comment(Base):
    """A reader's comment, with its score, routing reasons and moderation state."""

    __tablename__ = "comments"
    __table_args__ = (
        # Keyset pagination of the queue by score and by age.
        sa.Index(None, "status", "spam_score", "id"),
        sa.Index(None, "status", "created_at", "id"),
        # The nearest-the-threshold sort: a page reads the index only, never the rows.
        sa.Index(None, "status", "site_id", "spam_score", "id"),
        # The public thread of a post and an author's record.
        sa.Index(None, "site_id", "post_id", "status", "created_at"),
        # A comment's replies, listed on its console page.
        sa.Index(None, "parent_id"),
        sa.Index(None, "site_id", "author_email", "status"),
        # A unique index, not a constraint: SQLite adds one without rebuilding the table.
        sa.Index(None, "fingerprint", unique=True),
        # An imported comment is stored once per source however often its history is imported.
        sa.Index(None, "site_id", "import_source", "import_id", unique=True),
        # A campaign's comments in a status (service.campaigns): its size, its oldest, and
        # its pages by score as the queue's own, unscored ones (score null) included.
        sa.Index(None, "campaign_id", "status", "spam_score", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    post_id: Mapped[str] = mapped_column(sa.String(200))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"))
    author_name: Mapped[str] = mapped_column(sa.String(100))
    author_email: Mapped[str] = mapped_column(sa.String(254))
    author_url: Mapped[str | None] = mapped_column(sa.String(2000))
    content: Mapped[str] = mapped_column(sa.Text)
    user_ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(500))
    referrer: Mapped[str | None] = mapped_column(sa.String(2000))
    # Bot traps the site relays, kept so a settings dry run can replay them.
    honeypot: Mapped[str | None] = mapped_column(sa.String(500))
    form_rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[Status] = mapped_column(_enum(Status, "status"))
    spam_score: Mapped[float | None]
    model_version: Mapped[str | None] = mapped_column(sa.String(100))
    reasons: Mapped[list[str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # sha256 of (site, post, author email, content): unique, so the same comment sent
    # twice at once is stored once (admission.fingerprint). Null on rows that were
    # already duplicates before the constraint existed.
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    # Where an imported comment came from ("WordPress https://news.example/") and its id
    # there; both null on a comment submitted here.
    import_source: Mapped[str | None] = mapped_column(sa.String(200))
    import_id: Mapped[str | None] = mapped_column(sa.String(100))
    # The id there of the comment it answers: a reply stored before its parent is attached
    # (parent_id) by a later batch or run, so no run has to remember it (imports.store).
    import_parent_id: Mapped[str | None] = mapped_column(sa.String(100))
    # The campaign of near-duplicates it belongs to (service.campaigns): the id of the campaign's
    # first comment, shared by every member; null while it is like no other comment.
    campaign_id: Mapped[int | None]
    # Optimistic lock: an UPDATE that finds another version fails, so two
    # moderators can never both act on the same state of a comment.
    version: Mapped[int] = mapped_column(default=1)

    site: Mapped[Site] = orm.relationship(lazy="raise")
    actions: Mapped[list["ModerationAction"]] = orm.relationship(
        back_populates="comment", order_by="ModerationAction.id", lazy="raise"
    )

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    @property
    def site_name(self) -> str:
        """The name of the comment's site (its site must be loaded)."""
        return self.site.name


class ModerationAction(Base):
    """One moderator decision: who moved which comment from what to what, and when."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    # The moderator who decided; null when no person of ours did, and `via` says who:
    # the site's own moderators through its Akismet client, or an import of its history.
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderators.id"))
    via: Mapped[str | None] = mapped_column(sa.String(200))
    # The decision this action took back (the console's "Undo"): both stay in the history,
    # and neither is a label any more.
    undoes_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("moderation_actions.id"), index=True
    )
    from_status: Mapped[Status] = mapped_column(_enum(Status, "from_status"))
    to_status: Mapped[Status] = mapped_column(_enum(Status, "to_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    comment: Mapped[Comment] = orm.relationship(back_populates="actions", lazy="raise")
    moderator: Mapped[Moderator | None] = orm.relationship(lazy="joined")
    undoes: Mapped["ModerationAction | None"] = orm.relationship(remote_side=[id], lazy="raise")


class SiteSettingChange(Base):
    """One change to a site's settings or keys: who made it, through what, when, what changed."""

    __tablename__ = "site_setting_changes"
    __table_args__ = (
        # A site's settings page lists its changes, newest first.
        sa.Index(None, "site_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    # The admin who made it; null when no moderator of ours did (a shell command).
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderators.id"))
    # Through what: "console", "API", "command line".
    via: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # {key: {"from": old, "to": new}} of the keys that changed, as the API writes them;
    # a key rotation names the key ("api_key") with its public key ids, never a secret.
    changes: Mapped[dict] = mapped_column(sa.JSON)

    moderator: Mapped[Moderator | None] = orm.relationship(lazy="joined")


class CampaignBucket(Base):
    """One LSH band of a comment's MinHash signature: comments sharing one may be near-duplicates.

    service.campaigns writes a comment's bands when it is submitted and reads them to find the
    comments like the next one; a comment erased takes its bands with it.
    """

    __tablename__ = "campaign_buckets"
    # SQLite: the primary key is the table (no rowid beside it), as a lookup reads it.
    __table_args__ = ({"sqlite_with_rowid": False},)

    # A 64-bit digest of (scheme, site, band number, the band's hash values): campaigns.keys.
    band_hash: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class VersionStatus(enum.StrEnum):
    """Where a trained model version stands: serving history or never served."""

    PROMOTED = "promoted"  # served since promoted_at; the newest promotion serves
    REJECTED = "rejected"  # lost its evaluation against the champion; kept for the record
    ROLLED_BACK = "rolled_back"  # was serving until a rollback; never served again by rollback


class ModelVersion(Base):
    """A trained model kept in the database, so every worker on every host can load it."""

    __tablename__ = "model_versions"
    __table_args__ = (
        # Workers poll for the serving version: the newest promotion.
        sa.Index(None, "status", "promoted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(100), unique=True)
    status: Mapped[VersionStatus] = mapped_column(_enum(VersionStatus, "model_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manifest: Mapped[dict] = mapped_column(sa.JSON)
    artifact: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # Hex sha256 of the artifact, and hex HMAC-SHA256 of artifact + manifest under
    # SECRET_KEY: a worker unpickles nothing it cannot attribute to this service.
    sha256: Mapped[str] = mapped_column(sa.String(64))
    hmac: Mapped[str] = mapped_column(sa.String(64))


class Lease(Base):
    """A named lock one process holds until it releases it or lets it expire (service.leases)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    # Which process holds it: host, pid and a random tag (leases.holder_id).
    holder: Mapped[str] = mapped_column(sa.String(200))
    # Renewed while the holder works; once past, any process may take the lease over.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImportProgress(Base):
    """How far an unfinished import of a source read, so that running it again resumes there.

    Written with each batch an import stores, in the same transaction; removed when a run
    reads its source to the end (imports.store).
    """

    __tablename__ = "import_progress"

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    # The source's own mark (WordPress: the id of the last comment read); every record up to
    # it was stored or reported as refused.
    resume_after: Mapped[str] = mapped_column(sa.String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RunStatus(enum.StrEnum):
    """How a retrain ended, or that it has not (yet)."""

    RUNNING = "running"  # started; or its process died before it could say how it ended
    PROMOTED = "promoted"  # the challenger serves
    KEPT = "kept"  # the champion serves on; the challenger is stored as rejected
    FAILED = "failed"  # an error stopped it (outcome says which)
    STOPPED = "stopped"  # its process was asked to stop (SIGTERM, Ctrl-C) while it ran


class RetrainRun(Base):
    """One retrain, by the worker or `make retrain`: why it ran, on what, and how it ended."""

    __tablename__ = "retrain_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Why it ran: "63 new labels", "daily: 4 new labels", "make retrain".
    trigger: Mapped[str] = mapped_column(sa.String(100))
    holder: Mapped[str] = mapped_column(sa.String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The newest moderation action's id when it started (labels.mark): a label whose latest
    # decision has a higher id is new to the next retrain.
    label_mark: Mapped[int]
    # The labels it read (fitted on and tested on); null when it failed before reading them.
    labels: Mapped[int | None]
    version: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "run_status"))
    # The one-line decision (retrain.decision), or the error.
    outcome: Mapped[str | None] = mapped_column(sa.Text)


class WebhookDelivery(Base):
    """One event for one endpoint of a site: queued with the change, sent by the worker.

    The outbox of service/webhooks.py: written in the transaction that changes the comment,
    so no change is lost and none is announced that did not happen.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The console's latest deliveries of a site, newest first.
        sa.Index(None, "site_id", "id"),
        # Deleting the deliveries done a month ago (webhooks.prune).
        sa.Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event's id (a UUID), sent in the body and the X-Moderato-Delivery header: the
    # same on every retry and for every endpoint, so a site can drop what it has seen.
    event_id: Mapped[str] = mapped_column(sa.String(36))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    # The comment it is about (null for a test event); erasing a reader's comments
    # deletes their deliveries too, whose bodies quote them (privacy.erase).
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    event: Mapped[str] = mapped_column(sa.String(40))
    # The JSON body exactly as sent, so every retry carries the same bytes.
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # When to try (again); null once delivered or given up, so the worker's look for due
    # deliveries reads only those still to send.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the latest attempt failed ("HTTP 503", "timed out"), for the console.
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # The worker sending it (leases.holder_id) and until when no other may: a worker that
    # dies mid-send leaves its claim to expire, and another sends the event again.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DigestSubscription(Base):
    """A moderator's wish for email about a site's waiting comments, and how far it got.

    The worker (service.digests) mails at most one digest per `minutes`, only of comments
    waiting with an id above `mark`, so a comment is mailed once; the claim columns let one
    worker of many send it.
    """

    __tablename__ = "digest_subscriptions"
    __table_args__ = (sa.Index(None, "moderator_id", "site_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("moderators.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    # At most one email per this many minutes; 0: none (the row keeps `mark` for later).
    minutes: Mapped[int]
    # The highest comment id a digest of this site showed this moderator.
    mark: Mapped[int] = mapped_column(default=0, server_default="0")
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The worker sending the next digest (leases.holder_id), until when; then anyone may.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last send that failed and why; cleared by the next that succeeds.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(sa.String(500))

    moderator: Mapped[Moderator] = orm.relationship(lazy="joined")
    site: Mapped[Site] = orm.relationship(lazy="joined")
