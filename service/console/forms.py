"""The console's forms and query strings, validated by marshmallow like the API's bodies."""

from typing import ClassVar

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from ..schemas import SORTS, Email, Id, Strict, Text
from ..tables import Role, Status
from . import passwords

# What each console button does: the API's three decisions plus taking a comment down.
ACTIONS = {
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "spam": Status.SPAM,
    "unpublish": Status.PENDING,
}


def load_form(schema: ma.Schema, form: MultiDict) -> tuple[dict, dict[str, list[str]]]:
    """Load a submitted form (lists from repeated fields); return (data, errors)."""
    lists = {name for name, field in schema.fields.items() if isinstance(field, ma.fields.List)}
    raw = {key: form.getlist(key) if key in lists else form[key] for key in form}
    raw.pop("csrf_token", None)
    try:
        return schema.load(raw), {}
    except ma.ValidationError as error:
        return {}, error.normalized_messages()


class LoginEmail(Email):
    """A moderator's login address, as the form and `flask moderators` both read it.

    It is an identifier first (digests are mailed to it only when a moderator asks for
    them): special-use domains a newsroom may run internally (newsroom.test, a dotless
    intranet name) are accepted. Readers'
    emails (schemas.Email) stay strict.
    """

    OPTIONS: ClassVar[dict] = {
        "check_deliverability": False,
        "test_environment": True,
        "globally_deliverable": False,
    }


class LoginForm(Strict):
    """Email and password."""

    email = LoginEmail(required=True, strip=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(1, 1000))


class ListQuery(Strict):
    """Which comments a list page shows: filters, order and page."""

    status = ma.fields.Enum(Status, by_value=True, load_default=Status.PENDING)
    site = Id(strict=False, load_default=None)
    post = Text(load_default=None, strip=True, validate=ma.validate.Length(max=200))
    score_min = ma.fields.Float(load_default=None, validate=ma.validate.Range(0, 1))
    score_max = ma.fields.Float(load_default=None, validate=ma.validate.Range(0, 1))
    q = Text(load_default=None, strip=True, validate=ma.validate.Length(max=200))
    sort = ma.fields.String(load_default="-spam_score", validate=ma.validate.OneOf(SORTS))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 10_000))
    campaign = Id(strict=False, load_default=None)


class ActionForm(Strict):
    """One decision on one or more comments, each at the version the moderator saw, if given.

    version: of the one comment; versions: one per id, in order (a campaign's comments).
    """

    action = ma.fields.String(required=True, validate=ma.validate.OneOf(ACTIONS))
    ids = ma.fields.List(
        Id(strict=False),
        required=True,
        validate=ma.validate.Length(1, 100, error="Select at least one comment (at most 100)."),
    )
    version = Id(strict=False, load_default=None)
    versions = ma.fields.List(Id(strict=False), load_default=None)
    next = ma.fields.String(load_default=None)

    @ma.validates_schema
    def _a_version_per_id(self, data, **kwargs):
        versions = data.get("versions")
        if versions is not None and len(versions) != len(data.get("ids", ())):
            raise ma.ValidationError("Send one version per comment.", "versions")


class UndoForm(Strict):
    """The comments whose latest decision to take back."""

    ids = ma.fields.List(Id(strict=False), required=True, validate=ma.validate.Length(1, 100))
    next = ma.fields.String(load_default=None)


def _password(**kwargs) -> ma.fields.String:
    """A new console password's field: long enough to resist guessing, short enough to hash."""
    length = ma.validate.Length(
        passwords.MIN_LENGTH, 1000, error="Use at least {min} characters (at most {max})."
    )
    return ma.fields.String(validate=length, **kwargs)


class RoleForm(Strict):
    """An admin sets a moderator's role and sites (none: every site)."""

    role = ma.fields.Enum(Role, by_value=True, required=True)
    site = Id(strict=False, load_default=None)


class NewModeratorForm(RoleForm):
    """An admin adds a moderator, with a console password or, left blank, a link to set one."""

    email = LoginEmail(required=True, strip=True, validate=ma.validate.Length(max=254))
    password = _password(load_default=None)
    role = ma.fields.Enum(Role, by_value=True, load_default=Role.MODERATOR)


class NewPasswordForm(Strict):
    """A new console password, typed twice so a typo cannot lock its owner out."""

    password = _password(required=True)
    confirm = ma.fields.String(required=True)

    @ma.validates_schema
    def _typed_twice(self, data, **kwargs):
        if data["password"] != data["confirm"]:
            raise ma.ValidationError("The two passwords differ.", "confirm")


class PasswordChangeForm(NewPasswordForm):
    """A moderator changes their own password: the current one, then the new one twice."""

    current = ma.fields.String(
        required=True, validate=ma.validate.Length(1, 1000, error="Type your current password.")
    )


class NewSiteForm(Strict):
    """An admin adds a site; its API key is shown once."""

    name = Text(required=True, strip=True, validate=ma.validate.Length(1, 100))
