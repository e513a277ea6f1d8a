"""The moderator API: the queue, one comment in full, decisions, the serving model."""

from flask import g
from flask_smorest import abort

from .. import campaigns, comments, overturns, registry, scoring, sites
from ..bearer import moderator_required
from ..db import db
from ..schemas import (
    ACTIONS,
    BulkModerateIn,
    BulkResults,
    CommentDetail,
    ModelInfo,
    ModerateIn,
    QueuePage,
    QueueQuery,
)
from ..tables import Moderator
from . import BEARER, Blueprint, require_json

blp = Blueprint(
    "moderation", __name__, url_prefix="/api/v1", description="Review and decide comments."
)
blp.before_request(require_json)


@blp.route("/queue")
@blp.doc(security=BEARER)
@moderator_required
@blp.arguments(QueueQuery, location="query")
@blp.response(200, QueuePage)
def queue(query):
    """List comments by status, sorted, one keyset page at a time."""
    items, next_cursor = comments.queue_page(g.moderator, **query)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/comments/<id:comment_id>")
@blp.doc(security=BEARER)
@moderator_required
@blp.response(200, CommentDetail)
def get_comment(comment_id):
    """Read one comment in full: reasons, history and the author's record."""
    return _detail(comments.get(g.moderator, comment_id))


@blp.route("/comments/<id:comment_id>/moderate", methods=["POST"])
@blp.doc(security=BEARER)
@moderator_required
@blp.arguments(ModerateIn)
@blp.response(200, CommentDetail)
@blp.alt_response(409, description="Another moderator changed the comment first (`version`).")
def moderate(data, comment_id):
    """Approve, reject or mark a comment as spam, or confirm the status it is in.

    A confirmation (say, `spam` on a comment the classifier sent to spam) is a decision
    like any other: recorded in the history, and a training label. Repeating the latest
    decision records nothing.
    """
    target = ACTIONS[data["action"]]
    return _detail(comments.moderate(g.moderator, comment_id, target, data["version"]))


@blp.route("/moderate", methods=["POST"])
@blp.doc(security=BEARER)
@moderator_required
@blp.arguments(BulkModerateIn)
@blp.response(200, BulkResults)
def moderate_many(data):
    """Apply one decision to up to 100 comments, confirmations too; each gets its own outcome."""
    ids = list(dict.fromkeys(data["ids"]))  # the same id twice is one decision
    return {"items": comments.moderate_many(g.moderator, ids, ACTIONS[data["action"]])}


@blp.route("/model")
@blp.doc(security=BEARER)
@moderator_required
@blp.response(200, ModelInfo)
def model_info():
    """Describe the serving model, and how often moderators overturned it since promotion."""
    classifier = scoring.classifier()
    if classifier is None:
        abort(503, message="no model is loaded: comments are stored unscored")
    manifest = classifier.manifest
    promoted_at = registry.promoted_at(db.session, classifier.version)
    return {
        "version": classifier.version,
        "trained_at": manifest.get("trained_at"),
        "promoted_at": promoted_at,
        "threshold": _threshold(g.moderator),
        "training_data": manifest.get("data"),
        "metrics": manifest.get("metrics"),
        "drift": overturns.drift(
            overturns.verdicts(sites.thresholds_of(g.moderator), promoted_at, classifier.version),
            promoted_at,
        ),
    }


def _threshold(moderator: Moderator) -> float | None:
    """The spam threshold a moderator's comments are routed by: their site's, or the service's."""
    if moderator.site_id is None:
        return scoring.threshold()
    return sites.thresholds_of(moderator)[moderator.site_id].spam


def _detail(comment):
    """Attach the author's record and its campaign's size, which CommentDetail shows."""
    comment.author = comments.author_record(comment)
    comment.campaign_size = campaigns.sizes([comment.campaign_id], comment.status).get(
        comment.campaign_id
    )
    return comment
