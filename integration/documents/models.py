"""Stored PDF documents: one row per content state of a document, and who downloaded what.

A ``Document`` is one kind of document (``registry``) about one subject in one
variant, compiled from content with one ``fingerprint``: when the content
changes, the fingerprint changes and a new row is compiled; the old one stays
until the sweep removes it. The file lies below ``MEDIA_ROOT`` under a random
name and is only ever served through the download view, which asks the kind's
access rule first.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from integration.core.models import TimeStampedModel


class Document(TimeStampedModel):
    """One compiled (or compiling) PDF: ``queued → rendering → ready | failed``."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RENDERING = "rendering", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=100)
    # The subject as the kind names it in URLs (a primary key or a plain key);
    # for model subjects also as a generic reference, for the admin and clean-ups.
    subject = models.CharField(_("subject"), max_length=100)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("content type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    variant = models.CharField(_("variant"), max_length=50)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(_("file"), max_length=200, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress in percent"), default=0)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    rendering_since = models.DateTimeField(_("rendering since"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "variant", "fingerprint"],
                name="documents_document_unique_content",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="documents_document_progress_max"
            ),
            # A ready document always has its file: the file is set in the same
            # UPDATE that makes the row ready, never before.
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""),
                name="documents_document_ready_has_file",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "subject", "variant", "status"]),
            models.Index(fields=["status", "queued_at"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.subject}/{self.variant} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED}


class DocumentDownload(TimeStampedModel):
    """The last download of a document by a login: which content it had.

    One row per login and document (kind, subject, variant), overwritten by each
    download; compared with the current fingerprint it tells the page whether the
    document changed since.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="document_downloads",
    )
    kind = models.CharField(_("kind"), max_length=100)
    subject = models.CharField(_("subject"), max_length=100)
    variant = models.CharField(_("variant"), max_length=50)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    downloaded_at = models.DateTimeField(_("downloaded at"))

    class Meta:
        verbose_name = _("document download")
        verbose_name_plural = _("document downloads")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject", "variant"],
                name="documents_download_unique_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.kind} {self.subject}/{self.variant}"
