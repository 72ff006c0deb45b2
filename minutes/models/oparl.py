"""The record of OParl objects that were public and went.

OParl 1.1 forbids letting the URL of a deleted object answer 404: it must keep
answering with ``deleted: true``. The live data cannot tell "depublished" from
"never public", so whatever leaves the public data (hard-deleted, cascaded or
depublished) is recorded here by ``minutes.services.oparl.publication_watch``;
a row never public leaves no trace.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from integration.core.models import TimeStampedModel


class OParlTombstone(TimeStampedModel):
    """An object (by OParl type and id) that was public and was deleted or
    depublished, with the two dates its deleted stub carries. Never holds any of
    its content; removed when the object is public again."""

    class Kind(models.TextChoices):
        ORGANIZATION = "Organization", _("body")
        PERSON = "Person", _("person")
        MEMBERSHIP = "Membership", _("membership")
        MEETING = "Meeting", _("meeting")
        AGENDA_ITEM = "AgendaItem", _("agenda item")
        PAPER = "Paper", _("paper")
        CONSULTATION = "Consultation", _("consultation")
        FILE = "File", _("file")
        LOCATION = "Location", _("location")
        LEGISLATIVE_TERM = "LegislativeTerm", _("legislative term")

    kind = models.CharField(_("OParl type"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    object_created_at = models.DateTimeField(_("object created at"))
    deleted_at = models.DateTimeField(_("deleted at"))

    class Meta:
        verbose_name = _("deleted OParl object")
        verbose_name_plural = _("deleted OParl objects")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="oparl_tombstone_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
