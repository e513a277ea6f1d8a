"""The comment lists (queue, spam, rejected, published) and the decisions taken on them."""

from dataclasses import dataclass

from flask import flash, g, jsonify, redirect, render_template, request, session
from markupsafe import Markup, escape

from .. import campaigns, clock, comments, sites
from ..tables import Comment, ModerationAction, Moderator, Status
from .blueprint import bp
from .forms import ACTIONS, ActionForm, ListQuery, UndoForm, load_form
from .login import login_required, safe_next

PAGE_SIZE = 50
# The comments of a campaign one decision takes, the oldest first: as many as any decision on
# a selection (ActionForm), so one request stays short; the rest stay grouped for the next.
CAMPAIGN_TAKEN = 100

# The decisions offered on a comment in each status, as (action, label, key): the lists
# and the comment page offer the same ones.
BUTTONS = {
    Status.PENDING: [("approve", "Approve", "a"), ("reject", "Reject", "r"), ("spam", "Spam", "s")],
    Status.SPAM: [
        ("spam", "Confirm spam", "s"),
        ("approve", "Not spam", "a"),
        ("reject", "Reject", "r"),
    ],
    Status.REJECTED: [("approve", "Approve", "a"), ("spam", "Spam", "s")],
    Status.APPROVED: [
        ("approve", "Confirm", "a"),
        ("unpublish", "Unpublish", "p"),
        ("reject", "Reject", "r"),
        ("spam", "Spam", "s"),
    ],
}
# The action that keeps a comment where it is: it confirms what the machine decided, so it
# is offered only while nobody has decided the comment (the machine never rejects).
CONFIRMS = {Status.SPAM: "spam", Status.APPROVED: "approve"}


@bp.route("/")
@login_required
def queue():
    """List comments of one status, filtered and sorted, with their actions."""
    query, errors = load_form(ListQuery(), request.args)
    if errors:
        query = ListQuery().load({})
    filters = {
        "site_id": query["site"],
        "post_id": query["post"],
        "score_min": query["score_min"],
        "score_max": query["score_max"],
        "text": query["q"],
    }
    # The queue shows each campaign as one row; a list narrowed by post, score, text or
    # campaign shows each comment, as the narrowing may take some of a campaign and not others.
    narrowing = ("post_id", "score_min", "score_max", "text")
    narrowed = query["campaign"] is not None or any(filters[n] is not None for n in narrowing)
    grouped = query["status"] == Status.PENDING and not narrowed
    rows, more = comments.search(
        g.console_user,
        query["status"],
        query["sort"],
        **filters,
        campaign=query["campaign"],
        grouped=grouped,
        offset=(query["page"] - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    sizes = campaigns.sizes((row.campaign_id for row in rows), query["status"])
    page = render_template(
        "console/list.html",
        rows=rows,
        more=more,
        query=query,
        errors=errors,
        records=comments.author_records(rows),
        sites=sites.visible_to(g.console_user),
        thresholds=sites.thresholds_of(g.console_user, {row.site_id for row in rows}),
        buttons=BUTTONS[query["status"]],
        confirm=CONFIRMS.get(query["status"]),
        undecided={row.id for row in rows if not comments.decided(row)},
        latest={row.id: in_words(row.actions[-1]) for row in rows if row.actions},
        sizes=sizes,
        groups=_groups(g.console_user, rows, sizes, query["status"]) if grouped else {},
    )
    return page, 422 if errors else 200


@dataclass(frozen=True)
class Group:
    """A campaign shown as one row: its first comment's text, the words it shares marked."""

    size: int
    members: list[Comment]  # the oldest CAMPAIGN_TAKEN, which one decision takes
    shared: Markup
    authors: int
    posts: int
    scores: tuple[float, float] | None  # the least and the greatest; None if none is scored


def _groups(
    moderator: Moderator, rows: list[Comment], sizes: dict[int, int], status: Status
) -> dict[int, Group]:
    """Each row that stands for a campaign of two or more comments, by the row's id."""
    groups = {}
    for row in rows:
        size = sizes.get(row.campaign_id, 0)
        if size < 2:
            continue
        members = campaigns.members(moderator, row.campaign_id, status, CAMPAIGN_TAKEN)
        others = [member.content for member in members if member.id != row.id]
        scores = [m.spam_score for m in members if m.spam_score is not None]
        groups[row.id] = Group(
            size=size,
            members=members,
            shared=_marked(row.content, campaigns.shared_spans(row.content, others)),
            authors=len({member.author_email for member in members}),
            posts=len({member.post_id for member in members}),
            scores=(min(scores), max(scores)) if scores else None,
        )
    return groups


def _marked(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Escape text and mark the spans, a run of them separated only by spaces or
    punctuation as one, so a shared phrase reads as one highlight."""
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and not any(c.isalnum() for c in text[merged[-1][1] : start]):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    parts, done = [], 0
    for start, end in merged:
        parts += [escape(text[done:start]), Markup("<mark>"), escape(text[start:end])]
        parts.append(Markup("</mark>"))
        done = end
    return Markup("").join([*parts, escape(text[done:])])


@bp.route("/act", methods=["POST"])
@login_required
def act():
    """Approve, reject, mark as spam, confirm or unpublish the chosen comments; offer an undo."""
    data, errors = load_form(ActionForm(), request.form)
    if errors:
        return _reply([], _first(errors), request.form.get("next"), 422)
    user, ids, action = g.console_user, data["ids"], data["action"]
    one = data["version"] if len(ids) == 1 else None
    # Each comment at the version the moderator saw, so one changed meanwhile is refused alone.
    versions = dict(zip(ids, data["versions"] or [one] * len(ids), strict=True))
    latest: dict[int, ModerationAction] = {}

    def decide(comment_id: int) -> Comment:
        version = versions[comment_id]
        if action == "unpublish":
            comment = comments.unpublish(user, comment_id, version)
        else:
            comment = comments.moderate(user, comment_id, ACTIONS[action], version)
        latest[comment_id] = comment.actions[-1]
        return comment

    results = comments.act_on_each(list(versions), decide)
    for result in results:
        if result["code"] == 200:  # the page shows it in place when it stays in the list
            result["decision"] = in_words(latest[result["id"]])
    session["undo"] = {"ids": list(latest), "at": clock.now().timestamp()}
    confirmed = sum(comments.is_confirmation(done) for done in latest.values())
    return _reply(results, _summary(action, results, confirmed), data["next"])


@bp.route("/undo", methods=["POST"])
@login_required
def undo():
    """Take back the latest decisions on the given comments (within the undo window)."""
    data, errors = load_form(UndoForm(), request.form)
    if errors:
        return _reply([], _first(errors), request.form.get("next"), 422)
    session.pop("undo", None)
    results = comments.undo_many(g.console_user, data["ids"])
    return _reply(results, _summary("undo", results), data["next"])


_DONE = {
    "approve": "Approved",
    "reject": "Rejected",
    "spam": "Marked as spam:",
    "unpublish": "Unpublished",
    "undo": "Undid the decision on",
}
_CONFIRMED = {
    "approve": "Confirmed as approved:",
    "reject": "Confirmed as rejected:",
    "spam": "Confirmed as spam:",
}


def _summary(action: str, results: list[dict], confirmed: int = 0) -> str:
    """Say what happened in one sentence, naming any comment that was refused.

    confirmed: how many of the comments done were confirmed where they already were.
    """
    moved = sum(result["code"] == 200 for result in results) - confirmed
    parts = [(_DONE[action], moved)] if moved or not confirmed else []
    parts += [(_CONFIRMED[action], confirmed)] if confirmed else []
    message = " ".join(f"{done} {n} comment{'s' if n != 1 else ''}." for done, n in parts)
    refused = [result["error"] for result in results if result["code"] != 200]
    return f"{message} Not changed: {'; '.join(refused)}." if refused else message


def in_words(action: ModerationAction) -> str:
    """A decision as the lists and the comment page word it.

    "confirmed spam by ...", "pending → spam by ..." or "undid: spam → pending by ...".
    """
    if action.undoes_id is not None:
        what = f"undid: {action.from_status} → {action.to_status}"
    elif comments.is_confirmation(action):
        what = f"confirmed {action.to_status}"
    else:
        what = f"{action.from_status} → {action.to_status}"
    return f"{what} by {action.moderator.email if action.moderator else action.via}"


def _first(errors: dict) -> str:
    field, messages = next(iter(errors.items()))
    return f"{field}: {messages[0]}" if field != "ids" else messages[0]


def _reply(results: list[dict], message: str, next_url: str | None, status: int = 200):
    """Answer fetch() with JSON, a plain form POST with a flash message and a redirect."""
    undo_ids = session.get("undo", {}).get("ids", [])
    if request.accept_mimetypes.best == "application/json":
        body = {"message": message, "results": results, "undo": undo_ids}
        return jsonify(body), status
    flash(message, "error" if status != 200 else "info")
    return redirect(safe_next(next_url))


@bp.app_context_processor
def undo_offer() -> dict:
    """The comments the current user may still undo, and for how many more seconds."""
    offer = session.get("undo")
    if not offer or not offer["ids"]:
        return {"undo_offer": None}
    left = comments.UNDO_SECONDS - (clock.now().timestamp() - offer["at"])
    return {"undo_offer": {"ids": offer["ids"], "seconds": int(left)} if left > 0 else None}
