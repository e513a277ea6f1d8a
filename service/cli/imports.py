"""`flask import ...`: bring a site's history in from WordPress, Disqus or a CSV file.

Every command stores the comments and the verdicts the source's moderators gave them (labels
the next retrain learns from), reports each record it cannot import and a count at the end,
and stores nothing when the source cannot be read at all. Each batch is committed as it is
stored: an interrupted import keeps what it stored, and running it again continues (a
complete one adds nothing).
"""

from collections.abc import Callable, Iterable
from pathlib import Path

import click
from flask.cli import AppGroup

from ..imports import Imported, ImportFailure, Problem, csvfile, disqus, store, wordpress, wxr
from ..tables import Site, Status
from .lookups import site as site_named

group = AppGroup("import", help="Import a site's comment history and its moderators' verdicts.")

_site = click.option("--site", "site_name", required=True, help="The Moderato site to import into.")
_file = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def _problem(problem: Problem) -> None:
    click.echo(f"skipped {problem.where}: {problem.message}", err=True)


def _progress(report: store.Report) -> None:
    click.echo(
        f"[import] {report.read:,} read: {report.added.total():,} added, "
        f"{report.unchanged:,} already here, {report.problems:,} skipped",
        err=True,
    )


def _kept(committed: store.Report) -> str:
    """What an import that stopped early leaves, and what to do about it."""
    if not committed.added:
        return "nothing was imported"
    return (
        f"the {committed.added.total():,} comments stored before it are kept: run the same "
        "command again to continue"
    )


Reader = Callable[[Site], tuple[str, Iterable[Imported | Problem], store.Resume | None]]


def _import(site_name: str, read: Reader) -> Iterable[Imported | Problem]:
    """Open a source, store what it holds, say what was done; stop if it cannot be read.

    Each batch stored is kept if the run is interrupted, and running the same command again
    continues. Returns what the source yielded, for a command that has more to say about it.
    """
    site = site_named(site_name)
    committed = store.Report()

    def progress(report: store.Report) -> None:
        nonlocal committed
        committed = report
        _progress(report)

    try:
        source, items, resume = read(site)
        report = store.run(site, source, items, _problem, progress, resume)
    except ImportFailure as error:
        raise click.ClickException(f"{error} ({_kept(committed)})") from None
    except KeyboardInterrupt:
        raise click.ClickException(f"interrupted ({_kept(committed)})") from None
    counts = ", ".join(f"{report.added[status]:,} {status}" for status in Status)
    click.echo(
        f"imported {report.added.total():,} comments from {source} into {site_name!r}: {counts}"
    )
    click.echo(
        f"{report.unchanged:,} were already imported; {report.problems:,} skipped (listed above)"
    )
    if report.resumed_after:
        click.echo(
            f"resumed after {report.resumed_after}, where an interrupted run stopped: the "
            "comments up to there were stored (or listed as skipped) by that run, and not read "
            "again"
        )
    decided = report.added.total() - report.added[Status.PENDING]
    if decided:
        click.echo(f"{decided:,} new labels: the worker retrains when due, or run `make retrain`")
    return items


@group.command("wordpress")
@click.argument("url")
@click.option("--user", required=True, help="A WordPress user who may moderate comments.")
@click.option(
    "--app-password",
    envvar="WORDPRESS_APP_PASSWORD",
    prompt=True,
    hide_input=True,
    help="That user's application password (Users > Profile); or WORDPRESS_APP_PASSWORD.",
)
@_site
def import_wordpress(url, user, app_password, site_name):
    """Import every comment of the WordPress site at URL over its REST API (5.6 or later).

    Approved, held, spam and trashed comments are all read, with nothing but GET
    requests; WordPress's spam becomes spam, approved approved, trash rejected, and held
    comments wait in the queue.
    """

    def read(site: Site) -> tuple[str, Iterable[Imported | Problem], store.Resume]:
        """Start reading the site where an interrupted import of it stopped, if one did."""
        comments = wordpress.read(url, user, app_password)
        click.echo(f"[import] {comments.source_name} counts {comments.total:,} comments", err=True)
        after = store.resume_point(site, comments.source_name)
        if after:
            click.echo(f"[import] resuming after {after}, where an earlier run stopped", err=True)
        items = comments.items(after)
        return comments.source_name, items, store.Resume(after, comments.mark)

    _import(site_name, read)


@group.command("wxr")
@_file
@_site
def import_wxr(path, site_name):
    """Import the comments of a WordPress export file (Tools > Export, WXR).

    Pingbacks, trackbacks and other comment types than readers' are skipped.
    """
    comments = _import(site_name, lambda _site: (*wxr.read(path), None))
    if comments.skipped:
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in comments.skipped.items())
        click.echo(f"not readers' comments, so not imported: {kinds}")
    if not comments.spam:
        click.echo(
            "this file holds no spam: WordPress's exporter leaves spam out. Import from the "
            "site itself to learn from its spam too: flask --app wsgi import wordpress URL ..."
        )


@group.command("disqus")
@_file
@_site
def import_disqus(path, site_name):
    """Import a Disqus export (Moderation > Export), spam and deleted comments included."""
    _import(site_name, lambda _site: (*disqus.read(path), None))


@group.command("csv")
@_file
@_site
def import_csv(path, site_name):
    """Import the project's CSV (content,label,author_name,author_email,author_url,post_id).

    Optional columns: id (the row's stable id), created_at (ISO 8601) and status
    (pending, approved, rejected, spam; otherwise the label decides: spam or approved).
    """
    _import(site_name, lambda _site: (*csvfile.read(path), None))
