"""A site's webhooks page: its endpoints, recent deliveries and failures, and a test event."""

from flask import flash, redirect, render_template, url_for

from .. import sites, webhooks
from ..db import db
from .blueprint import bp
from .login import admin_required
from .site_settings import managed_site


@bp.route("/admin/sites/<id:site_id>/webhooks")
@admin_required
def site_webhooks(site_id):
    """Show a site's endpoints, whether it has a secret, and its latest deliveries."""
    site = managed_site(site_id)
    return render_template(
        "console/webhooks.html",
        site=site,
        endpoints=sites.settings_of(site).webhooks,
        has_secret=site.webhook_seed is not None,
        counts=webhooks.counts(site),
        deliveries=webhooks.recent(site),
        keep_days=webhooks.KEEP.days,
    )


@bp.route("/admin/sites/<id:site_id>/webhooks/test", methods=["POST"])
@admin_required
def site_webhooks_test(site_id):
    """Queue a test event (`ping`) to each of the site's endpoints, through the outbox."""
    site = managed_site(site_id)
    queued = webhooks.send_test(site)
    db.session.commit()
    if queued:
        flash(f"Queued a test event to {queued} endpoint{'s' if queued != 1 else ''}.")
    else:
        flash("This site lists no endpoints: add them to its webhooks setting first.", "error")
    return redirect(url_for("console.site_webhooks", site_id=site.id))
