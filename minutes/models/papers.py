"""Papers (Vorlagen), the order of bodies that consult them, and files.

A paper's reference is "<year>/<serial>" with a zero-padded serial, and a
supplement ("Ergänzung") of it gets "-<n>": 2020/031, 2020/031-1. Both
numbers are assigned by ``minutes.services.papers`` under a lock, never typed.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actors.models import Organisation, Person
from integration.core.models import TimeStampedModel

from .bodies import Body


class Paper(TimeStampedModel):
    class Kind(models.TextChoices):
        RESOLUTION_PROPOSAL = "resolution_proposal", _("Resolution proposal (Beschlussvorlage)")
        INFORMATION = "information", _("Information paper (Mitteilungsvorlage)")
        MOTION = "motion", _("Motion (Antrag)")
        INQUIRY = "inquiry", _("Inquiry (Anfrage)")

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    serial = models.PositiveIntegerField(_("serial number"), editable=False)
    supplement = models.PositiveSmallIntegerField(
        _("supplement"), default=0, editable=False, help_text=_("0 for the paper itself.")
    )
    # The paper a supplement belongs to (2020/031 for 2020/031-1).
    main_paper = models.ForeignKey(
        "self",
        verbose_name=_("supplement to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="supplements",
    )
    related_papers = models.ManyToManyField(
        "self",
        verbose_name=_("related papers (Bezüglich)"),
        symmetrical=False,
        blank=True,
        related_name="referenced_by",
    )
    kind = models.CharField(_("kind of paper"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True, help_text=_("Sachverhalt / Begründung"))
    proposal = models.TextField(
        _("proposed resolution"), blank=True, help_text=_("Beschlussvorschlag")
    )
    date = models.DateField(_("date"))
    lead_department = models.ForeignKey(
        Organisation,
        verbose_name=_("lead department (federführend)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="papers",
    )
    author = models.ForeignKey(
        Person,
        verbose_name=_("author (Bearbeiter/-in)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_papers",
    )
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["-year", "-serial", "supplement"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "serial", "supplement"], name="minutes_paper_reference_once"
            ),
            models.CheckConstraint(
                condition=Q(supplement=0, main_paper__isnull=True)
                | Q(supplement__gt=0, main_paper__isnull=False),
                name="minutes_paper_supplement_has_main",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("minutes:paper_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """The printed reference: "2020/031" or "2020/031-1"."""
        base = f"{self.year}/{self.serial:03d}"
        return f"{base}-{self.supplement}" if self.supplement else base


class Consultation(TimeStampedModel):
    """One step of a paper's Beratungsfolge: a body treats it, in order.

    The outcome is the resolution of the agenda item that treated it, once the
    consultation is scheduled on a meeting's agenda.
    """

    class Role(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary consultation")
        DECISION = "decision", _("Decision")
        INFORMATION = "information", _("For information")

    paper = models.ForeignKey(
        Paper, verbose_name=_("paper"), on_delete=models.CASCADE, related_name="consultations"
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="consultations"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    agenda_item = models.OneToOneField(
        "minutes.AgendaItem",
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation",
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["paper", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.paper_id} → {self.body}"

    @property
    def is_authoritative(self) -> bool:
        return self.role == self.Role.DECISION


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: nothing guessable, and the original name stays in file_name.
    return f"minutes/attachments/{timezone.now():%Y}/{uuid.uuid4().hex}"


class Attachment(TimeStampedModel):
    """A file of a paper or a meeting (OParl File), stored outside the web root.

    Served only through a permission-checked view; its visibility follows the
    paper or meeting it belongs to. ``text`` holds the text extracted from a PDF
    (for the full-text search), filled by a Celery task after the upload.
    """

    paper = models.ForeignKey(
        Paper,
        verbose_name=_("paper"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    meeting = models.ForeignKey(
        "minutes.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    name = models.CharField(_("name"), max_length=300)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    file_name = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, editable=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # Only for a meeting's files; a paper's files follow the paper.
    is_public = models.BooleanField(_("public"), default=False)
    text = models.TextField(_("extracted text"), blank=True, editable=False)
    text_extracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(paper__isnull=False, meeting__isnull=True)
                | Q(paper__isnull=True, meeting__isnull=False),
                name="minutes_attachment_has_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("minutes:attachment_download", args=[self.pk])
