"""The public API: sites submit comments, anyone reads a post's published thread."""

from flask import g, request, url_for

from .. import comments, metrics, sites
from ..bearer import site_required
from ..schemas import CommentCreated, CommentIn, PostQuery, PublicThread
from ..tables import Site
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
    """Read the approved comments of one site's post, threaded, oldest first."""
    site = sites.named(query["site"])
    items, count = comments.public_thread(site, post_id) if site else ([], 0)
    return {"post_id": post_id, "count": count, "items": items}, cors_headers(site)


def cors_headers(site: Site | None) -> dict[str, str]:
    """Let a browser on one of the site's configured origins read its thread; CORS is off else."""
    origin = request.headers.get("Origin")
    if not origin or site is None or origin.lower() not in sites.settings_of(site).cors_origins:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
