"""What the integration concept reads of the committee work: the resolutions that
adopted a version, and the resolutions and follow-up tasks concerning a measure."""

from django.db.models import QuerySet

from ..models import FollowUpTask, Resolution
from .access import resolutions_visible_to, tasks_visible_to
from .tasks import traffic_light


def adopting_resolutions(*, user) -> QuerySet[Resolution]:
    """Resolutions ``user`` may see that can have adopted a concept version, newest first."""
    return (
        resolutions_visible_to(user)
        .filter(kind=Resolution.Kind.ADOPTED)
        .select_related("agenda_item__meeting__body")
        .order_by("-agenda_item__meeting__date", "agenda_item__position")
    )


def resolutions_for_measure(*, user, measure) -> list[Resolution]:
    """The resolutions concerning any copy of ``measure`` (same key across versions)
    that ``user`` may see, newest first."""
    return list(
        resolutions_visible_to(user)
        .filter(measures__key=measure.key)
        .select_related("agenda_item__meeting__body")
        .distinct()
        .order_by("-agenda_item__meeting__date", "agenda_item__position")
    )


def tasks_for_measure(*, user, measure) -> list[FollowUpTask]:
    """The follow-up tasks linked to any copy of ``measure`` that ``user`` may see,
    each with its traffic light (``task.light``)."""
    tasks = list(
        tasks_visible_to(user)
        .filter(measure__key=measure.key)
        .select_related("agenda_item__meeting__body", "owner_person", "owner_organisation")
        .order_by("due_on", "pk")
    )
    for task in tasks:
        task.light = traffic_light(task)
    return tasks
