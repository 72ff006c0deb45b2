"""Headline figures, the response curve and the response rate per group; German formatting.

Groups (circles, kinds of organisation) with fewer than ``MIN_GROUP_ANSWERS``
answers show neither their count of answers nor their rate. The curve reads
the per-day counts only: no response carries a time.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Organisation
from integration.core.numbers import percent_display

from ...models import Invitation, Mail, ResponseDay, Survey

# Groups with fewer answers than this are not shown (and no anonymous results below it).
MIN_GROUP_ANSWERS = 3


# --- Formatting: German numbers (integration.core.numbers) ------------------------------


def alphabetical(text: str) -> tuple[str, str]:
    """A sort key that puts "ärztlich" with the a's, as German readers expect."""
    letters = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in letters if not unicodedata.combining(char)), text


# --- Headline figures ------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyFigures:
    invited: int
    mailed: int  # invitation mail sent
    opened: int
    answered: int
    opted_out: int

    @property
    def rate_display(self) -> str:
        return percent_display(self.answered, self.invited)

    @property
    def headline(self) -> str:
        """ "45 angeschrieben, 7 Rückmeldungen, 15,6 %" """
        # Two msgids rather than ngettext: German and English both have two forms,
        # and the catalogue's tooling fills singular entries only.
        if self.answered == 1:
            text = _("%(invited)s invited, %(answered)s response, %(rate)s")
        else:
            text = _("%(invited)s invited, %(answered)s responses, %(rate)s")
        return text % {
            "invited": self.invited,
            "answered": self.answered,
            "rate": self.rate_display,
        }


def survey_figures(*, survey: Survey) -> SurveyFigures:
    """Invited, mailed, opened, answered and opted out, in one query."""
    sent = Q(mails__kind=Mail.Kind.INVITATION, mails__status=Mail.Status.SENT)
    # distinct: the join with the mails repeats an invitation once per reminder.
    figures = Invitation.objects.filter(survey=survey).aggregate(
        invited=Count("pk", distinct=True),
        mailed=Count("pk", filter=sent, distinct=True),
        opened=Count("pk", filter=Q(opened_at__isnull=False), distinct=True),
        answered=Count("pk", filter=Q(has_responded=True), distinct=True),
        opted_out=Count("pk", filter=Q(opted_out_at__isnull=False), distinct=True),
    )
    return SurveyFigures(**figures)


# --- The response curve ----------------------------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    day: date
    new: int
    total: int  # cumulative


@dataclass(frozen=True)
class ResponseCurve:
    points: tuple[CurvePoint, ...]
    invited: int

    @property
    def total(self) -> int:
        return self.points[-1].total if self.points else 0

    def rows(self):
        """(point, rate) pairs for the table under the chart."""
        return [(point, percent_display(point.total, self.invited)) for point in self.points]


def _curve_range(survey: Survey, days: list[date]) -> tuple[date, date] | None:
    if survey.launched_at:
        start = timezone.localdate(survey.launched_at)
    elif days:
        start = days[0]
    else:
        return None
    if survey.status == Survey.Status.CLOSED:
        end = timezone.localdate(survey.closed_at) if survey.closed_at else survey.closes_on
    else:
        end = min(timezone.localdate(), survey.closes_on)
    # Never cut off a day that has answers, whatever the dates say.
    if days:
        start, end = min(start, days[0]), max(end, days[-1])
    return start, max(start, end)


def response_curve(*, survey: Survey) -> ResponseCurve:
    """Cumulative responses per day from the launch to today (or the closing day).

    Reads the per-day counts only (``ResponseDay``): no response carries a time.
    Two queries.
    """
    per_day = dict(
        ResponseDay.objects.filter(survey=survey).order_by("day").values_list("day", "responses")
    )
    invited = Invitation.objects.filter(survey=survey).count()
    span = _curve_range(survey, sorted(per_day))
    points = []
    if span:
        day, total = span[0], 0
        while day <= span[1]:
            total += per_day.get(day, 0)
            points.append(CurvePoint(day=day, new=per_day.get(day, 0), total=total))
            day += timedelta(days=1)
    return ResponseCurve(points=tuple(points), invited=invited)


# --- Response rate per group -----------------------------------------------------------


@dataclass(frozen=True)
class GroupRate:
    """A group's response rate; ``answered`` is None when the group is too small to show."""

    label: str
    invited: int
    answered: int | None

    @property
    def withheld(self) -> bool:
        return self.answered is None

    @property
    def rate_display(self) -> str:
        return "" if self.answered is None else percent_display(self.answered, self.invited)


def _groups(rows: list[tuple[str, int, int]]) -> list[GroupRate]:
    """``(label, invited, answered)`` rows as groups, small ones withheld.

    When just one group would be withheld, its count would follow from the
    total minus the others; so the next smallest is withheld too. The true
    counts of withheld groups never leave this function.
    """
    small = {
        index
        for index, (_label, _invited, answered) in enumerate(rows)
        if answered < MIN_GROUP_ANSWERS
    }
    if len(small) == 1 and len(rows) > 1:
        shown = [index for index in range(len(rows)) if index not in small]
        small.add(min(shown, key=lambda index: rows[index][2]))
    return [
        GroupRate(label=str(label), invited=invited, answered=None if index in small else answered)
        for index, (label, invited, answered) in enumerate(rows)
    ]


@dataclass(frozen=True)
class ResponseBreakdown:
    circles: tuple[GroupRate, ...]
    kinds: tuple[GroupRate, ...]

    @property
    def any_withheld(self) -> bool:
        return any(group.withheld for group in (*self.circles, *self.kinds))


def response_breakdown(*, survey: Survey) -> ResponseBreakdown:
    """Response rate per circle and per kind of organisation, from the invitations' snapshots.

    A group with fewer than ``MIN_GROUP_ANSWERS`` answers shows its invited
    count only, in anonymous and (for simplicity) named surveys alike; a
    single such group takes the next smallest with it (``_groups``). An
    invitation in several circles counts in each. Three queries.
    """
    counts = {
        "invited": Count("invitation_id"),
        "answered": Count("invitation_id", filter=Q(invitation__has_responded=True)),
    }
    per_circle = (
        Invitation.circles.through.objects.filter(invitation__survey=survey)
        .values("circle_id", "circle__name")
        .annotate(**counts)
        .order_by("circle__name", "circle_id")
    )
    circle_rows = [(row["circle__name"], row["invited"], row["answered"]) for row in per_circle]
    without = Invitation.objects.filter(survey=survey, circles__isnull=True).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(has_responded=True))
    )
    if without["invited"]:
        circle_rows.append((_("in no circle"), without["invited"], without["answered"]))

    per_kind = (
        Invitation.objects.filter(survey=survey)
        .values("organisation_kind")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(has_responded=True)))
        .order_by()
    )
    labels = dict(Organisation.Kind.choices)
    kind_rows = sorted(
        (
            (
                str(labels.get(row["organisation_kind"]) or _("no organisation")),
                row["invited"],
                row["answered"],
            )
            for row in per_kind
        ),
        key=lambda row: alphabetical(row[0]),
    )
    return ResponseBreakdown(circles=tuple(_groups(circle_rows)), kinds=tuple(_groups(kind_rows)))
