"""Saved views and their public share links: the writes, and finding the link behind a token.

A saved view is a named dashboard query string the whole team sees; a share link shows one saved view's
panels to anyone with its token, signed out, until it expires or is revoked (docs/dashboards.md).
"""

import secrets
from datetime import datetime

from django.http import QueryDict
from django.utils import timezone

from nps import audit

from .models import SavedView, ShareLink

# Query-string keys that are not filters: never stored in a saved view.
NOT_FILTERS = ("view", "page", "csrfmiddlewaretoken")


def clean_query(query: str) -> str:
    """The filter part of a dashboard query string, in a stable form."""
    data = QueryDict(query.lstrip("?"), mutable=True)
    for key in NOT_FILTERS:
        data.pop(key, None)
    for key in [k for k, values in data.lists() if not any(values)]:
        data.pop(key)
    return data.urlencode()


def save_view(*, name: str, query: str, by) -> SavedView:
    """Save a named view; the team sees it at once."""
    return SavedView.objects.create(name=name.strip(), query=clean_query(query), created_by=by)


def update_view(view: SavedView, *, name: str, query: str | None = None) -> SavedView:
    """Rename a view, and replace its filters when given."""
    view.name = name.strip()
    if query is not None:
        view.query = clean_query(query)
    view.updated_at = timezone.now()
    view.save(update_fields=["name", "query", "updated_at"])
    return view


def delete_view(view: SavedView) -> None:
    """Delete a view; its share links stop working with it."""
    view.delete()


def create_share_link(
    view: SavedView, *, by, include_comments: bool = False, expires_at: datetime | None = None
) -> ShareLink:
    """A new public read-only link to the view (256 random bits)."""
    link = ShareLink.objects.create(
        saved_view=view,
        token=secrets.token_urlsafe(32),
        include_comments=include_comments,
        created_by=by,
        expires_at=expires_at,
    )
    expires = expires_at.isoformat() if expires_at else None
    changes = {"comments": include_comments, "expires": expires}
    audit.record("share_link.create", obj=link, label=f"Share link of “{view.name}”", changes=changes)
    return link


def revoke_share_link(link: ShareLink) -> None:
    """The link stops working at once; revoking twice changes nothing."""
    if ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit.record("share_link.revoke", obj=link, label=f"Share link of “{link.saved_view.name}”")


def find_share_link(token: str) -> ShareLink | None:
    """The usable link with this token, or None (unknown, revoked or expired)."""
    if "\x00" in token:  # PostgreSQL refuses a NUL byte in a query; no token has one.
        return None
    return ShareLink.objects.usable().select_related("saved_view").filter(token=token).first()
