"""An uploaded network import and where it stands."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from integration.core.models import TimeStampedModel


class ImportBatch(TimeStampedModel):
    """One uploaded import file and its way through the background import.

    ``uploaded → queued → running → done | failed``; a failed batch may be queued
    again. The row is the outbox of the import task: the service locks it and acts
    only on ``queued`` (or on ``running`` past the task's time limit, after a
    crashed worker), so a task delivered twice imports once.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(_("file name"), max_length=200)
    # Relative to MEDIA_ROOT ("imports/<uuid>"); empty once the file is deleted.
    file_path = models.CharField(_("stored file"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    skip_invalid = models.BooleanField(_("skip rows with errors"), default=False)
    # Fingerprint of the preview the user confirmed (ImportPlan.digest).
    digest = models.CharField(_("digest"), max_length=64, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    organisations_created = models.PositiveIntegerField(_("organisations created"), default=0)
    people_created = models.PositiveIntegerField(_("people created"), default=0)
    people_updated = models.PositiveIntegerField(_("people added to"), default=0)
    memberships_added = models.PositiveIntegerField(_("circle memberships added"), default=0)
    error = models.TextField(_("error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "queued_at"], name="actors_importbatch_status")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("actors:import_progress", kwargs={"uuid": self.uuid})

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
