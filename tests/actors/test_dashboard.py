import pytest
from django.urls import reverse

from .factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def card_values(page) -> list[str]:
    return [card.select_one(".display-6").text for card in page.html.select(".figure-card")]


def test_dashboard_counts_active_network(django_app, coordinator):
    OrganisationFactory.create_batch(2)
    OrganisationFactory(is_archived=True)
    PersonFactory.create_batch(3, is_volunteer=True)
    PersonFactory(is_volunteer=False)
    PersonFactory(is_archived=True)
    page = django_app.get(reverse("core:dashboard"), user=coordinator)
    # Fields of action (none here), organisations, people, volunteers; surveys follow.
    assert card_values(page)[:4] == ["0", "2", "4", "3"]


def test_dashboard_shows_committee_members_no_network(django_app, committee_member):
    PersonFactory.create_batch(3)
    page = django_app.get(reverse("core:dashboard"), user=committee_member)
    labels = [
        card.select_one(".card-text").text.strip() for card in page.html.select(".figure-card")
    ]
    assert "Ansprechpersonen" not in labels
    assert "Organisationen" not in labels


def test_dashboard_queries_do_not_grow_with_network(
    django_app, coordinator, django_assert_max_num_queries
):
    PersonFactory.create_batch(3)
    django_app.get(reverse("core:dashboard"), user=coordinator)
    PersonFactory.create_batch(40)
    OrganisationFactory.create_batch(20)
    with django_assert_max_num_queries(10):
        django_app.get(reverse("core:dashboard"), user=coordinator)
