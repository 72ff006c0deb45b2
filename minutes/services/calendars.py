"""Writes of the personal iCal feeds: creating and renewing a member's secret link.

The link's token is 256 random bits; the database keeps only its SHA-256
(``CalendarFeed.token_hash``), so the full link can be shown only right after
it was made. Renewing replaces the hash: the old link stops working at once.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.surveys.tokens import token_hash
from integration.core.models import User

from ..models import CalendarFeed
from ..selectors.access import member_body_ids

TOKEN_BYTES = 32


@transaction.atomic
def calendar_feed_renew(*, user: User) -> str:
    """Create ``user``'s personal feed or give it a new secret; returns the new token.

    Only a login whose person currently sits in a body has a personal feed.
    Calling it again always makes a new token (the previous one is void).
    """
    if not member_body_ids(user=user):
        raise ValidationError(_("Only members of a body have a personal calendar."))
    token = secrets.token_hex(TOKEN_BYTES)
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        feed = CalendarFeed(user=user)
    else:
        feed.renewed_at = timezone.now()
    feed.token_hash = token_hash(token)
    feed.full_clean()
    feed.save()
    return token


def calendar_feed_ensure(*, user: User) -> str | None:
    """The token of a feed created now for a member without one; None if a feed exists.

    The settings page calls this on each visit: the first visit makes the link.
    """
    if CalendarFeed.objects.filter(user=user).exists():
        return None
    return calendar_feed_renew(user=user)
