"""marshmallow schemas: the single source of validation, output shape and API docs."""

import base64
import binascii
import json
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import ClassVar

import email_validator
import marshmallow as ma

from .addresses import Address
from .tables import Status

ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
SORTS = ("-spam_score", "spam_score", "created_at", "-created_at", "uncertain")


class Text(ma.fields.String):
    """A string free of control characters (newline and tab allowed), optionally trimmed.

    A CRLF from a browser's textarea is read as one newline.
    """

    def __init__(self, *, strip: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.strip = strip

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).replace("\r\n", "\n")
        bad = next((c for c in text if c not in "\n\t" and unicodedata.category(c) == "Cc"), None)
        if bad is not None:
            raise ma.ValidationError(f"Control character U+{ord(bad):04X} is not allowed.")
        return text.strip() if self.strip else text


class Email(Text):
    """An email address checked by email-validator (syntax only, no DNS) and normalised."""

    # email-validator's options; a subclass may relax them for addresses never mailed.
    OPTIONS: ClassVar[dict] = {"check_deliverability": False}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return email_validator.validate_email(text, **self.OPTIONS).normalized
        except email_validator.EmailNotValidError as error:
            raise ma.ValidationError(f"Not a valid email address: {error}") from None


# The largest id an INTEGER column holds on every backend (int4 on PostgreSQL).
MAX_ID = 2**31 - 1


class Id(ma.fields.Integer):
    """A row id or version: an integer from 1 to MAX_ID (strict: a JSON number, not text)."""

    def __init__(self, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=ma.validate.Range(1, MAX_ID), **kwargs)


# The moments the service accepts: wide enough for any comment's history, narrow
# enough that converting one to UTC or comparing it can never overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def moment(value: datetime) -> datetime:
    """Return an aware datetime in UTC, or raise ValidationError when out of range."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ma.ValidationError(
            f"Must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)."
        )
    return utc


class Moment(ma.fields.AwareDateTime):
    """An ISO 8601 time with an offset, within the accepted range, read as UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        return moment(super()._deserialize(value, attr, data, **kwargs))


class Cursor(ma.fields.String):
    """An opaque keyset cursor: the sort value and id of the last item seen."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        text = json.dumps(value, default=datetime.isoformat)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            decoded = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, ValueError, RecursionError):
            raise ma.ValidationError("Not a valid cursor.") from None
        valid = (
            isinstance(decoded, list)
            and len(decoded) == 2
            and isinstance(decoded[1], int)
            and 0 < decoded[1] <= MAX_ID
            # A sort value is a time (text), a score or its distance from a threshold
            # (both in [0, 1]), or null (unscored).
            and (
                decoded[0] is None
                or isinstance(decoded[0], str)
                or (isinstance(decoded[0], int | float) and 0 <= decoded[0] <= 1)
            )
        )
        if not valid:
            raise ma.ValidationError("Not a valid cursor.")
        return decoded


def text_error(value: str) -> str | None:
    """Say why a string cannot be stored as text (a lone surrogate, a NUL), or None."""
    if "\0" in value:
        return "Text must not contain NUL (U+0000)."
    try:
        value.encode()
    except UnicodeEncodeError as error:
        return f"Not valid Unicode text: lone surrogate U+{ord(value[error.start]):04X}."
    return None


class Strict(ma.Schema):
    """A schema that refuses unknown keys and treats an empty optional string as absent.

    Every string it is given, in any field or list, must be storable text: checked
    here once, so no field type can let a NUL or a lone surrogate reach the database.
    """

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _blank_is_absent(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        optional = {name for name, field in self.fields.items() if not field.required}
        return {k: v for k, v in data.items() if not (k in optional and v == "")}

    @ma.pre_load
    def _storable_text(self, data, **kwargs):
        if not isinstance(data, Mapping):  # query strings come as a mapping, not a dict
            return data
        errors = {}
        for key, value in data.items():
            strings = (
                [value] if isinstance(value, str) else value if isinstance(value, list) else []
            )
            error = next((e for v in strings if isinstance(v, str) and (e := text_error(v))), None)
            if error is not None:
                errors[key] = [error]
        if errors:
            raise ma.ValidationError(errors)
        return data


class CommentIn(Strict):
    """A reader's comment as a site's back end submits it."""

    post_id = Text(required=True, validate=ma.validate.Length(1, 200))
    author_name = Text(required=True, strip=True, validate=ma.validate.Length(1, 100))
    author_email = Email(required=True, strip=True, validate=ma.validate.Length(max=254))
    author_url = ma.fields.URL(
        load_default=None,
        allow_none=True,
        schemes={"http", "https"},
        validate=ma.validate.Length(max=2000),
    )
    content = Text(required=True, strip=True, validate=ma.validate.Length(1, 10_000))
    parent_id = Id(load_default=None, allow_none=True)
    user_ip = Address(load_default=None, allow_none=True)
    user_agent = Text(load_default=None, allow_none=True, validate=ma.validate.Length(max=500))
    referrer = Text(load_default=None, allow_none=True, validate=ma.validate.Length(max=2000))
    honeypot = Text(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=500),
        metadata={"description": "The form's hidden field, relayed as filled in; any text: spam."},
    )
    form_rendered_at = Moment(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "When the site rendered the form (ISO 8601 with offset); held "
            "when submitted sooner than the site's min_submit_seconds."
        },
    )


class CommentCreated(ma.Schema):
    """What a site learns about the comment it just stored."""

    id = ma.fields.Integer()
    parent_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "The comment it replies to, as deep as the site's threads go."},
    )
    status = ma.fields.Enum(Status, by_value=True)
    spam_score = ma.fields.Float(allow_none=True)
    model_version = ma.fields.String(allow_none=True)
    reasons = ma.fields.List(ma.fields.String())


class PublicComment(ma.Schema):
    """A published comment as readers see it: no email, IP or user agent, by construction."""

    id = ma.fields.Integer()
    post_id = ma.fields.String()
    parent_id = ma.fields.Integer(allow_none=True)
    author_name = ma.fields.String()
    author_url = ma.fields.String(allow_none=True)
    content = ma.fields.String()
    created_at = ma.fields.DateTime()
    replies = ma.fields.List(ma.fields.Nested(lambda: PublicComment()))


class QueueQuery(Strict):
    """Which comments of the queue to list, in what order, from where."""

    status = ma.fields.Enum(Status, by_value=True, load_default=Status.PENDING)
    sort = ma.fields.String(
        load_default="-spam_score",
        validate=ma.validate.OneOf(SORTS),
        metadata={
            "description": "`-spam_score` (highest first), `spam_score`, `created_at` (oldest "
            "first), `-created_at`, or `uncertain`: scores nearest their site's spam threshold "
            "first, whose decisions teach the model most. Unscored comments come last."
        },
    )
    cursor = Cursor(load_default=None)
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 100))
    campaign = Id(
        strict=False,
        load_default=None,
        metadata={"description": "Only the comments of this campaign (an item's `campaign_id`)."},
    )
    grouped = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "One item per campaign: its oldest comment in this status, with "
            "`campaign_size`; comments in no campaign as they are."
        },
    )

    @ma.post_load
    def _cursor_fits_sort(self, data, **kwargs):
        """Check the cursor's sort value has the sort's type; read a time back as a datetime."""
        if data["cursor"] is None:
            return data
        value = data["cursor"][0]
        try:
            if data["sort"].endswith("created_at"):
                data["cursor"][0] = moment(datetime.fromisoformat(value))
            elif value is not None and not isinstance(value, int | float):
                raise TypeError
        except (TypeError, ValueError, ma.ValidationError):
            raise ma.ValidationError("Not a valid cursor for this sort.", "cursor") from None
        return data


class ModeratorComment(ma.Schema):
    """A comment in full, as a moderator sees it in the queue."""

    id = ma.fields.Integer()
    site = ma.fields.String(attribute="site_name")
    post_id = ma.fields.String()
    parent_id = ma.fields.Integer(allow_none=True)
    author_name = ma.fields.String()
    author_email = ma.fields.String()
    author_url = ma.fields.String(allow_none=True)
    content = ma.fields.String()
    user_ip = ma.fields.String(allow_none=True)
    user_agent = ma.fields.String(allow_none=True)
    referrer = ma.fields.String(allow_none=True)
    status = ma.fields.Enum(Status, by_value=True)
    spam_score = ma.fields.Float(allow_none=True)
    model_version = ma.fields.String(allow_none=True)
    reasons = ma.fields.List(ma.fields.String())
    created_at = ma.fields.DateTime()
    version = ma.fields.Integer(
        metadata={"description": "Send it back with an action to act only on this state."}
    )
    campaign_id = ma.fields.Integer(
        allow_none=True,
        metadata={
            "description": "The campaign of near-duplicates it belongs to (the same pitch in "
            "other words, names, links and addresses); null when it is like no other comment. "
            "`GET /api/v1/queue?campaign=ID` lists the campaign."
        },
    )
    campaign_size = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "How many comments of its campaign are in its status."},
    )


# How FlatList dumps each field type; a type not listed here cannot be flattened.
_FLAT = {
    ma.fields.Integer: int,
    ma.fields.Float: float,
    ma.fields.String: str,
    ma.fields.DateTime: datetime.isoformat,
    ma.fields.Enum: lambda member: member.value,
    ma.fields.List: list,
}


class FlatList(ma.fields.List):
    """A list of objects dumped with a flat schema, at a fraction of Nested's cost.

    Documented as a list of the schema; dumps each object by a plan made once from the
    schema's fields (attribute, key, conversion), without marshmallow's per-value calls,
    which cost a queue page of 100 comments several milliseconds. tests/test_queue.py
    checks that it agrees with the schema's own dump.
    """

    def __init__(self, schema: type[ma.Schema], exclude: tuple[str, ...] = (), **kwargs):
        super().__init__(ma.fields.Nested(schema), **kwargs)
        self._plan = [
            (field.data_key or name, field.attribute or name, _FLAT[type(field)])
            for name, field in schema(exclude=exclude).dump_fields.items()
        ]

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return [
            {
                key: None if (item := getattr(row, name)) is None else convert(item)
                for key, name, convert in self._plan
            }
            for row in value
        ]


class Thread(FlatList):
    """Thread nodes (comments with their replies) dumped level by level, never recursing.

    Documented as PublicComment, whose replies nest the same way.
    """

    def __init__(self, **kwargs):
        super().__init__(PublicComment, exclude=("replies",), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        dumped: list[dict] = []
        pending = [(value, dumped)]
        while pending:
            nodes, into = pending.pop()
            for node, item in zip(
                nodes,
                super()._serialize([n.comment for n in nodes], attr, obj, **kwargs),
                strict=True,
            ):
                item["replies"] = []
                into.append(item)
                pending.append((node.replies, item["replies"]))
        return dumped


class PublicThread(ma.Schema):
    """The approved comments of one site's post, replies nested under their parents."""

    post_id = ma.fields.String()
    count = ma.fields.Integer()
    items = Thread()


class PostQuery(Strict):
    """Which site the post belongs to: post ids are each site's own, so it is required."""

    site = ma.fields.String(
        required=True,
        validate=ma.validate.Length(1, 100),
        error_messages={"required": "Name the site whose post this is: ?site=NAME."},
    )


class QueuePage(ma.Schema):
    """One page of the queue and the cursor of the next, null on the last page."""

    items = FlatList(ModeratorComment)
    next_cursor = Cursor(allow_none=True)


class Action(ma.Schema):
    """One moderation action as recorded: who, when, from what, to what."""

    moderator = ma.fields.Function(
        lambda action: action.moderator.email if action.moderator else None,
        metadata={"description": "The moderator's email; null when `via` says who decided."},
    )
    via = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "Who decided, when not one of our moderators: the site's own "
            "moderator through its Akismet client (e.g. `admin via WordPress/6.1.9`)."
        },
    )
    from_status = ma.fields.Enum(
        Status,
        by_value=True,
        data_key="from",
        metadata={"description": "Equal to `to` when the decision confirmed the status."},
    )
    to_status = ma.fields.Enum(Status, by_value=True, data_key="to")
    created_at = ma.fields.DateTime(data_key="at")
    undo = ma.fields.Function(
        lambda action: action.undoes_id is not None,
        metadata={"description": "True when it took back the decision before it (no label)."},
    )


class AuthorRecord(ma.Schema):
    """How the author's earlier comments on this site were decided."""

    approved = ma.fields.Integer()
    rejected = ma.fields.Integer()
    spam = ma.fields.Integer()


class CommentDetail(ModeratorComment):
    """A comment with its moderation history and its author's record."""

    history = ma.fields.List(ma.fields.Nested(Action), attribute="actions")
    author = ma.fields.Nested(AuthorRecord)


class ModerateIn(Strict):
    """A moderator's decision on one comment: the status it is in confirms it."""

    action = ma.fields.String(required=True, validate=ma.validate.OneOf(ACTIONS))
    version = Id(
        load_default=None,
        metadata={
            "description": "Refuse with 409 unless the comment is still at this version "
            "(every decision, a confirmation too, moves it)."
        },
    )


class BulkModerateIn(Strict):
    """The same decision on several comments."""

    action = ma.fields.String(required=True, validate=ma.validate.OneOf(ACTIONS))
    ids = ma.fields.List(
        Id(),
        required=True,
        validate=ma.validate.Length(1, 100),
    )


class BulkResult(ma.Schema):
    """What happened to one comment of a bulk action."""

    id = ma.fields.Integer()
    code = ma.fields.Integer(metadata={"description": "200, 404 or 409, as for a single action"})
    status = ma.fields.Enum(Status, by_value=True, allow_none=True)
    error = ma.fields.String(allow_none=True)


class BulkResults(ma.Schema):
    """The outcome of a bulk action, one item per id, in the order given."""

    items = ma.fields.List(ma.fields.Nested(BulkResult))


class Drift(ma.Schema):
    """Moderators' decisions on comments the serving model scored, since its promotion."""

    since = ma.fields.DateTime(
        allow_none=True, metadata={"description": "Its promotion; null: served from MODEL_DIR."}
    )
    reviewed = ma.fields.Integer(metadata={"description": "Decided comments it scored."})
    false_positives = ma.fields.Integer(
        metadata={"description": "Scored at or above the threshold, judged ham."}
    )
    false_negatives = ma.fields.Integer(
        metadata={"description": "Scored below the threshold, judged spam."}
    )
    false_positive_rate = ma.fields.Float(
        allow_none=True, metadata={"description": "Of its spam calls, the share overturned."}
    )
    false_negative_rate = ma.fields.Float(
        allow_none=True, metadata={"description": "Of the rest, the share judged spam."}
    )
    overturn_rate = ma.fields.Float(allow_none=True)


class ModelInfo(ma.Schema):
    """The model that scores new comments."""

    version = ma.fields.String()
    trained_at = ma.fields.String(allow_none=True)
    promoted_at = ma.fields.DateTime(allow_none=True)
    threshold = ma.fields.Float(metadata={"description": "The spam threshold in force."})
    training_data = ma.fields.Raw()
    metrics = ma.fields.Raw()
    drift = ma.fields.Nested(Drift)
