"""An example news site: one article, its "Leave a Reply" form, comments moderated by Moderato.

Run: MODERATO_URL=http://127.0.0.1:5000 MODERATO_SITE=news MODERATO_SITE_KEY=site_... \
     .venv/bin/flask --app examples/news_site/app.py run --port 5001
"""

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, redirect, render_template, request, url_for

# `flask --app examples/news_site/app.py` puts this folder on sys.path.
from moderato import Moderato

ARTICLE = {
    "slug": "relatives-of-missing-kazakhs-fall-silent",
    "title": "Relatives of missing Kazakhs in Xinjiang fall silent during Xi Jinping's visit",
    "byline": "By the World Desk",
    "paragraphs": [
        "Families in Kazakhstan who have spent years asking what became of relatives held in "
        "China's Xinjiang region say the few channels they still had went quiet during Xi "
        "Jinping's visit to the region.",
        "Calls went unanswered and messages unread. Campaigners in Almaty, who keep lists of "
        "the missing and the testimonies of their families, say silence of this kind is itself "
        "a message, and that many relatives are now too afraid to speak publicly.",
    ],
    "note": "An illustrative excerpt for Moderato's example site.",
}
FIELDS = ("author_name", "author_email", "author_url", "content")
CSP = (
    "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)


def create_app(config: Mapping | None = None) -> Flask:
    """Build the site; MODERATO_URL, MODERATO_SITE and its key come from the environment."""
    app = Flask(__name__, root_path=str(Path(__file__).resolve().parent))
    app.config["MODERATO_URL"] = os.environ.get("MODERATO_URL", "http://127.0.0.1:5000")
    app.config["MODERATO_SITE"] = os.environ.get("MODERATO_SITE", "news")
    app.config["MODERATO_SITE_KEY"] = os.environ.get("MODERATO_SITE_KEY")
    app.config.update(config or {})
    moderato = Moderato(
        app.config["MODERATO_URL"], app.config["MODERATO_SITE"], app.config["MODERATO_SITE_KEY"]
    )

    @app.get("/")
    def home():
        """Send readers to the one article."""
        return redirect(url_for("article", slug=ARTICLE["slug"]))

    @app.route("/<slug>", methods=["GET", "POST"])
    def article(slug: str):
        """Show the article and its approved comments; relay a new comment to Moderato."""
        if slug != ARTICLE["slug"]:
            return "No such article.", 404
        errors, form, status = {}, {}, 200
        if request.method == "POST":
            form = {field: request.form.get(field, "") for field in FIELDS}
            answer = moderato.submit(_comment(form))
            if answer.status == 201:
                return redirect(
                    url_for("article", slug=slug, sent=answer.body["status"]) + "#respond"
                )
            errors, status = _errors(answer), answer.status
        thread = moderato.approved(slug)
        return render_template(
            "article.html",
            article=ARTICLE,
            comments=thread.body.get("items", []) if thread.status == 200 else [],
            errors=errors,
            form=form,
            sent=request.args.get("sent"),
        ), status

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app


def _comment(form: dict) -> dict:
    """The body Moderato expects: the form, plus the reader's IP, browser and page."""
    return {
        "post_id": ARTICLE["slug"],
        **form,
        "user_ip": request.remote_addr,
        "user_agent": request.user_agent.string[:500] or None,
        "referrer": request.base_url,
    }


def _errors(answer) -> dict[str, list[str]]:
    """Field errors to show next to the fields; anything else above the form."""
    if answer.status == 422 and "errors" in answer.body:
        return answer.body["errors"]
    if answer.status == 429:
        return {"_form": ["You are commenting too quickly. Please wait a moment and try again."]}
    return {"_form": ["Comments are not available right now. Please try again later."]}


app = create_app()
