"""The surveys' part of a person's data export (Art. 15 DSGVO).

Per invitation: the survey, when the person was asked, mailed and opened the
link, whether they answered or opted out, and the mails with their outcome.
Answers are exported for named surveys only: in an anonymous survey no
response is linked to an invitation, which is the point of it.
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from integration.core.models import FieldOfAction

from ..surveys.models import Answer, Invitation, Mail, Question

# The separator of several choices in one answer.
JOIN = ", "


def _day(value: datetime | None) -> str | None:
    return None if value is None else timezone.localdate(value).isoformat()


def _number(value: Decimal) -> str:
    # normalize() alone would write 100 as "1E+2".
    value = int(value) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value)


def _answer_text(answer: Answer, field_names: dict[str, str]) -> str:
    """The answer as the person would read it: "Ja", "3", "Sprache, Sonstiges: Sport"."""
    kind = answer.question.kind
    if kind in Question.CHOICE_KINDS:
        parts = [str(choice) for choice in answer.choices or []]
        if answer.other_text.strip():
            parts.append(_("Other: %(text)s") % {"text": answer.other_text.strip()})
        return JOIN.join(parts)
    if kind == Question.Kind.FIELDS_OF_ACTION:
        # A field of action deleted since the answer was given still shows its number.
        return JOIN.join(field_names.get(str(pk), str(pk)) for pk in answer.choices or [])
    if kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
        return "" if answer.number is None else _number(answer.number)
    if kind == Question.Kind.YES_NO:
        return "" if answer.boolean is None else (_("Yes") if answer.boolean else _("No"))
    return answer.text


def _answers(answers: list[Answer], field_names: dict[str, str]) -> dict[str, str]:
    """Question text → answer, in the survey's order of questions."""
    exported: dict[str, str] = {}
    for answer in answers:
        key, number = answer.question.text, 1
        # Two questions may read the same; neither answer may be lost.
        while key in exported:
            number += 1
            key = f"{answer.question.text} ({number})"
        exported[key] = _answer_text(answer, field_names)
    return exported


def _moment(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def _mail(mail: Mail) -> dict:
    """One invitation or reminder mail: kind, outcome and the server's reason."""
    values = {
        "kind": mail.get_kind_display(),
        "status": mail.get_status_display(),
        "attempts": mail.attempts,
        "sent_at": _moment(mail.sent_at),
        "failed_at": _moment(mail.failed_at),
        "error": mail.error,
    }
    return {
        capfirst(str(Mail._meta.get_field(name).verbose_name)): value
        for name, value in values.items()
    }


def surveys_export(*, person_ids: list[int]) -> list[dict]:
    """The invitations of the given people (a person and their merged duplicates).

    German keys and values, dates in ISO 8601. At most four queries, however
    many invitations: invitations with survey and response, their mails, the
    answers with their questions, and the names of fields of action chosen.
    """
    answers = Answer.objects.select_related("question").order_by(
        "question__position", "question__pk"
    )
    invitations = list(
        Invitation.objects.filter(person__in=person_ids)
        .select_related("survey", "response")
        .prefetch_related(
            Prefetch("mails", queryset=Mail.objects.order_by("created_at", "pk")),
            Prefetch("response__answers", queryset=answers),
        )
        .order_by("created_at", "pk")
    )
    responses = {
        invitation.pk: invitation.response
        for invitation in invitations
        if not invitation.survey.is_anonymous and hasattr(invitation, "response")
    }
    chosen = {
        pk
        for response in responses.values()
        for answer in response.answers.all()
        if answer.question.kind == Question.Kind.FIELDS_OF_ACTION
        for pk in answer.choices or []
    }
    field_names = (
        {
            str(pk): name
            for pk, name in FieldOfAction.objects.filter(pk__in=chosen).values_list("pk", "name")
        }
        if chosen
        else {}
    )
    exported = []
    for invitation in invitations:
        mails = list(invitation.mails.all())
        sent = [mail.sent_at for mail in mails if mail.kind == Mail.Kind.INVITATION]
        if invitation.survey.is_anonymous:
            answered = _(
                "In an anonymous survey the answers are not linked to the person "
                "and therefore cannot be exported."
            )
        else:
            response = responses.get(invitation.pk)
            answered = _answers(list(response.answers.all()) if response else [], field_names)
        exported.append(
            {
                _("Survey"): invitation.survey.title,
                _("Invited on"): _day(invitation.created_at),
                _("Invitation mail sent on"): _day(sent[0] if sent else None),
                _("First opened on"): _day(invitation.opened_at),
                _("Answered"): invitation.has_responded,
                _("Opted out on"): _day(invitation.opted_out_at),
                _("Answers"): answered,
                capfirst(str(Mail._meta.verbose_name_plural)): [_mail(mail) for mail in mails],
            }
        )
    return exported
