"""The page a digest's Approve and Spam links open: it shows the comment and asks; a POST decides.

No login is needed, the signed link is the authority (service.decision_links); the POST carries
the console's CSRF token like any other form, set by the GET that showed the question. The token
is in the query string, not the path: the access log records paths, and a token there would be
a decision anyone reading the log could take.
"""

from flask import render_template, request

from .. import comments, decision_links, sites
from .blueprint import bp

# Nobody's browser or proxy keeps a page that a link's secret opened.
NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/decide", methods=["GET", "POST"])
def decision_link():
    """Show the comment and ask to confirm the link's decision (GET); take it (POST)."""
    try:
        link = decision_links.read(request.args.get("token", ""))
        done = request.method == "POST"
        moderator, comment = (decision_links.decide if done else decision_links.check)(link)
    except decision_links.Refused as refused:
        return render_template("console/decision.html", refused=refused), refused.code, NO_STORE
    page = render_template(
        "console/decision.html",
        link=link,
        comment=comment,
        moderator=moderator,
        done=done,
        record=comments.author_record(comment),
        threshold=sites.thresholds(sites.settings_of(comment.site)).spam,
    )
    return page, 200, NO_STORE
