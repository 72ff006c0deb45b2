"""Bodies (Gremien), their memberships, places of meetings and legislative terms.

Modelled so that they map onto OParl 1.1: Body ≈ oparl:Organization,
Membership, Location, LegislativeTerm.
"""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actors.models import Circle, Person
from integration.core.models import TimeStampedModel


class Body(TimeStampedModel):
    """A committee, council or informal body of the network, with members."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council (Rat)")
        COMMITTEE = "committee", _("Committee (Ausschuss)")
        INTEGRATION_COUNCIL = "integration_council", _("Integration council")
        DISTRICT_COUNCIL = "district_council", _("District council (Kreistag)")
        ROUND_TABLE = "round_table", _("Round table")
        COORDINATION_STAFF = "coordination_staff", _("Coordination staff")
        WORKING_GROUP = "working_group", _("Working group")

    FORMAL_KINDS = (
        Kind.COUNCIL,
        Kind.COMMITTEE,
        Kind.INTEGRATION_COUNCIL,
        Kind.DISTRICT_COUNCIL,
    )

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    circle = models.ForeignKey(
        Circle,
        verbose_name=_("circle of the network"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bodies",
        help_text=_("Informal bodies: the circle of the network whose members take part."),
    )
    is_public = models.BooleanField(
        _("shown in the public portal"),
        default=True,
        help_text=_("Formal bodies are public; informal bodies of the network often are not."),
    )
    start_date = models.DateField(_("constituted on"), null=True, blank=True)
    end_date = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("minutes:body_detail", args=[self.pk])

    @property
    def is_formal(self) -> bool:
        return self.kind in self.FORMAL_KINDS


class Membership(TimeStampedModel):
    """A person's seat in a body, from/to, with the role they hold."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY_CHAIR = "deputy_chair", _("Deputy chair")
        MEMBER = "member", _("Member")
        ADVISORY = "advisory", _("Advisory member")
        CITIZEN = "citizen", _("Expert citizen (sachkundige/r Bürger/in)")
        SECRETARY = "secretary", _("Secretary (Geschäftsführung)")

    # Roles without a vote: counted as present, never as voters.
    NON_VOTING_ROLES = (Role.ADVISORY, Role.SECRETARY)

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    on_behalf_of = models.CharField(
        _("on behalf of"),
        max_length=200,
        blank=True,
        help_text=_("Parliamentary group or sending organisation, e.g. “SPD” or “Caritas”."),
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body", "role", "person__last_name", "person__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="minutes_membership_dates_in_order",
                violation_error_message=_("The end cannot lie before the start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}, {self.body})"

    @property
    def has_vote(self) -> bool:
        return self.role not in self.NON_VOTING_ROLES


class Location(TimeStampedModel):
    """Where a meeting takes place: room and address."""

    room = models.CharField(_("room"), max_length=200, blank=True)
    street_address = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    locality = models.CharField(_("town"), max_length=100, blank=True)
    description = models.CharField(_("directions"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["room", "street_address"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(room="") | ~Q(street_address=""),
                name="minutes_location_not_empty",
                violation_error_message=_("Please enter the room or the address."),
            ),
        ]

    def __str__(self) -> str:
        address = ", ".join(
            part
            for part in (self.street_address, f"{self.postal_code} {self.locality}".strip())
            if part
        )
        return ", ".join(part for part in (self.room, address) if part)


class LegislativeTerm(TimeStampedModel):
    """A Wahlperiode, e.g. 2020–2025."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))

    class Meta:
        verbose_name = _("legislative term")
        verbose_name_plural = _("legislative terms")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="minutes_term_dates_in_order",
                violation_error_message=_("The end cannot lie before the start."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
