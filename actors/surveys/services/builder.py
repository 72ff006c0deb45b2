"""Building a survey before it is sent: settings, questions, copies and recipients.

Questions and recipients change only while the survey is a draft; every such
change locks the survey row first, so that a launch running at the same time
either sees the change completely or refuses it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Affiliation, Circle, CircleMembership, Consent, Person
from actors.selectors import consent_check, current_q, people_emailable
from integration.core.models import User
from integration.core.services import fields_apply
from measures.models import Measure
from measures.selectors.updates import current_measures

from .. import tokens
from ..models import Invitation, Question, Survey

SURVEY_FIELDS = {
    "title",
    "introduction",
    "closing_text",
    "opens_on",
    "closes_on",
    "is_anonymous",
    "contact_name",
    "contact_email",
    "reminder_days",
    "max_reminders",
}
# What may still change once the invitations are out: never whether the
# survey is anonymous (the recipients were told) nor when it opened.
SURVEY_FIELDS_AFTER_LAUNCH = {
    "title",
    "introduction",
    "closing_text",
    "closes_on",
    "contact_name",
    "contact_email",
    "reminder_days",
    "max_reminders",
}
QUESTION_FIELDS = {
    "kind",
    "text",
    "help_text",
    "is_required",
    "options",
    "allows_other",
    "scale_low_label",
    "scale_high_label",
    "number_min",
    "number_max",
}


def _survey_locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _draft_locked(survey: Survey, message: str) -> Survey:
    """The survey's row, locked, if it is still a draft; otherwise ``message`` as error."""
    locked = _survey_locked(survey)
    if locked.status != Survey.Status.DRAFT:
        raise ValidationError(message)
    return locked


def _closes_on_check(closes_on: date) -> None:
    if closes_on < timezone.localdate():
        raise ValidationError(
            {"closes_on": _("The closing date must not lie in the past.")}, code="past"
        )


# Surveys


@transaction.atomic
def survey_create(*, by: User, **data) -> Survey:
    """A new draft survey; the contact defaults to the creating user."""
    survey = Survey(created_by=by, status=Survey.Status.DRAFT)
    fields_apply(survey, SURVEY_FIELDS, data)
    if not survey.contact_name:
        survey.contact_name = by.get_full_name() or by.username
    if not survey.contact_email:
        survey.contact_email = by.email
    if survey.closes_on is not None:
        _closes_on_check(survey.closes_on)
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_update(*, by: User, survey: Survey, **changes) -> Survey:
    """Change the settings of a survey.

    A draft changes freely; a running survey only its texts, contact, closing
    date (not into the past) and reminders; a closed one not at all. Values
    equal to the stored ones count as no change, so a form may send them all.
    """
    unknown = set(changes) - SURVEY_FIELDS
    if unknown:
        raise TypeError(f"Cannot set {sorted(unknown)} on Survey")
    survey = _survey_locked(survey)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("A closed survey can no longer be changed."))
    changed = {name for name, value in changes.items() if getattr(survey, name) != value}
    if survey.status == Survey.Status.RUNNING:
        frozen = changed & (set(changes) - SURVEY_FIELDS_AFTER_LAUNCH)
        if frozen:
            labels = sorted(str(Survey._meta.get_field(name).verbose_name) for name in frozen)
            raise ValidationError(
                _("After the launch, these settings can no longer be changed: %(fields)s.")
                % {"fields": ", ".join(labels)}
            )
    fields_apply(survey, SURVEY_FIELDS, changes)
    if "closes_on" in changed:
        _closes_on_check(survey.closes_on)
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_delete(*, by: User, survey: Survey) -> None:
    """Delete a draft with its questions and recipients; sent surveys stay as a record."""
    survey = _draft_locked(
        survey, _("Only drafts can be deleted; close the survey or keep it as a record.")
    )
    survey.delete()


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def survey_copy(*, by: User, survey: Survey) -> Survey:
    """A new draft with the settings and questions of ``survey``, a year later.

    For running the same survey again next year: recipients and answers are
    not copied, the original stays as it is (of any status).
    """
    pattern = _("%(title)s (copy)")
    room = Survey._meta.get_field("title").max_length - len(pattern % {"title": ""})
    copy = Survey(
        title=pattern % {"title": survey.title[:room]},
        introduction=survey.introduction,
        closing_text=survey.closing_text,
        opens_on=_next_year(survey.opens_on),
        closes_on=_next_year(survey.closes_on),
        is_anonymous=survey.is_anonymous,
        contact_name=survey.contact_name,
        contact_email=survey.contact_email,
        reminder_days=list(survey.reminder_days),
        max_reminders=survey.max_reminders,
        status=Survey.Status.DRAFT,
        created_by=by,
        copied_from=survey,
    )
    copy.full_clean()
    copy.save()
    questions = [
        Question(
            survey=copy,
            position=number,
            **{name: getattr(question, name) for name in QUESTION_FIELDS},
        )
        for number, question in enumerate(survey.questions.order_by("position", "pk"), start=1)
    ]
    Question.objects.bulk_create(questions)
    # A year later the concept may have a new version: the links go to the copies
    # of the measures there, if they still exist.
    originals = survey.questions.order_by("position", "pk").prefetch_related("measures")
    for original, question in zip(originals, questions, strict=True):
        keys = [measure.key for measure in original.measures.all()]
        if keys:
            question.measures.set(current_measures().filter(key__in=keys))
    return copy


# Questions


def _questions_frozen() -> str:
    return _("The questions can only be changed before the launch.")


def _question_fit_kind(question: Question) -> None:
    """Drop what does not belong to the question's kind (e.g. after the kind changed)."""
    if question.kind not in Question.CHOICE_KINDS:
        question.options = []
        question.allows_other = False
    else:
        question.options = [str(option).strip() for option in question.options or []]
    if question.kind != Question.Kind.SCALE:
        question.scale_low_label = question.scale_high_label = ""
    if question.kind != Question.Kind.NUMBER:
        question.number_min = question.number_max = None


def _positions_renumber(survey: Survey) -> None:
    """Positions 1..n in the current order, without gaps."""
    questions = list(survey.questions.order_by("position", "pk"))
    _positions_store(questions)


def _positions_store(questions: list[Question]) -> None:
    changed = []
    for number, question in enumerate(questions, start=1):
        if question.position != number:
            question.position = number
            changed.append(question)
    Question.objects.bulk_update(changed, ["position"])


def _question_measures_set(question: Question, measures: Iterable[Measure] | None) -> None:
    """Link the measures the question asks about: new links only to measures of the
    current concept versions; links made earlier stay possible."""
    if measures is None:
        return
    measures = list(measures)
    kept = set(question.measures.values_list("pk", flat=True)) if question.pk else set()
    current = set(current_measures().values_list("pk", flat=True))
    if any(measure.pk not in current | kept for measure in measures):
        raise ValidationError(
            {"measures": _("Only measures of the current integration concept can be linked.")}
        )
    question.measures.set(measures)


@transaction.atomic
def question_create(*, by: User, survey: Survey, measures=None, **data) -> Question:
    """Add a question at the end of a draft survey."""
    survey = _draft_locked(survey, _questions_frozen())
    last = survey.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question(survey=survey, position=last + 1)
    fields_apply(question, QUESTION_FIELDS, data)
    _question_fit_kind(question)
    question.full_clean()
    question.save()
    _question_measures_set(question, measures)
    return question


@transaction.atomic
def question_update(*, by: User, question: Question, measures=None, **changes) -> Question:
    """Change a question of a draft survey; changing its kind drops what no longer fits."""
    _draft_locked(question.survey, _questions_frozen())
    question = Question.objects.get(pk=question.pk)
    fields_apply(question, QUESTION_FIELDS, changes)
    _question_fit_kind(question)
    question.full_clean()
    question.save()
    _question_measures_set(question, measures)
    return question


@transaction.atomic
def question_delete(*, by: User, question: Question) -> None:
    """Delete a question of a draft survey; the others close the gap."""
    survey = _draft_locked(question.survey, _questions_frozen())
    Question.objects.filter(pk=question.pk).delete()
    _positions_renumber(survey)


@transaction.atomic
def question_move(*, by: User, question: Question, direction: str) -> Question:
    """Swap a question with its neighbour above (``"up"``) or below (``"down"``).

    The first question cannot move up nor the last down: that is no change.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"unknown direction {direction!r}")
    survey = _draft_locked(question.survey, _questions_frozen())
    questions = list(survey.questions.order_by("position", "pk"))
    index = next(i for i, item in enumerate(questions) if item.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    moved = questions[index]
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
    _positions_store(questions)
    return moved


# Recipients


@dataclass
class RecipientsSummary:
    """What ``recipients_add`` did: new invitations, people already asked, and who was
    left out with the German reason (by surname)."""

    added: int = 0
    already: int = 0
    left_out: list[tuple[Person, str]] = field(default_factory=list)


def _candidates(
    people: Iterable[Person] | QuerySet[Person] | None, circles: Iterable[Circle] | None
) -> QuerySet[Person]:
    """The people chosen directly and the current members of the chosen circles, as a query."""
    chosen = Q(pk__in=[])
    if people is not None:
        if isinstance(people, QuerySet):
            # A subquery: "all 5,000 matches" do not travel as 5,000 parameters.
            chosen |= Q(pk__in=people.order_by().values("pk"))
        else:
            chosen |= Q(pk__in=[person.pk for person in people])
    if circles is not None:
        # Merged duplicates are no members of their own (as in the circle's list).
        members = CircleMembership.objects.filter(
            current_q(),
            circle__in=[circle.pk for circle in circles],
            person__isnull=False,
            person__merged_into__isnull=True,
        ).values("person_id")
        chosen |= Q(pk__in=members)
    return Person.objects.filter(chosen)


def _snapshots(person_ids: list[int]) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Each person's current circles (all of them) and the kind of their first current
    organisation, in two queries."""
    circles: dict[int, list[int]] = defaultdict(list)
    memberships = CircleMembership.objects.filter(current_q(), person__in=person_ids)
    pairs = memberships.order_by().values_list("person_id", "circle_id").distinct()
    for person_id, circle_id in pairs:
        circles[person_id].append(circle_id)
    kinds: dict[int, str] = {}
    affiliations = (
        Affiliation.objects.filter(current_q(), person__in=person_ids)
        # The order of the person's organisations everywhere else (``person_label``).
        .order_by("person_id", "organisation__name", "pk")
        .values_list("person_id", "organisation__kind")
    )
    for person_id, kind in affiliations:
        kinds.setdefault(person_id, kind)
    return circles, kinds


def _invitation_new(survey: Survey, person_id: int, organisation_kind: str) -> Invitation:
    invitation = Invitation(
        survey=survey,
        person_id=person_id,
        nonce=tokens.nonce_new(),
        organisation_kind=organisation_kind,
    )
    # Only the hash is stored; the token is derived again when the mail is sent.
    token = tokens.token_derive(uuid=invitation.uuid, nonce=invitation.nonce)
    invitation.token_hash = tokens.token_hash(token)
    return invitation


@transaction.atomic
def recipients_add(
    *,
    by: User,
    survey: Survey,
    people: Iterable[Person] | QuerySet[Person] | None = None,
    circles: Iterable[Circle] | None = None,
) -> RecipientsSummary:
    """Invite ``people`` and the current members of ``circles`` to a draft survey.

    Only people that ``consent_check`` allows for surveys are invited; the
    others come back in ``left_out`` with the reason. People invited before
    are counted, not invited twice. The number of queries does not depend on
    the number of people (the invitations and their circles are bulk inserts).
    """
    survey = _draft_locked(survey, _("Recipients can only be changed before the launch."))
    # The chosen ids are read once; the later queries take them as a list rather
    # than repeating the (filter or circle) subquery each time.
    candidate_ids = set(_candidates(people, circles).values_list("pk", flat=True))
    # Under the survey's lock nobody else adds recipients, so this set stays true.
    already = set(
        survey.invitations.filter(person__in=list(candidate_ids)).values_list(
            "person_id", flat=True
        )
    )
    fresh = Person.objects.filter(pk__in=list(candidate_ids - already))
    allowed = set(
        people_emailable(purpose=Consent.Purpose.SURVEYS, queryset=fresh).values_list(
            "pk", flat=True
        )
    )
    left_out_people = (
        Person.objects.filter(pk__in=list(candidate_ids - already - allowed))
        .prefetch_related("consents")
        .order_by("last_name", "first_name", "pk")
    )
    summary = RecipientsSummary(
        already=len(already),
        left_out=[
            (person, consent_check(person=person, purpose=Consent.Purpose.SURVEYS).reason)
            for person in left_out_people
        ],
    )
    if not allowed:
        return summary
    new_ids = sorted(allowed)
    circles_of, kind_of = _snapshots(new_ids)
    invitations = [
        _invitation_new(survey, person_id, kind_of.get(person_id, "")) for person_id in new_ids
    ]
    Invitation.objects.bulk_create(invitations)
    through = Invitation.circles.through
    through.objects.bulk_create(
        through(invitation_id=invitation.pk, circle_id=circle_id)
        for invitation in invitations
        for circle_id in circles_of.get(invitation.person_id, [])
    )
    summary.added = len(invitations)
    return summary


@transaction.atomic
def invitation_remove(*, by: User, invitation: Invitation) -> None:
    """Take a person off a draft survey's recipients."""
    _draft_locked(invitation.survey, _("Recipients can only be changed before the launch."))
    Invitation.objects.filter(pk=invitation.pk).delete()
