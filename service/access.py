"""Who may see and manage which site: one answer for the API, the console and the queries.

A moderator with no site sees every site; one with a site sees that site only.
`site_id=None` asks about every site at once (e.g. a moderator of all sites, or
adding a site), so only a moderator of every site may see or manage "None".
"""

import sqlalchemy as sa

from .tables import Comment, Moderator, Role


def may_see(moderator: Moderator, site_id: int | None) -> bool:
    """Say whether the moderator may see the site's comments and settings (None: every site)."""
    return moderator.site_id is None or moderator.site_id == site_id


def may_manage(moderator: Moderator, site_id: int | None) -> bool:
    """Say whether the moderator may change the site's settings and moderators (None: all)."""
    return moderator.role == Role.ADMIN and may_see(moderator, site_id)


def may_manage_moderator(admin: Moderator, moderator: Moderator) -> bool:
    """Say whether an admin may change another moderator: one of the sites they manage.

    Giving the moderator a role and sites is then may_manage() of the new sites: a
    site's admin can neither reach a moderator of every site nor make one. Nobody
    changes themselves this way (their own page changes their password and token),
    so no admin takes away their own access by a slip.
    """
    return admin.id != moderator.id and may_manage(admin, moderator.site_id)


def visible(
    moderator: Moderator, query: sa.Select, site_column: sa.ColumnElement = Comment.site_id
) -> sa.Select:
    """Limit a query (of comments, unless site_column says) to the sites the moderator may see."""
    if moderator.site_id is None:
        return query
    return query.where(site_column == moderator.site_id)
