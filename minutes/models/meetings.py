"""Meetings, attendance, agenda items and the resolutions taken on them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actors.models import Person
from integration.core.models import TimeStampedModel
from measures.models import Measure

from .bodies import Body, Location
from .papers import Paper


class Meeting(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        INVITED = "invited", _("Invitations sent")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class MinutesStatus(models.TextChoices):
        NONE = "none", _("Not yet written")
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="meetings"
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("e.g. “12. Sitzung”; optional.")
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"), null=True, blank=True)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    minutes_status = models.CharField(
        _("minutes"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    # The later meeting at which these minutes were approved.
    minutes_approved_in = models.ForeignKey(
        "self",
        verbose_name=_("minutes approved in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_minutes",
    )
    minutes_published_at = models.DateTimeField(_("minutes published at"), null=True, blank=True)
    # Free-text guests ("Herr Meyer, Caritas"); network people attend via Attendance.
    guests = models.TextField(_("guests"), blank=True)
    # Set by services.packets.packet_publish: from then on the members see the
    # meeting packet (Sitzungsmappe) and are mailed when it is ready.
    packet_published_at = models.DateTimeField(
        _("meeting packet published at"), null=True, blank=True, editable=False
    )
    # The content (document fingerprint) of the members' packet the members were
    # last mailed about, set with the mails (PacketMail rows) in one transaction.
    packet_mailed_fingerprint = models.CharField(
        _("meeting packet mailed for content"), max_length=64, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-start_time"]
        indexes = [models.Index(fields=["body", "date"], name="minutes_meeting_body_date")]
        # Staff roles see the meetings of every body, committee members only those
        # of public bodies and their own (minutes.selectors.access).
        permissions = [("view_all_meetings", _("Can see the meetings of every body"))]

    def __str__(self) -> str:
        return f"{self.body} · {self.date:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("minutes:meeting_detail", args=[self.pk])


class Attendance(TimeStampedModel):
    """Who was at a meeting: members present or excused, and people invited as guests."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent without excuse")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(
        _("attendance"), max_length=10, choices=Status.choices, default=Status.PRESENT
    )
    is_guest = models.BooleanField(_("guest"), default=False)
    has_vote = models.BooleanField(
        _("voting"), default=True, help_text=_("Counts for the votes of this meeting.")
    )
    function = models.CharField(
        _("function"),
        max_length=200,
        blank=True,
        help_text=_("e.g. “Verwaltung”, “Vertretung für …”"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["meeting", "is_guest", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="minutes_attendance_once",
                violation_error_message=_("This person is already listed for the meeting."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.meeting_id}"


class AgendaItem(TimeStampedModel):
    """A TOP. ``position`` orders the agenda; ``number`` is the printed number
    within its part (Ö 5, N 2), renumbered by the service when items move, so the
    printed number is kept apart from the position."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    is_public = models.BooleanField(_("public"), default=True)
    title = models.CharField(_("title"), max_length=300)
    paper = models.ForeignKey(
        Paper,
        verbose_name=_("paper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    minutes_text = models.TextField(_("minutes (Wortprotokoll)"), blank=True)
    speakers = models.ManyToManyField(
        Person, verbose_name=_("speakers"), blank=True, related_name="speeches"
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            # Moving items rewrites positions in two steps (see services.agenda).
            models.UniqueConstraint(
                fields=["meeting", "position"], name="minutes_item_position_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.printed_number} {self.title}"

    def get_absolute_url(self) -> str:
        return f"{self.meeting.get_absolute_url()}#top-{self.pk}"

    @property
    def printed_number(self) -> str:
        """ "Ö 5" or "N 2"."""
        return f"{'Ö' if self.is_public else 'N'} {self.number}"


class Resolution(TimeStampedModel):
    """What the body resolved on an agenda item, and how it voted."""

    class Kind(models.TextChoices):
        ADOPTED = "adopted", _("Adopted (beschlossen)")
        REJECTED = "rejected", _("Rejected (abgelehnt)")
        NOTED = "noted", _("Noted (zur Kenntnis genommen)")
        POSTPONED = "postponed", _("Postponed (vertagt)")
        REFERRED = "referred", _("Referred (verwiesen)")

    class Vote(models.TextChoices):
        NONE = "none", _("No vote")
        UNANIMOUS = "unanimous", _("Unanimous")
        COUNTED = "counted", _("Counted")

    agenda_item = models.OneToOneField(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="resolution",
    )
    kind = models.CharField(_("kind of resolution"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text of the resolution"), blank=True)
    referred_to = models.ForeignKey(
        Body,
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    vote = models.CharField(_("vote"), max_length=10, choices=Vote.choices, default=Vote.NONE)
    yes = models.PositiveSmallIntegerField(_("yes"), null=True, blank=True)
    no = models.PositiveSmallIntegerField(_("no"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    biased = models.PositiveSmallIntegerField(
        _("excluded for bias (befangen)"), null=True, blank=True
    )
    measures = models.ManyToManyField(
        Measure, verbose_name=_("measures concerned"), blank=True, related_name="resolutions"
    )

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="referred") | Q(referred_to__isnull=False),
                name="minutes_referral_has_body",
                violation_error_message=_("Please choose the body it is referred to."),
            ),
            models.CheckConstraint(
                condition=~Q(vote="counted")
                | Q(yes__isnull=False, no__isnull=False, abstentions__isnull=False),
                name="minutes_counted_vote_has_counts",
                violation_error_message=_("Please enter the yes, no and abstention counts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item}: {self.get_kind_display()}"

    @property
    def citation(self) -> str:
        """Where it was resolved: "Rat, 12.03.2026, TOP Ö 4" (needs the meeting loaded)."""
        item = self.agenda_item
        return f"{item.meeting.body}, {item.meeting.date:%d.%m.%Y}, TOP {item.printed_number}"


class FollowUpTask(TimeStampedModel):
    """A task of the Beschlusskontrolle: who does what by when, after a resolution
    or an agenda item, until it is done.

    The owner is a person or an organisation of the network (exactly one). When
    done, it may move the linked measure's status (``measure_status``).
    ``reminded_before_for`` / ``reminded_after_for`` record the due date the
    reminders were sent for, so the beat sends each once per due date.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("task", "In progress")
        DONE = "done", pgettext_lazy("task", "Done")
        CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")

    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="tasks"
    )
    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("resolution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    title = models.CharField(_("task"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner_person = models.ForeignKey(
        Person,
        verbose_name=_("owner (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_tasks",
    )
    owner_organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("owner (organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_tasks",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followup_tasks",
    )
    measure_status = models.CharField(
        _("set the measure's status when done"),
        max_length=12,
        choices=Measure.Status.choices,
        blank=True,
    )
    reminded_before_for = models.DateField(null=True, blank=True, editable=False)
    reminded_after_for = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_person__isnull=False, owner_organisation__isnull=True)
                | Q(owner_person__isnull=True, owner_organisation__isnull=False),
                name="minutes_task_has_one_owner",
                violation_error_message=_("Please choose a person or an organisation as owner."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="minutes_task_status_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("minutes:task_update", args=[self.pk])

    @property
    def owner(self):
        return self.owner_person or self.owner_organisation
