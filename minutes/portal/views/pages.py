"""The pages of the public portal (Bürgerinfo): read-only, open without a login.

Every object is looked up in an access selector (``minutes.portal.selectors``), so
a non-visible id answers with the same 404 as an unknown one. Logged-in visitors
see the same pages, scoped by the same rules: members their bodies' non-public
items, marked "nicht öffentlich".
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.generic import ListView, TemplateView

from integration.documents.selectors import document_states

from ...documents.common import MEMBERS, PUBLIC
from ...documents.kinds import MINUTES, PACKET
from ...models import Paper
from ...views.calendars import feed_urls
from .. import selectors
from ..forms import MeetingFilterForm, PaperFilterForm, TaskFilterForm

PAPERS_PER_PAGE = 25


def _body_feed(body) -> dict | None:
    """The public calendar feed of ``body`` (None for a non-public body: it has none)."""
    if body is None or not selectors.body_has_public_feed(body):
        return None
    return feed_urls("minutes:calendar_body", body.pk)


@method_decorator(login_not_required, name="dispatch")
class PortalView(TemplateView):
    """GET only; ``section`` marks the portal navigation's current entry."""

    http_method_names = ["get", "head", "options"]
    section = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"portal_section": self.section}


class IndexView(PortalView):
    template_name = "minutes/portal/index.html"
    section = "index"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "meetings": selectors.upcoming_meetings(user=user),
            "minutes": selectors.recent_minutes(user=user),
            "all_feed": feed_urls("minutes:calendar_all"),
        }


class BodyListView(PortalView):
    template_name = "minutes/portal/body_list.html"
    section = "bodies"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "bodies": selectors.body_list(user=self.request.user)
        }


class BodyDetailView(PortalView):
    template_name = "minutes/portal/body_detail.html"
    section = "bodies"

    def get_context_data(self, **kwargs):
        user = self.request.user
        body = get_object_or_404(selectors.body_get_queryset(user=user), pk=kwargs["pk"])
        return super().get_context_data(**kwargs) | {
            "body": body,
            "members": selectors.body_members(body=body),
            "meetings": selectors.body_meetings(user=user, body=body),
            "body_feed": _body_feed(body),
        }


class MeetingCalendarView(PortalView):
    """One month of meetings (``?month=2026-11``), grouped by day, filterable by body."""

    template_name = "minutes/portal/meeting_list.html"
    section = "meetings"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = MeetingFilterForm(self.request.GET or None, user=user)
        body = form.value("body")
        today = timezone.localdate()
        first = selectors.month_start(self.request.GET.get("month"), today=today)
        return super().get_context_data(**kwargs) | {
            "form": form,
            "body": body,
            "month": first,
            "previous_month": selectors.month_shift(first, -1),
            "next_month": selectors.month_shift(first, 1),
            "is_current_month": first == today.replace(day=1),
            "today": today,
            "days": selectors.month_meetings(user=user, first=first, body=body),
            "all_feed": feed_urls("minutes:calendar_all"),
            "body_feed": _body_feed(body),
        }


class MeetingDetailView(PortalView):
    template_name = "minutes/portal/meeting_detail.html"
    section = "meetings"

    def get_context_data(self, **kwargs):
        user = self.request.user
        meeting = get_object_or_404(selectors.meeting_get_queryset(user=user), pk=kwargs["pk"])
        return super().get_context_data(**kwargs) | {
            "meeting": meeting,
            "agenda": selectors.meeting_agenda(user=user, meeting=meeting),
            "attachments": selectors.meeting_files(user=user, meeting=meeting),
            "documents": _meeting_documents(user=user, meeting=meeting),
        }


def _meeting_documents(*, user, meeting) -> dict:
    """The PDF buttons of the meeting page; None for a variant ``user`` may not view."""
    members, public = gettext("version for the members"), gettext("public version")
    return document_states(
        user=user,
        specs={
            "packet_public": (PACKET, meeting, PUBLIC, public),
            "packet_members": (PACKET, meeting, MEMBERS, members),
            "minutes_public": (MINUTES, meeting, PUBLIC),
        },
    )


class ItemDetailView(PortalView):
    template_name = "minutes/portal/item_detail.html"
    section = "meetings"

    def get_context_data(self, **kwargs):
        user = self.request.user
        item = get_object_or_404(selectors.item_get_queryset(user=user), pk=kwargs["pk"])
        return super().get_context_data(**kwargs) | {
            "item": item,
            "meeting": item.meeting,
            "paper": selectors.paper_if_visible(user=user, paper_id=item.paper_id),
            "minutes": selectors.item_minutes(user=user, item=item),
        }


@method_decorator(login_not_required, name="dispatch")
class PaperListView(ListView):
    template_name = "minutes/portal/paper_list.html"
    context_object_name = "papers"
    paginate_by = PAPERS_PER_PAGE
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        self.form = PaperFilterForm(self.request.GET or None, user=self.request.user)
        return selectors.paper_list(
            user=self.request.user,
            body=self.form.value("body"),
            year=self.form.value("year"),
            kind=self.form.value("kind") or "",
        )

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs) | {
            "portal_section": "papers",
            "form": self.form,
            "filter_query": query.urlencode(),
        }


class PaperDetailView(PortalView):
    template_name = "minutes/portal/paper_detail.html"
    section = "papers"

    def get_context_data(self, **kwargs):
        user = self.request.user
        paper: Paper = get_object_or_404(selectors.paper_get_queryset(user=user), pk=kwargs["pk"])
        return (
            super().get_context_data(**kwargs)
            | {"paper": paper}
            | selectors.paper_detail(user=user, paper=paper)
        )


class TaskStatusView(PortalView):
    """The Beschlusskontrolle: what was decided and how far it got."""

    template_name = "minutes/portal/task_list.html"
    section = "tasks"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = TaskFilterForm(self.request.GET or None, user=user)
        groups = selectors.task_groups(user=user, body=form.value("body"))
        return super().get_context_data(**kwargs) | {
            "form": form,
            "groups": groups,
            "counts": selectors.task_counts(groups),
        }
