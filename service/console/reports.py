"""The stats page and its charts."""

from datetime import timedelta

from flask import Response, abort, g, render_template

from .. import clock, overturns, retrain, sites
from ..db import db
from ..tables import Moderator, Status
from . import stats
from .blueprint import bp
from .login import login_required

DAYS = 30


def _window() -> tuple[list, object]:
    """The days the stats cover, ending today, and the moment they start."""
    today = clock.now()
    start = (today - timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return stats.days_between(start.date(), today.date()), start


@bp.route("/stats")
@login_required
def stats_page():
    """Show the charts, with their numbers in a table for those who cannot see them."""
    _days, since = _window()
    per_day = stats.outcomes_per_day(g.console_user, since)
    totals = {status: sum(day[status] for day in per_day.values()) for status in Status}
    received = sum(totals.values())
    decisions = overturns.verdicts(sites.thresholds_of(g.console_user), since)
    decided = sum(decisions.values())
    overturned = decisions["spam", "ham"] + decisions["ham", "spam"]
    return render_template(
        "console/stats.html",
        days=DAYS,
        totals=totals,
        received=received,
        spam_rate=totals[Status.SPAM] / received if received else None,
        decisions=decisions,
        decided=decided,
        overturn_rate=overturned / decided if decided else None,
        thresholds=_spam_thresholds(g.console_user),
        last_retrain=retrain.latest(db.session),
    )


def _spam_thresholds(moderator: Moderator) -> list[float]:
    """The distinct spam thresholds of the sites the moderator sees, lowest first."""
    limits = sites.thresholds_of(moderator).values()
    return sorted({site.spam for site in limits if site.spam is not None})


@bp.route("/stats/<chart>.svg")
@login_required
def chart(chart: str):
    """Draw one chart of the stats page."""
    # matplotlib is imported on the first chart, not when every worker starts.
    from . import plots

    days, since = _window()
    user = g.console_user
    if chart in ("outcomes", "spam-rate"):
        draw = plots.outcomes if chart == "outcomes" else plots.spam_rate
        svg = draw(days, stats.outcomes_per_day(user, since))
    elif chart == "scores":
        thresholds = _spam_thresholds(user)
        drawn = thresholds[0] if len(thresholds) == 1 else None  # one line, or none to mislead
        svg = plots.histogram(stats.scores(user, since), drawn)
    elif chart == "overturns":
        svg = plots.overturns(overturns.verdicts(sites.thresholds_of(user), since))
    else:
        abort(404)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})
