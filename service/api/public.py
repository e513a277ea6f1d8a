"""The public API: sites submit comments, anyone reads a post's published thread."""

from flask import g, url_for

from .. import comments, metrics
from ..auth import site_required
from ..schemas import CommentCreated, CommentIn, PostQuery, PublicThread
from . import BEARER, Blueprint, require_json

blp = Blueprint("public", __name__, url_prefix="/api/v1", description="Submit and read comments.")
blp.before_request(require_json)


@blp.route("/comments", methods=["POST"])
@blp.doc(security=BEARER)
@site_required
@blp.arguments(CommentIn)
@blp.response(201, CommentCreated, description="Stored; Location names the new comment.")
def submit_comment(data):
    """Submit a reader's comment (site key)."""
    comment = comments.submit(g.site, data)
    metrics.COMMENTS.labels(comment.status).inc()
    return comment, {"Location": url_for("moderation.get_comment", comment_id=comment.id)}


@blp.route("/posts/<path:post_id>/comments")
@blp.arguments(PostQuery, location="query")
@blp.response(200, PublicThread)
def post_comments(query, post_id):
    """Read the approved comments of a post, threaded, oldest first."""
    items = comments.public_thread(post_id, query["site"])
    return {"post_id": post_id, "count": _count(items), "items": items}


def _count(items: list[dict]) -> int:
    return sum(1 + _count(item["replies"]) for item in items)
