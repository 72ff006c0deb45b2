"""Reads of the iCal feeds: which meetings each feed shows, and whose feed a link opens.

The public feeds show what an anonymous visitor may see (``meetings_visible_to``
of an anonymous user: the meetings of public bodies). A personal feed shows the
meetings of the bodies its login's person currently sits in, non-public bodies
included; the feed itself never carries agenda items, so it needs no item rules.
"""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from actors.surveys.tokens import token_hash, token_looks_valid

from ..models import Body, CalendarFeed, Meeting
from .access import bodies_visible_to, meetings_visible_to, member_body_ids

# Feeds reach back one year: calendars keep what they fetched, and a long
# history only makes every poll slower.
HISTORY_DAYS = 365


def _feed_meetings(meetings: QuerySet[Meeting], *, today: datetime.date | None) -> QuerySet:
    since = (today or timezone.localdate()) - datetime.timedelta(days=HISTORY_DAYS)
    return (
        meetings.filter(date__gte=since)
        .select_related("body", "location")
        .order_by("date", "start_time", "pk")
    )


def public_bodies_list() -> QuerySet[Body]:
    """The bodies whose meetings anyone may see, for the feed links of the settings page."""
    return bodies_visible_to(AnonymousUser()).order_by("name")


def public_body_get(*, pk: int) -> Body | None:
    """The public body ``pk`` (None for a non-public or unknown one)."""
    return public_bodies_list().filter(pk=pk).first()


def public_feed_meetings(
    *, body: Body | None = None, today: datetime.date | None = None
) -> QuerySet[Meeting]:
    """Meetings of public bodies (of ``body`` only, if given) from a year back on."""
    meetings = meetings_visible_to(AnonymousUser())
    if body is not None:
        meetings = meetings.filter(body=body)
    return _feed_meetings(meetings, today=today)


def personal_feed_meetings(*, user, today: datetime.date | None = None) -> QuerySet[Meeting]:
    """Meetings of the bodies ``user``'s person currently sits in, from a year back on."""
    body_ids = member_body_ids(user=user, today=today)
    return _feed_meetings(meetings_visible_to(user).filter(body_id__in=body_ids), today=today)


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The feed a secret link opens, with its (active) login; None when unknown.

    A malformed token costs no query; the lookup is by the token's hash only.
    """
    if not token_looks_valid(token):
        return None
    return (
        CalendarFeed.objects.filter(token_hash=token_hash(token), user__is_active=True)
        .select_related("user")
        .first()
    )


def calendar_feed_get(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()
