"""Read queries of the coordinator's survey screens: list, hub page, recipients."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from actors.models import Affiliation, Circle, CircleMembership, Consent, Person
from actors.selectors import current_q, people_emailable
from integration.core.models import User

from ..models import Invitation, Question, Survey


def surveys_visible_to(*, user: User) -> QuerySet[Survey]:
    """Surveys ``user`` may see: all of them with the view permission, none without."""
    if not user.has_perm("surveys.view_survey"):
        return Survey.objects.none()
    return Survey.objects.all()


def _count(queryset: QuerySet) -> Coalesce:
    # A subquery per figure: joining questions and invitations at once would
    # multiply the rows (questions × invitations) before counting.
    counted = queryset.filter(survey=OuterRef("pk")).order_by().values("survey")
    counted = counted.annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def survey_list(*, user: User, status: str = "") -> QuerySet[Survey]:
    """Surveys with their numbers of questions, invitations and answers and the response
    rate in percent (``None`` without invitations), in one query; ``status`` narrows."""
    surveys = surveys_visible_to(user=user)
    if status:
        surveys = surveys.filter(status=status)
    surveys = surveys.annotate(
        question_count=_count(Question.objects.all()),
        invitation_count=_count(Invitation.objects.all()),
        responded_count=_count(Invitation.objects.filter(has_responded=True)),
    )
    return surveys.annotate(
        response_rate=ExpressionWrapper(
            Value(100.0) * F("responded_count") / NullIf("invitation_count", 0),
            output_field=FloatField(),
        )
    ).order_by("-opens_on", "-pk")


def survey_questions(*, survey: Survey) -> list[Question]:
    """The questions of ``survey`` in their order."""
    return list(survey.questions.order_by("position", "pk"))


def survey_launch_missing(*, survey: Survey, questions: int, invitations: int) -> list[str]:
    """What keeps a draft from being launched, in German; empty when it is ready."""
    if survey.status != Survey.Status.DRAFT:
        return []
    missing = []
    if not questions:
        missing.append(_("The survey has no questions yet."))
    if not invitations:
        missing.append(_("No recipients have been chosen yet."))
    return missing


def survey_overview(*, survey: Survey) -> dict:
    """What the survey's hub page shows besides the survey: questions in order, the
    numbers of recipients and answers, and what is missing for the launch. Two queries."""
    questions = survey_questions(survey=survey)
    counts = survey.invitations.aggregate(
        invitations=Count("pk"), responded=Count("pk", filter=Q(has_responded=True))
    )
    return {
        "questions": questions,
        "invitation_count": counts["invitations"],
        "responded_count": counts["responded"],
        "launch_missing": survey_launch_missing(
            survey=survey, questions=len(questions), invitations=counts["invitations"]
        ),
    }


# The recipient page


def _current_affiliations(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}affiliations",
        queryset=Affiliation.objects.select_related("organisation").filter(current_q()),
        to_attr="current_affiliations",
    )


def with_current_organisations(people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` with ``person.current_affiliations`` (organisation loaded) for a list row."""
    return people.prefetch_related(_current_affiliations())


def invitation_list(*, survey: Survey) -> QuerySet[Invitation]:
    """The invitations of ``survey`` by surname, with the person, their current
    organisations (``person.current_affiliations``) and the circles snapshot loaded."""
    return (
        survey.invitations.select_related("person")
        .prefetch_related("circles", _current_affiliations("person__"))
        .order_by("person__last_name", "person__first_name", "pk")
    )


@dataclass(frozen=True)
class CircleChoice:
    """A circle offered as a whole, with its current people: how many there are, how
    many may be asked (a basis for surveys, an address) and how many are invited."""

    circle: Circle
    members: int
    askable: int
    invited: int

    @property
    def not_askable(self) -> int:
        return self.members - self.askable


def recipient_circles(*, survey: Survey) -> list[CircleChoice]:
    """The active circles with their current people counted as ``CircleChoice``, in four
    queries, whatever the number of circles and members."""
    circles = list(Circle.objects.filter(is_archived=False).order_by("name"))
    memberships = CircleMembership.objects.filter(
        current_q(),
        circle__in=circles,
        person__isnull=False,
        person__merged_into__isnull=True,
    )
    members: dict[int, set[int]] = defaultdict(set)
    for circle_id, person_id in memberships.values_list("circle_id", "person_id"):
        members[circle_id].add(person_id)
    people = Person.objects.filter(pk__in=memberships.values("person_id"))
    askable = set(
        people_emailable(purpose=Consent.Purpose.SURVEYS, queryset=people).values_list(
            "pk", flat=True
        )
    )
    invited = set(
        survey.invitations.filter(person__in=people.values("pk")).values_list(
            "person_id", flat=True
        )
    )
    return [
        CircleChoice(
            circle=circle,
            members=len(members[circle.pk]),
            askable=len(members[circle.pk] & askable),
            invited=len(members[circle.pk] & invited),
        )
        for circle in circles
    ]


def left_out_people(*, entries: list[tuple[int, str]]) -> list[tuple[Person, str]]:
    """``(person id, reason)`` pairs (as kept in the session) with the people loaded,
    in one query; people that no longer exist are skipped."""
    people = Person.objects.in_bulk([person_id for person_id, _reason in entries])
    return [(people[person_id], reason) for person_id, reason in entries if person_id in people]


def questions_for_measure(*, measure) -> list[Question]:
    """Questions of launched surveys asking about any copy of ``measure`` (same key
    across concept versions), newest survey first; for the measure's page."""
    return list(
        Question.objects.filter(measures__key=measure.key)
        .exclude(survey__status=Survey.Status.DRAFT)
        .select_related("survey")
        .distinct()
        .order_by("-survey__opens_on", "survey_id", "position")
    )
