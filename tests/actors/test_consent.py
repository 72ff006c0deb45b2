"""The consent rule (``consent_check``, ``people_emailable``) and recording consent."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from actors.models import Consent, Person, PrivacyLogEntry
from actors.selectors import consent_check, people_emailable
from actors.services import network, privacy

from .factories import ConsentFactory, PersonFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")

SURVEYS = Consent.Purpose.SURVEYS
INVITATIONS = Consent.Purpose.INVITATIONS


def _withdrawn(person, purpose=SURVEYS, on=datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)):
    return ConsentFactory(
        person=person,
        purpose=purpose,
        withdrawn_at=on,
    )


def test_consent_check_allows_valid_consent():
    person = ConsentFactory(purpose=SURVEYS).person
    check = consent_check(person=person, purpose=SURVEYS)
    assert check.allowed is True
    assert check.reason == ""


def test_consent_check_allows_professional_basis():
    person = ConsentFactory(
        purpose=INVITATIONS, basis=Consent.Basis.PROFESSIONAL, method=Consent.Method.OFFICIAL
    ).person
    assert consent_check(person=person, purpose=INVITATIONS).allowed is True


def test_consent_check_refuses_without_any_basis():
    person = PersonFactory()
    check = consent_check(person=person, purpose=SURVEYS)
    assert check.allowed is False
    assert check.reason == "Für „Bedarfsabfragen“ ist keine Rechtsgrundlage erfasst."


def test_consent_check_refuses_valid_consent_for_another_purpose_only():
    person = ConsentFactory(purpose=INVITATIONS).person
    check = consent_check(person=person, purpose=SURVEYS)
    assert check.allowed is False
    assert "Bedarfsabfragen" in check.reason
    assert consent_check(person=person, purpose=INVITATIONS).allowed is True


def test_consent_check_refuses_without_email_even_with_consent():
    person = ConsentFactory(person=PersonFactory(email="")).person
    check = consent_check(person=person, purpose=SURVEYS)
    assert check.allowed is False
    assert check.reason == "Es ist keine E-Mail-Adresse hinterlegt."


def test_consent_check_refuses_archived_person():
    person = ConsentFactory(person=PersonFactory(is_archived=True)).person
    check = consent_check(person=person, purpose=SURVEYS)
    assert check.allowed is False
    assert check.reason == "Die Person ist archiviert."


def test_consent_check_refuses_merged_person():
    target = PersonFactory()
    person = ConsentFactory(person=PersonFactory(merged_into=target)).person
    check = consent_check(person=person, purpose=SURVEYS)
    assert check.allowed is False
    assert "zusammengeführt" in check.reason


def test_consent_check_refuses_anonymised_person():
    person = ConsentFactory(person=PersonFactory(anonymised_at=timezone.now())).person
    check = consent_check(person=person, purpose=SURVEYS)
    assert check.allowed is False
    assert check.reason == "Die Daten der Person wurden gelöscht."


def test_consent_check_names_the_date_of_the_withdrawal():
    person = PersonFactory()
    _withdrawn(person, on=datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN))
    check = consent_check(person=person, purpose=SURVEYS)
    assert check.allowed is False
    assert check.reason == (
        "Die Einwilligung für „Bedarfsabfragen“ wurde am 4. März 2026 widerrufen."
    )


def test_consent_check_names_the_latest_of_several_withdrawals():
    person = PersonFactory()
    _withdrawn(person, on=datetime(2025, 1, 2, 10, 0, tzinfo=BERLIN))
    _withdrawn(person, on=datetime(2026, 5, 6, 10, 0, tzinfo=BERLIN))
    assert "6. Mai 2026" in consent_check(person=person, purpose=SURVEYS).reason


def test_consent_check_allows_renewed_consent_after_withdrawal():
    person = PersonFactory()
    _withdrawn(person)
    ConsentFactory(person=person, purpose=SURVEYS)
    assert consent_check(person=person, purpose=SURVEYS).allowed is True


def test_consent_check_after_erasure_refuses_every_purpose(coordinator):
    person = ConsentFactory(purpose=SURVEYS).person
    ConsentFactory(person=person, purpose=INVITATIONS, basis=Consent.Basis.PROFESSIONAL)
    privacy.person_erase(by=coordinator, person=person, reason="Löschantrag per Brief")
    person = Person.objects.get(pk=person.pk)
    for purpose in Consent.Purpose.values:
        assert consent_check(person=person, purpose=purpose).allowed is False


def test_consent_check_uses_prefetched_consents(django_assert_num_queries):
    ConsentFactory.create_batch(5)
    people = list(Person.objects.prefetch_related("consents"))
    with django_assert_num_queries(0):
        for person in people:
            consent_check(person=person, purpose=SURVEYS)


def _cases():
    """One person per case of the rule; their label says what they are."""
    cases = {
        "valid": ConsentFactory(purpose=SURVEYS).person,
        "professional": ConsentFactory(
            purpose=SURVEYS, basis=Consent.Basis.PROFESSIONAL, method=Consent.Method.OFFICIAL
        ).person,
        "no basis": PersonFactory(),
        "other purpose only": ConsentFactory(purpose=INVITATIONS).person,
        "no email": ConsentFactory(person=PersonFactory(email="")).person,
        "archived": ConsentFactory(person=PersonFactory(is_archived=True)).person,
        "merged": ConsentFactory(person=PersonFactory(merged_into=PersonFactory())).person,
        "anonymised": ConsentFactory(person=PersonFactory(anonymised_at=timezone.now())).person,
        "withdrawn": _withdrawn(PersonFactory()).person,
    }
    renewed = PersonFactory()
    _withdrawn(renewed)
    ConsentFactory(person=renewed, purpose=SURVEYS)
    cases["renewed"] = renewed
    return cases


def test_people_emailable_agrees_with_consent_check():
    cases = _cases()
    emailable = set(people_emailable(purpose=SURVEYS).values_list("pk", flat=True))
    for label, person in cases.items():
        person = Person.objects.prefetch_related("consents").get(pk=person.pk)
        assert (person.pk in emailable) == consent_check(person=person, purpose=SURVEYS).allowed, (
            label
        )
    assert emailable == {cases[label].pk for label in ("valid", "professional", "renewed")}


@pytest.mark.parametrize("purpose", Consent.Purpose.values)
def test_people_emailable_agrees_with_consent_check_for_every_purpose(purpose):
    _cases()
    emailable = set(people_emailable(purpose=purpose).values_list("pk", flat=True))
    for person in Person.objects.prefetch_related("consents"):
        assert (person.pk in emailable) == consent_check(person=person, purpose=purpose).allowed


def test_people_emailable_keeps_to_the_given_queryset():
    inside = ConsentFactory().person
    ConsentFactory()
    queryset = Person.objects.filter(pk=inside.pk)
    assert list(people_emailable(purpose=SURVEYS, queryset=queryset)) == [inside]


def test_people_emailable_lists_a_person_once_with_several_consents():
    person = ConsentFactory(purpose=SURVEYS).person
    _withdrawn(person)
    _withdrawn(person)
    assert list(people_emailable(purpose=SURVEYS)) == [person]


# Recording and withdrawing through the services the screens use.


def test_consents_record_creates_one_consent_per_purpose(coordinator):
    person = PersonFactory()
    consents = privacy.consents_record(
        by=coordinator,
        person=person,
        purposes=[SURVEYS, INVITATIONS],
        basis=Consent.Basis.CONSENT,
        method=Consent.Method.WRITTEN,
        given_on=date(2026, 2, 1),
        note="Formular Runder Tisch",
    )
    assert sorted(consent.purpose for consent in consents) == sorted([SURVEYS, INVITATIONS])
    assert all(consent.recorded_by == coordinator for consent in consents)
    assert all(consent.note == "Formular Runder Tisch" for consent in consents)
    assert people_emailable(purpose=INVITATIONS).filter(pk=person.pk).exists()


def test_consents_record_counts_as_activity(coordinator):
    person = PersonFactory(last_activity_at=timezone.now() - timedelta(days=900))
    with time_machine.travel(timezone.now(), tick=False):
        privacy.consents_record(
            by=coordinator,
            person=person,
            purposes=[SURVEYS],
            basis=Consent.Basis.CONSENT,
            method=Consent.Method.ORAL,
            given_on=timezone.localdate(),
        )
        person.refresh_from_db()
        assert person.last_activity_at == timezone.now()


def test_consents_record_refuses_all_when_one_purpose_is_already_valid(coordinator):
    person = ConsentFactory(purpose=SURVEYS, given_on=date(2025, 11, 3)).person
    with pytest.raises(ValidationError) as error:
        privacy.consents_record(
            by=coordinator,
            person=person,
            purposes=[INVITATIONS, SURVEYS],
            basis=Consent.Basis.CONSENT,
            method=Consent.Method.WRITTEN,
            given_on=date(2026, 2, 1),
        )
    assert error.value.messages == [
        "„Bedarfsabfragen“ hat bereits eine gültige Rechtsgrundlage (erteilt am 3. November 2025);"
        " bitte zuerst widerrufen, um eine neue zu erfassen."
    ]
    assert person.consents.count() == 1


def test_consents_record_refuses_erased_person(coordinator):
    person = PersonFactory(anonymised_at=timezone.now())
    with pytest.raises(ValidationError):
        privacy.consents_record(
            by=coordinator,
            person=person,
            purposes=[SURVEYS],
            basis=Consent.Basis.CONSENT,
            method=Consent.Method.WRITTEN,
            given_on=date(2026, 2, 1),
        )
    assert not person.consents.exists()


def test_consent_withdraw_all_keeps_records_and_logs_without_name(coordinator):
    person = ConsentFactory(purpose=SURVEYS).person
    ConsentFactory(person=person, purpose=INVITATIONS)
    withdrawn = network.consent_withdraw(by=coordinator, person=person, note="telefonisch")
    assert len(withdrawn) == 2
    assert person.consents.filter(withdrawn_at__isnull=False).count() == 2
    assert not people_emailable(purpose=SURVEYS).filter(pk=person.pk).exists()
    entry = PrivacyLogEntry.objects.get(action=PrivacyLogEntry.Action.CONSENT_WITHDRAWN)
    assert entry.person_id_ref == person.pk
    assert person.last_name not in entry.detail
