"""Beschlusskontrolle: the open and overdue follow-up tasks per body, each with its
traffic light as symbol and word (never colour alone).

What a reader finds follows the access rules: tasks of the agenda items they may
see (``tasks_visible_to``); for an anonymous reader, as on the public portal,
only tasks of items whose minutes are published (``minutes_items_visible_to``),
and owners that are people are not named, only organisations.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation
from django.utils.translation import gettext

from integration.documents.rendering import PDF_LANGUAGE, letterhead, pdf_render

from ..models import Body
from ..selectors.access import bodies_visible_to, minutes_items_visible_to, tasks_visible_to
from ..selectors.tasks import ACTIVE, reminder_days, tasks_by_body, tasks_list
from .common import DocumentUnavailableError


def task_control_context(body: Body | None, *, user) -> dict:
    user = user or AnonymousUser()
    today = timezone.localdate()
    if body is not None and not bodies_visible_to(user).filter(pk=body.pk).exists():
        raise DocumentUnavailableError(f"Body {body.pk} is not visible")
    tasks = tasks_visible_to(user).filter(status__in=ACTIVE)
    if not user.is_authenticated:
        tasks = tasks.filter(agenda_item__in=minutes_items_visible_to(user))
    if body is not None:
        tasks = tasks.filter(agenda_item__meeting__body=body)
    groups = tasks_by_body(tasks_list(user=user, queryset=tasks), user=user, today=today)
    title = gettext("Follow-up tasks (Beschlusskontrolle)")
    if body is not None:
        title = f"{title} {body.name}"
    return {
        "letterhead": letterhead(),
        "document_title": title,
        "body": body,
        "groups": groups,
        "today": today,
        "days": reminder_days(),
        "show_people": user.is_authenticated,
        "total": sum(group.count for group in groups),
        "overdue": sum(group.overdue for group in groups),
        "due_soon": sum(group.due_soon for group in groups),
        "header": title,
        "footer": letterhead()["name"],
    }


def task_control_pdf(body_or_none: Body | None, *, user_or_anonymous) -> bytes:
    """The Beschlusskontrolle of ``body_or_none`` (every visible body when None) as
    ``user_or_anonymous`` may see it, as a tagged PDF. Raises
    ``DocumentUnavailableError`` for a body the reader may not see."""
    with translation.override(PDF_LANGUAGE):
        context = task_control_context(body_or_none, user=user_or_anonymous)
        return pdf_render(template="minutes/documents/task_control.html", context=context)
