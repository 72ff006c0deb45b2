"""The network: organisations, people, their affiliations and circles."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from integration.core.models import FieldOfAction, TimeStampedModel


def _dates_in_order(name: str) -> models.CheckConstraint:
    """A period (start_date, end_date) whose end, when both are given, is not before its start."""
    return models.CheckConstraint(
        condition=Q(end_date__isnull=True)
        | Q(start_date__isnull=True)
        | Q(end_date__gte=models.F("start_date")),
        name=name,
        violation_error_message=_("The end date must not be before the start date."),
    )


class Language(models.Model):
    """A language spoken by people of the network (Integrationslotsen are chosen by it)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_archived=False)


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("Administration / department")
        JOBCENTER = "jobcenter", _("Jobcenter")
        FOREIGNERS_OFFICE = "foreigners_office", _("Foreigners' office")
        INTEGRATION_CENTRE = "integration_centre", _("Municipal integration centre")
        WELFARE = "welfare", _("Welfare association")
        COUNSELLING = "counselling", _("Counselling service")
        SCHOOL = "school", _("School / day care")
        POLICE = "police", _("Police")
        EMPLOYER = "employer", _("Employer / chamber")
        CLUB = "club", _("Club / association")
        MIGRANT_ORGANISATION = "migrant_organisation", _("Migrant organisation")
        VOLUNTEER_INITIATIVE = "volunteer_initiative", _("Volunteer initiative")
        OTHER = "other", _("Other")

    class Staffing(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional (Hauptamt)")
        VOLUNTEER = "volunteer", _("Volunteer (Ehrenamt)")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    staffing = models.CharField(
        _("professional or volunteer"),
        max_length=20,
        choices=Staffing.choices,
        default=Staffing.PROFESSIONAL,
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    fields_of_action = models.ManyToManyField(
        FieldOfAction,
        verbose_name=_("fields of action"),
        related_name="organisations",
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="actors_organisation_unique_name",
                violation_error_message=_("An organisation with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actors:organisation_detail", args=[self.pk])

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)


class PersonQuerySet(models.QuerySet):
    def active(self):
        """People who are neither archived, merged nor anonymised."""
        return self.filter(is_archived=False, anonymised_at__isnull=True, merged_into__isnull=True)


class Person(TimeStampedModel):
    class Salutation(models.TextChoices):
        MS = "ms", _("Ms")
        MR = "mr", _("Mr")
        NONE = "none", _("No salutation (full name)")

    salutation = models.CharField(
        _("salutation"), max_length=10, choices=Salutation.choices, default=Salutation.NONE
    )
    title = models.CharField(_("title"), max_length=40, blank=True, help_text=_("e.g. Dr."))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages spoken"), related_name="people", blank=True
    )
    is_volunteer = models.BooleanField(
        _("volunteer"), default=False, help_text=_("Volunteer rather than professional contact.")
    )
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    # Set when a duplicate was merged into another person; the row stays so that
    # its history remains readable from the person it was merged into.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
    )
    # DSGVO: when the person was anonymised (erasure or retention), and when the
    # retention job warned them; last_activity_at feeds the retention rule.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    retention_warned_at = models.DateTimeField(_("retention warning sent"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    # The login of a committee member (role Gremienmitglied): what they may see
    # of their bodies follows from this person's memberships.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at", "last_activity_at", "retention_warned_at"]
    )
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(Lower("email"), name="actors_person_email_lower"),
            # The people list is sorted by name and paginated.
            models.Index(fields=["last_name", "first_name"], name="actors_person_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("actors:person_detail", args=[self.pk])

    @property
    def sorted_name(self) -> str:
        """ "Raven, Anke": for lists and selects sorted by surname, and as papers name
        their author."""
        return ", ".join(part for part in (self.last_name, self.first_name) if part)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def letter_salutation(self) -> str:
        """The opening line of a letter or email, e.g. "Sehr geehrte Frau Dr. Yılmaz"."""
        name = " ".join(part for part in (self.title, self.last_name) if part)
        if self.salutation == self.Salutation.MS:
            return _("Dear Ms %(name)s") % {"name": name}
        if self.salutation == self.Salutation.MR:
            return _("Dear Mr %(name)s") % {"name": name}
        return _("Dear %(name)s") % {"name": self.full_name}


class Affiliation(TimeStampedModel):
    """A person's role in an organisation ("Leitung Migrationsberatung") for a period."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="affiliations",
    )
    function = models.CharField(_("function"), max_length=150, blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        ordering = ["organisation__name"]
        constraints = [
            _dates_in_order("actors_affiliation_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.organisation}"


class Circle(TimeStampedModel):
    """A network body of the coordination: Runder Tisch, Koordinierungsstab, working group."""

    class Kind(models.TextChoices):
        ROUND_TABLE = "round_table", _("Round table")
        COORDINATION_STAFF = "coordination_staff", _("Coordination staff")
        WORKING_GROUP = "working_group", _("Working group")
        GUIDES_POOL = "guides_pool", _("Integration guides pool")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actors:circle_detail", args=[self.pk])


class CircleMembership(TimeStampedModel):
    """A person or an organisation sitting in a circle, with a role, for a period."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MANAGEMENT = "management", _("Management (Geschäftsführung)")
        MEMBER = "member", _("Member")
        GUEST = "guest", _("Guest")

    circle = models.ForeignKey(
        Circle, verbose_name=_("circle"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="circle_memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="circle_memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("circle membership")
        verbose_name_plural = _("circle memberships")
        ordering = ["circle__name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(organisation__isnull=True))
                | (Q(person__isnull=True) & Q(organisation__isnull=False)),
                name="actors_membership_person_xor_organisation",
                violation_error_message=_("A member is either a person or an organisation."),
            ),
            _dates_in_order("actors_membership_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.circle}"

    @property
    def member(self):
        return self.person or self.organisation
