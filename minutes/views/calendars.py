"""The iCal feeds: public meetings overall and per body, and a member's secret-link feed.

The public feeds need no login and carry only what anyone may see
(``minutes.selectors.calendars``). The personal feed is opened by a secret
link, like a survey link: the 256-bit token in the URL is the authorisation, it
is looked up by its hash, rate-limited per client address, kept out of logs
(``integration.core.logging``), search engines and referrers. No feed carries
agenda items, so a non-public item's title cannot leak through a calendar.
"""

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from icalendar import Calendar, Event, vDuration

from integration.core.client_ip import client_ip
from integration.core.emails import absolute_url
from integration.core.services import rate_limit_hit, rate_limit_reached

from ..models import Meeting
from ..selectors import calendars as selectors
from ..selectors.access import member_body_ids
from ..services.calendars import calendar_feed_ensure, calendar_feed_renew

BERLIN = ZoneInfo("Europe/Berlin")
# Without an end time a meeting is shown two hours long.
DEFAULT_DURATION = datetime.timedelta(hours=2)
# Calendar apps poll; a quarter of an hour keeps a change fresh enough.
MAX_AGE_SECONDS = 900
PERSONAL_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": f"private, max-age={MAX_AGE_SECONDS}",
}


def _meeting_event(meeting: Meeting, *, host: str) -> Event:
    start = datetime.datetime.combine(meeting.date, meeting.start_time, tzinfo=BERLIN)
    end = (
        datetime.datetime.combine(meeting.date, meeting.end_time, tzinfo=BERLIN)
        if meeting.end_time and meeting.end_time > meeting.start_time
        else start + DEFAULT_DURATION
    )
    # The public page: it opens for every subscriber, and members logged in see
    # their non-public items there.
    url = absolute_url("portal:meeting_detail", meeting.pk)
    summary = _("%(body)s: %(meeting)s") % {
        "body": meeting.body.name,
        "meeting": meeting.name or _("Meeting"),
    }
    cancelled = meeting.status == Meeting.Status.CANCELLED
    if cancelled:
        summary = _("Cancelled: %(summary)s") % {"summary": summary}
    description = [_("Agenda and documents: %(url)s") % {"url": url}]
    if cancelled:
        description.insert(0, _("This meeting has been cancelled."))

    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if meeting.location:
        event.add("location", str(meeting.location))
    event.add("url", url)
    event.add("description", "\n\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar_render(*, meetings, name: str) -> bytes:
    """An iCalendar document of ``meetings`` (body and location selected) named ``name``."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Integration//Sitzungskalender//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{name} · {settings.MUNICIPALITY_NAME}")
    calendar.add("x-wr-timezone", "Europe/Berlin")
    refresh = datetime.timedelta(hours=1)
    calendar.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    last_year = timezone.localdate().year
    for meeting in meetings:
        calendar.add_component(_meeting_event(meeting, host=host))
        last_year = max(last_year, meeting.date.year)
    # The time zone's rules for the span the feed covers, not since 1970.
    calendar.add_missing_timezones(
        first_date=datetime.date(timezone.localdate().year - 2, 1, 1),
        last_date=datetime.date(last_year + 2, 1, 1),
    )
    return calendar.to_ical()


def _ics_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@method_decorator(login_not_required, name="dispatch")
class PublicCalendarView(View):
    """All meetings of public bodies, for anyone."""

    def get(self, request):
        with translation.override("de"):
            content = calendar_render(
                meetings=selectors.public_feed_meetings(),
                name=_("Meetings of the public bodies"),
            )
        response = _ics_response(content, filename="sitzungen.ics")
        response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
        return response


@method_decorator(login_not_required, name="dispatch")
class BodyCalendarView(View):
    """The meetings of one public body, for anyone; a non-public body's feed is 404."""

    def get(self, request, pk):
        body = selectors.public_body_get(pk=pk)
        if body is None:
            raise Http404
        with translation.override("de"):
            content = calendar_render(
                meetings=selectors.public_feed_meetings(body=body),
                name=_("Meetings: %(body)s") % {"body": body.name},
            )
        slug = slugify(body.short_name or body.name)[:60] or str(body.pk)
        response = _ics_response(content, filename=f"sitzungen-{slug}.ics")
        response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
        return response


@method_decorator(login_not_required, name="dispatch")
class PersonalCalendarView(View):
    """A member's meetings, non-public bodies included, behind the secret link."""

    # As for survey links: mistyped links now and then are fine, guessing
    # 256-bit tokens is hopeless; over the limit every link answers 429.
    lookup_limit = 30
    lookup_window_seconds = 600

    def get(self, request, token):
        response = self._feed(request, token)
        for header, value in PERSONAL_HEADERS.items():
            response[header] = value
        return response

    def _feed(self, request, token):
        key = f"calendar-link:{client_ip(request)}"
        if rate_limit_reached(key=key, limit=self.lookup_limit):
            return self._limited()
        feed = selectors.calendar_feed_for_token(token)
        if feed is None or not feed.user.has_perm("minutes.view_meeting"):
            if rate_limit_hit(
                key=key, limit=self.lookup_limit, window_seconds=self.lookup_window_seconds
            ):
                return self._limited()
            return HttpResponse(status=404, content_type="text/plain; charset=utf-8")
        with translation.override("de"):
            content = calendar_render(
                meetings=selectors.personal_feed_meetings(user=feed.user),
                name=_("My meetings"),
            )
        return _ics_response(content, filename="meine-sitzungen.ics")

    def _limited(self):
        response = HttpResponse(status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.lookup_window_seconds)
        return response


def feed_urls(viewname: str, *args) -> dict:
    """A feed's https address and its webcal:// twin (calendar apps subscribe to it)."""
    url = absolute_url(viewname, *args)
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@method_decorator(never_cache, name="dispatch")
class CalendarSettingsView(PermissionRequiredMixin, TemplateView):
    """The feeds to subscribe to; for members their personal link, made on the first visit.

    Only the hash of a personal link is stored: the full link is shown once,
    right after it was made or renewed.
    """

    permission_required = "minutes.view_meeting"
    template_name = "minutes/calendars/calendar_settings.html"

    def get_context_data(self, *, new_token: str | None = None, **kwargs):
        user = self.request.user
        is_member = bool(member_body_ids(user=user))
        if is_member and new_token is None:
            new_token = calendar_feed_ensure(user=user)
        return super().get_context_data(**kwargs) | {
            "all_feed": feed_urls("minutes:calendar_all"),
            "body_feeds": [
                {"body": body, **feed_urls("minutes:calendar_body", body.pk)}
                for body in selectors.public_bodies_list()
            ],
            "is_member": is_member,
            "personal_feed": (
                feed_urls("minutes:calendar_personal", new_token) if new_token else None
            ),
        }


class CalendarRenewView(CalendarSettingsView):
    """Make a new secret link (the old one stops working) and show it once."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            token = calendar_feed_renew(user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("minutes:calendar_settings")
        messages.success(
            request,
            _("Your new calendar link is shown below. The previous link no longer works."),
        )
        return self.render_to_response(self.get_context_data(new_token=token))
