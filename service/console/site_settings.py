"""A site's settings page: every setting in one form, previewed before it is saved, and its keys.

The form is made from service.settings.SiteSettings (each field's kind, range, choices,
description and default) and validated by it, as the API's PUT and PATCH are; only how
a moderator groups and names the settings is written here. "Preview" replays the last
30 days (service.dryrun) and signs what it showed; "Save" stores only that.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import MultiDict

from .. import access, dryrun, scoring, sites
from .. import settings as schema
from ..db import db
from ..settings import Settings, SiteSettings
from ..tables import Site
from .blueprint import bp
from .login import admin_required

# The settings as a moderator thinks of them: each group's title, and its fields with the
# labels the form gives them. Every field of SiteSettings is in exactly one group.
GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "What gets held for review",
        (
            ("max_links", "Most links in a comment"),
            ("moderation_words", "Moderation words"),
            ("min_submit_seconds", "Least time to write a comment (seconds)"),
        ),
    ),
    (
        "What goes to spam",
        (
            ("spam_threshold", "Spam score at or above"),
            ("disallowed_words", "Disallowed words"),
            ("blocked_email_domains", "Blocked email domains"),
            ("blocked_ips", "Blocked IP addresses and ranges"),
        ),
    ),
    (
        "Who is trusted",
        (
            ("trusted", "Approve without review"),
            ("ham_threshold", "Trusted score below"),
            ("allowed_authors", "Always approved authors (emails)"),
        ),
    ),
    (
        "When a post closes",
        (
            ("close_after_days", "Close a post after (days)"),
            ("closed_posts", "Closed posts"),
            ("thread_depth", "Reply levels shown"),
        ),
    ),
    (
        "Flood control",
        (
            ("flood_per_minute", "Comments a reader may post per minute"),
            ("flood_interval_seconds", "Seconds between a reader's comments"),
        ),
    ),
    (
        "Integration",
        (
            ("moderated_in", "Where held comments are decided"),
            ("cors_origins", "Browser origins allowed to read comments (CORS)"),
            ("webhooks", "Webhook endpoints (the URL, then the events it is sent)"),
        ),
    ),
)
# What the change log calls the site's keys, which are not settings.
KEY_LABELS = {"api_key": "API key", "akismet_key": "Akismet key"}
# Changes listed on the page, newest first.
HISTORY = 50

_FIELDS = SiteSettings().fields
_INTEGER = re.compile(r"[+-]?\d+")
# Signs what a preview showed, so a save stores only that (salted: no other signed value fits).
_SALT = "site-settings-preview"


def shown(value: Any) -> str:
    """A setting's value as a person reads it: "none" for null or an empty list."""
    if value is None or value == []:
        return "none"
    return ", ".join(map(_entry, value)) if isinstance(value, list) else str(value)


def _entry(value: Any) -> str:
    """One entry of a list setting as its line in the form: a webhook as "URL event ..."."""
    return " ".join([value["url"], *value["events"]]) if isinstance(value, dict) else str(value)


def _endpoint(line: str) -> dict:
    """A webhook endpoint from its line: the URL, then its events (every event when none)."""
    url, *events = line.split()
    return {"url": url, "events": events or list(schema.WEBHOOK_EVENTS)}


def described(change: dict) -> str:
    """A recorded change ({"from": old, "to": new}) in words; a list's says what came and went."""
    old, new = change["from"], change["to"]
    if not (isinstance(old, list) and isinstance(new, list)):
        return f"{shown(old)} → {shown(new)}"
    parts = []
    if added := [value for value in new if value not in old]:
        parts.append(f"added {_few(added)}")
    if removed := [value for value in old if value not in new]:
        parts.append(f"removed {_few(removed)}")
    return "; ".join(parts) or "reordered"


def _few(values: list, most: int = 10) -> str:
    """The first few values, and how many more there are."""
    more = f" and {len(values) - most} more" if len(values) > most else ""
    return ", ".join(map(_entry, values[:most])) + more


@dataclass(frozen=True)
class Field:
    """One setting as the form shows it, read from its schema field."""

    name: str
    label: str
    kind: str  # "list" (one entry a line), "choice", "integer" or "number"
    description: str
    default: str
    nullable: bool
    choices: tuple[str, ...]
    low: float | None
    high: float | None


def _field(name: str, label: str) -> Field:
    """Describe a setting's input from its schema field: kind, choices, range and default."""
    field = _FIELDS[name]
    one_of = next((v for v in field.validators if isinstance(v, ma.validate.OneOf)), None)
    limits = next((v for v in field.validators if isinstance(v, ma.validate.Range)), None)
    return Field(
        name,
        label,
        _kind(field, one_of is not None),
        field.metadata["description"],
        shown(schema.dump(schema.DEFAULTS)[name]),
        field.allow_none,
        tuple(one_of.choices) if one_of else (),
        limits.min if limits else None,
        limits.max if limits else None,
    )


def _kind(field: ma.fields.Field, one_of: bool) -> str:
    """Which input a schema field needs."""
    if isinstance(field, ma.fields.List):
        return "list"
    if one_of:
        return "choice"
    return "integer" if isinstance(field, ma.fields.Integer) else "number"


FORM = tuple((title, tuple(_field(*named) for named in fields)) for title, fields in GROUPS)
LABELS = {field.name: field.label for _, fields in FORM for field in fields} | KEY_LABELS


def _texts(values: dict[str, Any]) -> dict[str, str]:
    """Settings (as dumped) as the form's inputs show them: lists one entry a line, null blank."""
    return {
        name: "\n".join(map(_entry, value))
        if isinstance(value, list)
        else ""
        if value is None
        else str(value)
        for name, value in values.items()
    }


def _submitted(form: MultiDict) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Read the form as a change to the settings and validate it as the API does.

    Returns the validated change and the errors by field. A blank box is null where the
    setting allows it; elsewhere it is an error here, not a silent "keep the old value".
    """
    raw, blank, entries = {}, {}, {}
    for name, field in _FIELDS.items():
        if name not in form:
            continue
        text = form[name].strip()
        if isinstance(field, ma.fields.List):
            entries[name] = [line.strip() for line in text.splitlines() if line.strip()]
            nested = isinstance(field.inner, ma.fields.Nested)
            raw[name] = [_endpoint(line) for line in entries[name]] if nested else entries[name]
        elif not text and not field.allow_none:
            blank[name] = [f"Enter a value (the default is {shown(field.load_default)})."]
        elif isinstance(field, ma.fields.Integer) and _INTEGER.fullmatch(text):
            # Strict, as JSON sends numbers: convert text that is a whole number, and leave
            # any other for the schema to refuse with its own message.
            raw[name] = int(text)
        else:
            raw[name] = text or None
    try:
        return schema.load_changes({k: v for k, v in raw.items() if k not in blank}), blank
    except ma.ValidationError as error:
        return {}, {**_by_field(error.normalized_messages(), entries), **blank}


def _by_field(messages: dict, entries: dict[str, list[str]]) -> dict[str, list[str]]:
    """Marshmallow's messages by field; a list's, by entry, quote the entry they concern."""
    errors = {}
    for name, problem in messages.items():
        if isinstance(problem, dict):  # {index: messages} of a list's entries
            errors[name] = [f"“{entries[name][i]}”: {_said(m)}" for i, m in problem.items()]
        else:
            errors[name] = problem
    return errors


def _said(messages: list | dict) -> str:
    """An entry's messages in one line; a webhook's name the part they concern."""
    if isinstance(messages, dict):
        return " ".join(f"{part}: {_said(inner)}" for part, inner in messages.items())
    return " ".join(map(str, messages))


def _digest(settings: Settings) -> str:
    """A digest of settings in full: what a preview signs and a save compares."""
    text = json.dumps(schema.dump(settings), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _signer() -> URLSafeSerializer:
    """What signs a preview's digests with the app's secret."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


@dataclass(frozen=True)
class Preview:
    """What a change would do to the site's comments of the last days, and the token to save it."""

    days: int
    replayed: int
    moved: int
    moves: list[dryrun.Move]
    differences: dict[str, dict]
    token: str


def _preview(site: Site, proposed: Settings) -> Preview:
    """Replay the site's recent comments under the proposed settings; sign what was shown."""
    current = sites.settings_of(site)
    replayed, changes = dryrun.replay(site, proposed, dryrun.DAYS)
    signed = {"site": site.id, "from": _digest(current), "to": _digest(proposed)}
    return Preview(
        dryrun.DAYS,
        replayed,
        len(changes),
        dryrun.moves(changes, dryrun.EXAMPLES),
        sites.differences(current, proposed),
        _signer().dumps(signed),
    )


def _refusal(site: Site, proposed: Settings, token: str) -> str | None:
    """Why a save must not store these settings, if it must not: no preview, or a stale one."""
    try:
        previewed = _signer().loads(token)
    except BadSignature:
        return "Preview the change before saving it."
    if previewed.get("site") != site.id or previewed.get("to") != _digest(proposed):
        return "The form differs from what you previewed. Preview it again, then save."
    if previewed.get("from") != _digest(sites.settings_of(site)):
        latest = sites.history(site, 1)
        who = f" by {_who(latest[0])} at {latest[0].created_at:%H:%M} UTC" if latest else ""
        return (
            f"The site's settings were changed{who} since your preview. "
            "Preview again to see what your change does now."
        )
    return None


def _who(change) -> str:
    """Who made a recorded change: the admin, and through what."""
    person = change.moderator.email if change.moderator is not None else "no one logged in"
    return f"{person} ({change.via})"


def managed_site(site_id: int, lock: bool = False) -> Site:
    """The site the logged-in admin manages; 404 for any other, not even saying it exists.

    lock: its row stays locked until the commit, so two saves cannot both pass the check
    that the settings are still those previewed.
    """
    site = db.session.get(Site, site_id, with_for_update=lock)
    if site is None or not access.may_manage(g.console_user, site.id):
        abort(404)
    return site


def _page(site: Site, status: int = 200, **context):
    """Render the settings page: the form (saved values unless given), preview, keys, history."""
    context.setdefault("values", _texts(schema.dump(sites.settings_of(site))))
    page = render_template(
        "console/site_settings.html",
        site=site,
        form_groups=FORM,
        labels=LABELS,
        described=described,
        who=_who,
        history=sites.history(site, HISTORY),
        recent=dryrun.replayed(site, dryrun.DAYS),
        threshold=scoring.threshold(),
        errors=context.pop("errors", {}),
        **context,
    )
    # The page may carry a new key or a signed preview: never let a cache keep it.
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/admin/sites/<id:site_id>/settings", methods=["GET", "POST"])
@admin_required
def site_settings(site_id):
    """Show a site's settings; preview a change to them, or save the change previewed."""
    site = managed_site(site_id, lock=request.form.get("step") == "save")
    if request.method == "GET":
        return _page(site)
    changes, errors = _submitted(request.form)
    if errors:
        return _page(site, 422, values=request.form, errors=errors)
    proposed = sites.changed(site, changes)
    if request.form.get("step") != "save":
        preview = _preview(site, proposed)
        return _page(site, values=_texts(schema.dump(proposed)), preview=preview)
    refusal = _refusal(site, proposed, request.form.get("preview", ""))
    if refusal:
        return _page(site, 409, values=request.form, errors={"_form": [refusal]})
    saved = sites.save(site, proposed, g.console_user, "console")
    db.session.commit()
    names = ", ".join(LABELS[key].lower() for key in saved)
    flash(f"Saved {names}." if saved else "Nothing to save: these are the settings in force.")
    return redirect(url_for("console.site_settings", site_id=site.id))


def _unconfirmed(site: Site, key: str) -> tuple | None:
    """The page refusing to replace a key (api_key, akismet_key) unconfirmed; None if confirmed."""
    if request.form.get("confirm") == "yes":
        return None
    message = f"Tick the box: the site's current {KEY_LABELS[key]} stops working."
    return _page(site, 422, errors={f"{key}_confirm": [message]})


@bp.route("/admin/sites/<id:site_id>/api-key", methods=["POST"])
@admin_required
def site_api_key(site_id):
    """Give a site a new API key, shown once; the old one is refused at once."""
    return _replaced(site_id, "api_key", sites.rotate_api_key)


@bp.route("/admin/sites/<id:site_id>/akismet-key", methods=["POST"])
@admin_required
def site_akismet_key(site_id):
    """Give a site a new Akismet key, shown once; the old one stops working at once."""
    return _replaced(site_id, "akismet_key", sites.issue_akismet_key)


def _replaced(site_id: int, key: str, replace) -> tuple:
    """Replace one of a site's keys once the box is ticked, and show the new key once."""
    site = managed_site(site_id)
    refused = _unconfirmed(site, key)
    if refused:
        return refused
    new = replace(site, g.console_user, "console")
    db.session.commit()
    return _page(site, 201, new_key=(key, new))
