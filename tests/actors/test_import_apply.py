"""Importing a checked file: all rows or none, progress, existing people."""

import pytest
from django.core.exceptions import ValidationError

from actors.models import Affiliation, CircleMembership, Organisation, Person
from actors.services import import_rows, network, transfer

from .factories import (
    AffiliationFactory,
    CircleFactory,
    CircleMembershipFactory,
    OrganisationFactory,
    PersonFactory,
    language,
)
from .helpers import ROUND_TABLE
from .test_importing import AMINA, SAMPLES, csv_bytes, plan_of, row

pytestmark = pytest.mark.django_db


def test_import_apply_imports_the_sample_cleanly(network_setup, coordinator):
    result = import_rows.import_apply(
        by=coordinator, data=(SAMPLES / "netzwerk-import-beispiel.xlsx").read_bytes()
    )
    assert result.organisations_created == 5
    assert result.people_created == 7
    assert result.rows_skipped == 0
    sadeqi = Person.objects.get(last_name="Sadeqi")
    assert sadeqi.is_volunteer
    assert {c.circle.name for c in sadeqi.circle_memberships.all()} == {
        "Integrationslotsen-Pool",
        ROUND_TABLE,
    }
    assert sorted(sadeqi.languages.values_list("code", flat=True)) == ["de", "fa", "prs"]
    kortmann = Person.objects.get(last_name="Kortmann")
    affiliation = kortmann.affiliations.get()
    assert affiliation.organisation.name == "Familienzentrum Am Mühlbach"
    assert affiliation.function == "Leitung"
    family_centre = affiliation.organisation
    assert family_centre.kind == Organisation.Kind.SCHOOL
    assert family_centre.affiliations.count() == 2
    assert sorted(family_centre.fields_of_action.values_list("name", flat=True)) == [
        "Frauen & Familie",
        "Sprache & Bildung",
    ]
    cafe = Organisation.objects.get(name="Begegnungscafé Lindenhof")
    assert cafe.staffing == Organisation.Staffing.VOLUNTEER
    assert cafe.email == "cafe@begegnung-lindenhof.example"
    assert cafe.circle_memberships.get().circle.name == ROUND_TABLE
    assert kortmann.history.first().history_user == coordinator


def test_import_apply_is_atomic(network_setup, coordinator, monkeypatch):
    calls = []
    original = network.person_create

    def fail_on_third(**kwargs):
        calls.append(kwargs["last_name"])
        if len(calls) == 3:
            raise ValidationError("Datenbank sagt nein")
        return original(**kwargs)

    monkeypatch.setattr(network, "person_create", fail_on_third)
    counts = (Organisation.objects.count(), Person.objects.count())
    with pytest.raises(ValidationError, match="Zeile 5: Datenbank sagt nein"):
        import_rows.import_apply(
            by=coordinator, data=(SAMPLES / "netzwerk-import-beispiel.csv").read_bytes()
        )
    assert (Organisation.objects.count(), Person.objects.count()) == counts
    assert not CircleMembership.objects.exists()
    assert not Affiliation.objects.exists()


def test_import_apply_refuses_rows_with_errors_unless_skipped(network_setup, coordinator):
    data = csv_bytes([AMINA, row(last_name="Meyer", email="kaputt@")])
    with pytest.raises(ValidationError, match="Zeilen mit Fehlern: 1"):
        import_rows.import_apply(by=coordinator, data=data)
    assert not Person.objects.exists()
    result = import_rows.import_apply(by=coordinator, data=data, skip_invalid=True)
    assert result.people_created == 1
    assert result.rows_skipped == 1
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Haddad"]


def test_import_apply_skipped_row_does_not_take_its_organisation_along(network_setup, coordinator):
    data = csv_bytes(
        [
            row(organisation="Sprachcafé", last_name="Meyer", email="kaputt@"),
            row(organisation="Sprachcafé", last_name="Schulz"),
        ]
    )
    import_rows.import_apply(by=coordinator, data=data, skip_invalid=True)
    assert Person.objects.get().affiliations.get().organisation.name == "Sprachcafé"


def test_import_apply_adds_to_an_existing_person_without_overwriting(network_setup, coordinator):
    existing = PersonFactory(
        email="amina.haddad@mail.example", phone="02345 1111", first_name="", is_volunteer=False
    )
    existing.languages.set([language("ar")])
    organisation = OrganisationFactory(name="Sprachcafé im Bürgerhaus")
    AffiliationFactory(person=existing, organisation=organisation)
    round_table = CircleMembershipFactory(
        person=existing, circle=CircleFactory(name="AG Wohnen")
    ).circle
    data = csv_bytes(
        [
            row(
                organisation="Sprachcafé im Bürgerhaus",
                first_name="Amina",
                last_name="Haddad",
                email="amina.haddad@mail.example",
                phone="0170 999",
                languages="Arabisch, Deutsch",
                volunteer="ja",
                circles=f"{ROUND_TABLE}, {round_table.name}",
            )
        ]
    )
    result = import_rows.import_apply(by=coordinator, data=data)
    assert (result.people_created, result.people_updated, result.memberships_added) == (0, 1, 1)
    existing.refresh_from_db()
    assert existing.phone == "02345 1111"
    assert existing.first_name == "Amina"
    assert existing.is_volunteer
    assert sorted(existing.languages.values_list("code", flat=True)) == ["ar", "de"]
    assert existing.affiliations.count() == 1
    assert existing.circle_memberships.count() == 2
    assert Person.objects.count() == 1


def test_import_apply_refuses_a_stale_preview(network_setup, coordinator):
    data = csv_bytes([AMINA])
    digest = plan_of(data).digest
    PersonFactory(email="amina.haddad@mail.example")
    with pytest.raises(ValidationError, match="seit der Vorschau geändert"):
        import_rows.import_apply(by=coordinator, data=data, expected_digest=digest)


def test_import_apply_reports_progress_every_hundred_rows(network_setup, coordinator):
    rows = [row(last_name=f"Meyer {number}") for number in range(250)]
    reports = []
    result = import_rows.import_apply(
        by=coordinator, data=csv_bytes(rows), progress=lambda done, total: reports.append(done)
    )
    assert result.people_created == 250
    assert reports == [0, 100, 200]


def test_upload_store_load_and_discard(settings, tmp_path, coordinator):
    settings.MEDIA_ROOT = tmp_path
    batch = transfer.import_upload_store(
        by=coordinator, data=b"Nachname\r\nMeyer\r\n", file_name="../../liste.csv"
    )
    assert batch.file_name == "liste.csv"
    assert (tmp_path / "imports" / str(batch.uuid)).exists()
    assert transfer.import_upload_load(batch=batch) == b"Nachname\r\nMeyer\r\n"
    transfer.import_batch_discard(by=coordinator, batch=batch)
    assert transfer.import_upload_load(batch=batch) is None
    assert not (tmp_path / "imports" / str(batch.uuid)).exists()
    assert not type(batch).objects.exists()
