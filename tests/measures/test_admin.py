"""Django's admin for the integration concept: a superuser sets up the concept and logins."""

import pytest
from django.urls import reverse

from measures.models import Concept, ConceptVersion, Responsibility

from ..actors.factories import OrganisationFactory
from ..core.factories import UserFactory
from .factories import (
    ConceptVersionFactory,
    MeasureFactory,
    ResponsibilityFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ("concept", "conceptversion", "goal", "measure", "statusupdate", "responsibility")


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_and_adds(django_app, superuser, model):
    update = StatusUpdateFactory()
    ResponsibilityFactory(organisation=update.measure.lead)
    page = django_app.get(reverse(f"admin:measures_{model}_changelist"), user=superuser)
    assert page.status_code == 200
    django_app.get(reverse(f"admin:measures_{model}_add"), user=superuser, status=200)


def test_admin_measure_list_shows_code_status_and_lead(django_app, superuser):
    measure = MeasureFactory(title="Sprachcafé", lead=OrganisationFactory(name="Sozialamt"))
    page = django_app.get(
        reverse("admin:measures_measure_changelist"), {"q": "Sprachcafé"}, user=superuser
    )
    row = page.html.select_one("#result_list tbody tr").text
    assert measure.code in row
    assert "Sozialamt" in row
    assert "Geplant" in row


def test_admin_creates_concept_with_its_first_version(django_app, superuser):
    page = django_app.get(reverse("admin:measures_concept_add"), user=superuser)
    form = page.forms["concept_form"]
    form["title"] = "Integrationskonzept"
    form["versions-0-label"] = "Entwurf 2026"
    form["versions-0-status"] = ConceptVersion.Status.REVISION
    form.submit().follow()
    concept = Concept.objects.get()
    version = concept.versions.get()
    assert (version.label, version.status) == ("Entwurf 2026", ConceptVersion.Status.REVISION)


def test_admin_concept_needs_a_first_version(django_app, superuser):
    page = django_app.get(reverse("admin:measures_concept_add"), user=superuser)
    form = page.forms["concept_form"]
    form["title"] = "Integrationskonzept"
    assert form.submit().status_code == 200
    assert not Concept.objects.exists()


def test_admin_assigns_a_department_to_a_login(django_app, superuser):
    user = UserFactory()
    department = OrganisationFactory(name="Sozialamt")
    page = django_app.get(reverse("admin:measures_responsibility_add"), user=superuser)
    form = page.forms["responsibility_form"]
    # The user field is an autocomplete: its options are loaded by script.
    form["user"].force_value(str(user.pk))
    form["organisation"] = str(department.pk)
    form.submit().follow()
    assert Responsibility.objects.filter(user=user, organisation=department).exists()


def test_admin_is_for_superusers_only(django_app, coordinator):
    ConceptVersionFactory()
    page = django_app.get(reverse("admin:measures_concept_changelist"), user=coordinator)
    assert page.status_code == 302
