"""Read queries of a survey's delivery: live progress, the mail list, the launch check."""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Consent
from actors.selectors import consent_check, people_emailable

from ..models import Invitation, Mail, ReminderRound, Survey

# The failed mails the progress panel lists; the mail list has them all.
FAILED_SHOWN = 20
# People the launch page names among those who will be left out.
LEFT_OUT_SHOWN = 20
STATUSES = [status.value for status in Mail.Status]


def _survey_mails(survey: Survey) -> QuerySet[Mail]:
    return Mail.objects.filter(invitation__survey=survey)


@dataclass(frozen=True)
class StatusCounts:
    """Mails of one kind by status; ``planned`` are invitations without a mail row yet."""

    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    planned: int = 0

    @property
    def waiting(self) -> int:
        """Not sent yet: planned, queued (also waiting for a retry) or being sent."""
        return self.planned + self.queued + self.sending

    @property
    def total(self) -> int:
        return self.waiting + self.sent + self.failed + self.cancelled


@dataclass(frozen=True)
class BarSegment:
    key: str
    label: str
    count: int
    percent: float
    css: str


@dataclass(frozen=True)
class FailedMail:
    mail_id: int
    name: str
    kind: str
    reason: str


@dataclass(frozen=True)
class RoundInfo:
    number: int
    day: int | None
    created_at: datetime
    created_by: str
    mails: int
    sent: int


@dataclass(frozen=True)
class ScheduledReminder:
    day: int
    date: date | None
    done: bool


@dataclass(frozen=True)
class DeliveryProgress:
    """What the delivery panel and its JSON endpoint show about a launched survey."""

    total: int
    invitations: StatusCounts
    reminders: StatusCounts
    failed: list[FailedMail]
    failed_total: int
    rounds: list[RoundInfo]
    schedule: list[ScheduledReminder]
    # Invitations go out on the opening day when that is later than the launch.
    sending_from: datetime | None
    is_running: bool
    can_remind: bool
    segments: list[BarSegment] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Nothing left to send: no mail planned, queued or being sent."""
        return not self.invitations.waiting and not self.reminders.waiting

    @property
    def waiting_for_opening(self) -> bool:
        return (
            self.is_running
            and self.sending_from is not None
            and self.sending_from > timezone.now()
            and not self.invitations.sent
        )

    @property
    def last_round_number(self) -> int:
        return self.rounds[-1].number if self.rounds else 0

    @property
    def text(self) -> str:
        """The state in one German sentence, for the live region."""
        figures = {
            "sent": self.invitations.sent,
            "total": self.total,
            "failed": self.invitations.failed,
            "waiting": self.invitations.waiting,
        }
        if self.finished:
            return (
                _("Sending finished: %(sent)d of %(total)d invitations sent, %(failed)d failed.")
                % figures
            )
        return (
            _(
                "%(sent)d of %(total)d invitations sent, %(failed)d failed, "
                "%(waiting)d still to send."
            )
            % figures
        )

    def as_json(self) -> dict:
        """The progress endpoint's answer: the figures the page's script shows."""
        return {
            "total": self.total,
            "invitations": asdict(self.invitations) | {"waiting": self.invitations.waiting},
            "reminders": asdict(self.reminders) | {"waiting": self.reminders.waiting},
            "segments": [
                {"key": s.key, "count": s.count, "percent": s.percent} for s in self.segments
            ],
            "failed": [asdict(mail) for mail in self.failed],
            "failed_total": self.failed_total,
            "rounds": [
                {"number": r.number, "day": r.day, "mails": r.mails, "sent": r.sent}
                for r in self.rounds
            ],
            "last_round_number": self.last_round_number,
            "finished": self.finished,
            "text": self.text,
        }


def _segments(invitations: StatusCounts, total: int) -> list[BarSegment]:
    parts = [
        ("sent", _("sent"), invitations.sent, "bg-success"),
        ("failed", _("failed"), invitations.failed, "bg-danger"),
        ("cancelled", _("not sent"), invitations.cancelled, "bg-secondary"),
        ("waiting", _("queued"), invitations.waiting, "bg-info"),
    ]
    return [
        BarSegment(key, label, count, round(100 * count / total, 1) if total else 0.0, css)
        for key, label, count, css in parts
    ]


def _schedule(survey: Survey, rounds: list[RoundInfo]) -> list[ScheduledReminder]:
    planned_days = {r.day for r in rounds if r.day is not None}
    start = max(survey.launched_at, survey.opens_at) if survey.launched_at else None
    return [
        ScheduledReminder(
            day=day,
            date=timezone.localdate(start + timedelta(days=day)) if start else None,
            done=day in planned_days,
        )
        for day in survey.reminder_days
    ]


def delivery_progress(*, survey: Survey) -> DeliveryProgress:
    """Invitations and reminders of ``survey`` by status, the failed mails (the first
    ``FAILED_SHOWN``), the reminder rounds and schedule. Four queries, whatever the size."""
    counts = {
        f"{kind}_{status}": Count("pk", filter=Q(kind=kind, status=status))
        for kind in Mail.Kind.values
        for status in STATUSES
    }
    figures = _survey_mails(survey).aggregate(**counts)
    total = survey.invitations.count()

    def by_status(kind: str) -> dict[str, int]:
        return {status: figures[f"{kind}_{status}"] for status in STATUSES}

    invitation_rows = sum(by_status(Mail.Kind.INVITATION).values())
    invitations = StatusCounts(
        **by_status(Mail.Kind.INVITATION), planned=max(total - invitation_rows, 0)
    )
    reminders = StatusCounts(**by_status(Mail.Kind.REMINDER))
    failed = [
        FailedMail(
            mail_id=mail.pk,
            name=mail.invitation.person.full_name,
            kind=mail.get_kind_display(),
            reason=mail.error,
        )
        for mail in _survey_mails(survey)
        .filter(status=Mail.Status.FAILED)
        .select_related("invitation__person")
        .order_by("-failed_at", "-pk")[:FAILED_SHOWN]
    ]
    rounds = [
        RoundInfo(
            number=r.number,
            day=r.day,
            created_at=r.created_at,
            created_by=str(r.created_by) if r.created_by else "",
            mails=r.mail_count,
            sent=r.sent_count,
        )
        for r in ReminderRound.objects.filter(survey=survey)
        .select_related("created_by")
        .annotate(
            mail_count=Count("mails"),
            sent_count=Count("mails", filter=Q(mails__status=Mail.Status.SENT)),
        )
        .order_by("number")
    ]
    is_running = survey.status == Survey.Status.RUNNING
    return DeliveryProgress(
        total=total,
        invitations=invitations,
        reminders=reminders,
        failed=failed,
        failed_total=invitations.failed + reminders.failed,
        rounds=rounds,
        schedule=_schedule(survey, rounds),
        sending_from=max(survey.launched_at, survey.opens_at) if survey.launched_at else None,
        is_running=is_running,
        can_remind=survey.accepts_answers(),
        segments=_segments(invitations, total),
    )


def mail_list(*, survey: Survey, status: str = "") -> QuerySet[Mail]:
    """The mails of ``survey`` by person, optionally of one status, with what a row shows.

    In an anonymous survey reminders are listed only when they failed (to send
    them again): who was reminded when, or whose reminder was no longer needed,
    tells who answered when, which the figures must not tie to a person.
    """
    mails = _survey_mails(survey)
    if survey.is_anonymous:
        mails = mails.exclude(Q(kind=Mail.Kind.REMINDER) & ~Q(status=Mail.Status.FAILED))
    if status:
        mails = mails.filter(status=status)
    return mails.select_related("invitation__person", "reminder_round").order_by(
        "invitation__person__last_name",
        "invitation__person__first_name",
        "invitation_id",
        "kind",
        "reminder_round__number",
        "pk",
    )


@dataclass(frozen=True)
class LaunchCheck:
    """What the launch confirmation page says: who is asked, who would be left out now."""

    recipients: int
    left_out_count: int
    left_out: list[tuple[Invitation, str]]
    questions: int
    problems: list[str]
    sending_from: date
    # (day, date) of each planned reminder, counted from ``sending_from``.
    reminders: list[tuple[int, date]]

    @property
    def opens_later(self) -> bool:
        return self.sending_from > timezone.localdate()

    @property
    def sent_to(self) -> int:
        return self.recipients - self.left_out_count

    @property
    def can_launch(self) -> bool:
        return not self.problems


def launch_check(*, survey: Survey) -> LaunchCheck:
    """The launch page's figures in four queries: recipients, and those whose consent
    for surveys is gone since they were chosen (with the German reason; they get no mail)."""
    emailable = people_emailable(purpose=Consent.Purpose.SURVEYS).filter(pk=OuterRef("person_id"))
    counts = survey.invitations.aggregate(
        recipients=Count("pk"), left_out=Count("pk", filter=~Exists(emailable))
    )
    left_out = [
        (
            invitation,
            consent_check(person=invitation.person, purpose=Consent.Purpose.SURVEYS).reason,
        )
        for invitation in survey.invitations.exclude(Exists(emailable))
        .select_related("person")
        .prefetch_related("person__consents")
        .order_by("person__last_name", "person__first_name", "pk")[:LEFT_OUT_SHOWN]
    ]
    questions = survey.questions.count()
    problems = []
    if survey.status != Survey.Status.DRAFT:
        problems.append(_("The survey has already been launched."))
    if not questions:
        problems.append(_("Add at least one question before launching the survey."))
    if not counts["recipients"]:
        problems.append(_("Choose at least one recipient before launching the survey."))
    if survey.closes_on < timezone.localdate():
        problems.append(_("The closing date has passed; set a later one before launching."))
    sending_from = max(timezone.localdate(), survey.opens_on)
    return LaunchCheck(
        recipients=counts["recipients"],
        left_out_count=counts["left_out"],
        left_out=left_out,
        questions=questions,
        problems=problems,
        sending_from=sending_from,
        reminders=[(day, sending_from + timedelta(days=day)) for day in survey.reminder_days],
    )
