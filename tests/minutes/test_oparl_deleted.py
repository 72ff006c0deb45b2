"""Deleted and depublished objects in the OParl interface (1.1 "Gelöschte Objekte"):
stubs with ``deleted: true`` at their URLs and in lists with ``modified_since``,
only for objects that were public (``publication_watch``), never a trace of
anything that never was."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from actors.services.merge import person_merge
from actors.services.network import person_update
from actors.services.privacy import person_erase
from minutes.models import AgendaItem, Attachment, Meeting, Membership, OParlTombstone, Paper
from minutes.services.agenda import item_delete
from minutes.services.attachments import attachment_delete
from minutes.services.bodies import body_update
from minutes.services.oparl import publication_watch
from minutes.services.papers import ConsultationEntry, consultations_save, paper_update

from ..actors.factories import PersonFactory
from . import test_oparl
from .factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
)
from .test_oparl import ROOT, SECRETS, STUB_KEYS, attach, oparl_errors, walk

# The fixtures of the interface's walk: the same committee, public and not.
media_root = test_oparl.media_root
oparl_data = test_oparl.oparl_data

pytestmark = pytest.mark.django_db

LISTS = ("organization", "person", "meeting", "paper", "legislativeterm")
YESTERDAY = datetime.timedelta(days=1)


def stub(client, path: str, *absent: str) -> dict:
    """The deleted stub at ``path``: 200, the five keys, valid, none of ``absent``."""
    response = client.get(ROOT + path)
    assert response.status_code == 200, path
    text = response.content.decode()
    data = response.json()
    assert set(data) == STUB_KEYS, path
    assert data["deleted"] is True
    assert oparl_errors(data) == []
    for word in absent:
        assert word not in text, word
    return data


def unknown(client, path: str) -> None:
    """``path`` answers exactly like an id that never existed."""
    response = client.get(ROOT + path)
    never = client.get(ROOT + path.split("/")[0] + "/999999/")
    assert response.status_code == never.status_code == 404, path
    assert response.content == never.content


def page(client, name: str, since: datetime.datetime) -> dict:
    return client.get(f"{ROOT}body/1/{name}/", {"modified_since": since.isoformat()}).json()


def listed(client, name: str, since: datetime.datetime) -> dict[str, dict]:
    return {
        obj["id"].removeprefix("https://integration.example.org"): obj
        for obj in page(client, name, since)["data"]
    }


def at_or_after(stamp: str, moment: datetime.datetime) -> bool:
    return parse_datetime(stamp) >= moment.replace(microsecond=0)


def test_oparl_never_public_objects_are_unknown_and_never_listed(client, oparl_data):
    secret_paper = oparl_data["secret_paper"]
    secret_body = oparl_data["secret_body"]
    secret_seat = Membership.objects.get(body=secret_body)
    meeting_file = oparl_data["meeting"].attachments.get(is_public=False)
    # A change of a confidential row must not surface either.
    secret_paper.title = "Geheime Vorlage Personalsache (geändert)"
    secret_paper.save()

    for path in (
        f"paper/{secret_paper.pk}/",
        f"file/{secret_paper.attachments.get().pk}/",
        f"consultation/{secret_paper.consultations.get().pk}/",
        f"meeting/{oparl_data['hidden'].pk}/",
        f"agendaitem/{oparl_data['hidden'].agenda_items.get().pk}/",
        f"organization/{secret_body.pk}/",
        f"membership/{secret_seat.pk}/",
        f"person/{secret_seat.person_id}/",
        f"file/{meeting_file.pk}/",
    ):
        unknown(client, path)
    since = timezone.now() - YESTERDAY
    for name in LISTS:
        synced = page(client, name, since)
        plain = client.get(f"{ROOT}body/1/{name}/").json()
        assert synced["pagination"]["totalElements"] == plain["pagination"]["totalElements"]
        assert not any(obj.get("deleted") for obj in synced["data"]), name
    assert not OParlTombstone.objects.exists()


def test_oparl_people_without_a_seat_are_never_announced(client, oparl_data):
    stranger = PersonFactory(last_name="Nur im Netzwerk")
    unknown(client, f"person/{stranger.pk}/")


def test_oparl_paper_set_non_public_is_a_stub_with_its_files(client, oparl_data, coordinator):
    paper = oparl_data["public_paper"]
    files = list(paper.attachments.all())
    consultations = list(paper.consultations.all())
    before = timezone.now()
    paper_update(by=coordinator, paper=paper, is_public=False)

    data = stub(client, f"paper/{paper.pk}/", "Stellenprofil Integration", "2026/031")
    assert at_or_after(data["modified"], before)
    assert data["created"] <= data["modified"]
    for attachment in files:
        stub(client, f"file/{attachment.pk}/", attachment.file_name, attachment.name)
        assert client.get(f"{ROOT}file/{attachment.pk}/download/").status_code == 404
    for consultation in consultations:
        stub(client, f"consultation/{consultation.pk}/")
    # A later change of the now confidential paper does not move its stub.
    paper.refresh_from_db()
    paper.title = "Umbenannt"
    paper.save()
    assert stub(client, f"paper/{paper.pk}/")["modified"] == data["modified"]


def test_oparl_lists_show_deleted_stubs_only_with_modified_since(client, oparl_data, coordinator):
    paper = oparl_data["public_paper"]
    before = timezone.now()
    paper_update(by=coordinator, paper=paper, is_public=False)
    path = f"{ROOT}paper/{paper.pk}/"

    plain = client.get(f"{ROOT}body/1/paper/").json()["data"]
    assert path not in " ".join(obj["id"] for obj in plain)
    assert not any("deleted" in obj for obj in plain)

    since = listed(client, "paper", before)
    assert since[path]["deleted"] is True
    assert set(since[path]) == STUB_KEYS
    # The supplement, public and unchanged since, is not in the synchronisation.
    assert len(since) == 1
    assert page(client, "paper", before)["pagination"]["totalElements"] == 1
    assert listed(client, "paper", timezone.now() + datetime.timedelta(minutes=1)) == {}
    # The other filters apply to stubs too.
    response = client.get(
        f"{ROOT}body/1/paper/",
        {"modified_since": before.isoformat(), "created_until": "2000-01-01T00:00:00+01:00"},
    )
    assert response.json()["data"] == []
    created_only = client.get(f"{ROOT}body/1/paper/", {"created_since": before.isoformat()})
    assert created_only.json()["data"] == []


def test_oparl_republished_paper_is_whole_again_and_listed_once(client, oparl_data, coordinator):
    paper = oparl_data["public_paper"]
    since = timezone.now() - YESTERDAY
    paper_update(by=coordinator, paper=paper, is_public=False)
    stub(client, f"paper/{paper.pk}/")
    paper_update(by=coordinator, paper=paper, is_public=True)

    assert client.get(f"{ROOT}paper/{paper.pk}/").json()["name"] == "Stellenprofil Integration"
    data = page(client, "paper", since)
    ids = [obj["id"] for obj in data["data"]]
    assert ids.count(f"https://integration.example.org{ROOT}paper/{paper.pk}/") == 1
    assert data["pagination"]["totalElements"] == len(ids) == 2
    assert not any(obj.get("deleted") for obj in data["data"])
    assert not OParlTombstone.objects.filter(kind="Paper").exists()
    # Its files are back too.
    file_id = paper.attachments.first().pk
    assert client.get(f"{ROOT}file/{file_id}/").json()["fileName"] == "stellenprofil.pdf"


def test_oparl_body_set_non_public_takes_its_meetings_seats_and_people(
    client, oparl_data, coordinator
):
    committee = oparl_data["committee"]
    meeting = oparl_data["meeting"]
    elsewhere = PersonFactory(last_name="Doppelsitz")
    MembershipFactory(person=elsewhere, body=committee)
    MembershipFactory(person=elsewhere, body=BodyFactory(name="Rat"))
    before = timezone.now()
    body_update(by=coordinator, body=committee, is_public=False)

    stub(client, f"organization/{committee.pk}/", "Ausschuss für Soziales", "ASI")
    for each in Meeting.objects.filter(body=committee):
        stub(client, f"meeting/{each.pk}/", "12. Sitzung")
        stub(client, f"location/{each.location_id}/")
    for item in AgendaItem.objects.filter(meeting__body=committee):
        stub(client, f"agendaitem/{item.pk}/", "Stellenprofil", "Geheimer")
    stub(client, f"file/{meeting.attachments.get(is_public=True).pk}/", "einladung.pdf")
    # The non-public meeting file never was in the interface.
    unknown(client, f"file/{meeting.attachments.get(is_public=False).pk}/")
    for seat in committee.memberships.select_related("person"):
        stub(client, f"membership/{seat.pk}/", "Vorsitz")
        if seat.person_id != elsewhere.pk:
            person = stub(client, f"person/{seat.person_id}/", seat.person.last_name)
            assert at_or_after(person["modified"], before)
    # A person with another public seat stays, changed (one seat less).
    data = client.get(f"{ROOT}person/{elsewhere.pk}/").json()
    assert data["familyName"] == "Doppelsitz"
    assert len(data["membership"]) == 1
    assert at_or_after(data["modified"], before)
    people = listed(client, "person", before)
    assert people[f"{ROOT}person/{elsewhere.pk}/"].get("deleted") is None
    assert len(people) == 3


def test_oparl_archived_person_and_their_seat_are_stubs(client, oparl_data, coordinator):
    seat = Membership.objects.select_related("person").get(person__last_name="Raven")
    before = timezone.now()
    person_update(by=coordinator, person=seat.person, is_archived=True)

    stub(client, f"person/{seat.person_id}/", "Raven", "Anke", "anke.privat@example.org")
    stub(client, f"membership/{seat.pk}/")
    names = {p["familyName"] for p in client.get(f"{ROOT}body/1/person/").json()["data"]}
    assert names == {"Meyer"}
    assert listed(client, "person", before)[f"{ROOT}person/{seat.person_id}/"]["deleted"]
    # The body lists one seat less.
    assert f"{ROOT}organization/{seat.body_id}/" in listed(client, "organization", before)


def test_oparl_anonymised_and_merged_people_are_stubs(client, oparl_data, coordinator):
    raven = Membership.objects.get(person__last_name="Raven").person
    meyer = Membership.objects.get(person__last_name="Meyer").person
    person_erase(by=coordinator, person=raven, reason="Antrag auf Löschung")
    person_merge(by=coordinator, keep=PersonFactory(), duplicate=meyer)

    stub(client, f"person/{raven.pk}/", "Raven")
    stub(client, f"person/{meyer.pk}/", "Meyer")


def test_oparl_walk_with_modified_since_validates_and_leaks_nothing(
    client, oparl_data, coordinator
):
    since = (timezone.now() - YESTERDAY).isoformat()
    paper_update(by=coordinator, paper=oparl_data["public_paper"], is_public=False)
    meyer = Membership.objects.get(person__last_name="Meyer").person
    person_update(by=coordinator, person=meyer, is_archived=True)
    einladung = Attachment.objects.get(file_name="einladung.pdf")
    attachment_delete(by=coordinator, attachment=einladung)

    starts = [f"body/1/{name}/?modified_since={since}" for name in LISTS]
    texts, errors, _downloads = walk(client, *starts)
    assert errors == []
    everything = "\n".join(texts.values())
    assert '"deleted": true' in everything
    for secret in (*SECRETS, "Stellenprofil Integration", "stellenprofil.pdf", "Meyer"):
        assert secret not in everything, secret
    assert "einladung.pdf" not in everything
    # Stubs reached through the lists and followed to their own URLs.
    assert f'{ROOT}paper/{oparl_data["public_paper"].pk}/"' in everything
    assert f'{ROOT}person/{meyer.pk}/"' in everything
    # Never public: not reached at all.
    assert f'{ROOT}paper/{oparl_data["secret_paper"].pk}/"' not in everything
    assert f'{ROOT}organization/{oparl_data["secret_body"].pk}/"' not in everything


def test_oparl_hard_deleted_public_file_is_a_stub(client, oparl_data, coordinator):
    meeting = oparl_data["meeting"]
    einladung = meeting.attachments.get(is_public=True)
    before = timezone.now()
    attachment_delete(by=coordinator, attachment=einladung)

    data = stub(client, f"file/{einladung.pk}/", "einladung.pdf", "Einladung")
    assert at_or_after(data["modified"], before)
    assert client.get(f"{ROOT}file/{einladung.pk}/download/").status_code == 404
    # The meeting embedding it counts as changed, so synchronising clients reload it.
    assert f"{ROOT}meeting/{meeting.pk}/" in listed(client, "meeting", before)


def test_oparl_hard_deleted_agenda_item_is_a_stub(client, oparl_data, coordinator):
    draft = Meeting.objects.get(minutes_status=Meeting.MinutesStatus.DRAFT)
    item = AgendaItemFactory(meeting=draft, title="Abgesetzter Punkt")
    before = timezone.now()
    item_delete(by=coordinator, item=item)

    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    stub(client, f"agendaitem/{item.pk}/", "Abgesetzter Punkt")
    assert f"{ROOT}meeting/{draft.pk}/" in listed(client, "meeting", before)


def test_oparl_hard_deleted_membership_and_its_last_person_are_stubs(client, oparl_data):
    seat = Membership.objects.select_related("person").get(person__last_name="Meyer")
    seat_id, person_id = seat.pk, seat.person_id
    before = timezone.now()
    with publication_watch():
        seat.delete()

    stub(client, f"membership/{seat_id}/")
    stub(client, f"person/{person_id}/", "Meyer")
    assert listed(client, "person", before)[f"{ROOT}person/{person_id}/"]["deleted"] is True
    assert f"{ROOT}organization/{seat.body_id}/" in listed(client, "organization", before)


def test_oparl_hard_deleted_consultation_is_a_stub(client, oparl_data, coordinator):
    paper = oparl_data["public_paper"]
    extra = ConsultationFactory(paper=paper, body=BodyFactory(name="Rat"), position=3)
    entries = [
        ConsultationEntry(consultation=c, body=c.body, role=c.role, delete=c.pk == extra.pk)
        for c in paper.consultations.order_by("position")
    ]
    consultations_save(by=coordinator, paper=paper, entries=entries)
    stub(client, f"consultation/{extra.pk}/")


def test_oparl_deleting_a_non_public_object_leaves_no_trace(client, oparl_data, coordinator):
    secret_file = oparl_data["secret_paper"].attachments.get()
    attachment_delete(by=coordinator, attachment=secret_file)
    assert not OParlTombstone.objects.exists()
    unknown(client, f"file/{secret_file.pk}/")


def test_oparl_publication_watch_records_nothing_when_the_block_fails(oparl_data):
    paper = oparl_data["public_paper"]

    def depublish_and_fail():
        with publication_watch():
            Paper.objects.filter(pk=paper.pk).update(is_public=False)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        depublish_and_fail()
    assert not OParlTombstone.objects.exists()
    assert Paper.objects.get(pk=paper.pk).is_public


def test_oparl_tombstone_gives_way_to_a_live_object(client, oparl_data):
    """A person seated again is answered from the rows, listed once, in full."""
    seat = Membership.objects.get(person__last_name="Meyer")
    person, body = seat.person, seat.body
    with publication_watch():
        seat.delete()
    with publication_watch():
        Membership.objects.create(person=person, body=body, role=Membership.Role.MEMBER)
    assert client.get(f"{ROOT}person/{person.pk}/").json()["familyName"] == "Meyer"
    since = timezone.now() - YESTERDAY
    assert "deleted" not in listed(client, "person", since)[f"{ROOT}person/{person.pk}/"]


@pytest.mark.parametrize("name", ["paper", "meeting", "person", "organization"])
def test_oparl_list_with_modified_since_query_count_is_constant(
    client, media_root, coordinator, name
):
    since = (timezone.now() - YESTERDAY).isoformat()

    def grow():
        """Public, depublished and never public of every kind."""
        bodies, papers = [], []
        for is_public in (True, True, False):
            bodies.append(BodyFactory(is_public=is_public))
            Membership.objects.create(person=PersonFactory(), body=bodies[-1])
            papers.append(PaperFactory(is_public=is_public))
            attach("Anlage", "anlage.pdf", paper=papers[-1])
            AgendaItemFactory(meeting=MeetingFactory(body=bodies[-1]), paper=papers[-1])
        # One public of each goes: a body with its meeting and seat, a paper.
        body_update(by=coordinator, body=bodies[1], is_public=False)
        paper_update(by=coordinator, paper=papers[1], is_public=False)

    grow()
    with CaptureQueriesContext(connection) as few:
        client.get(f"{ROOT}body/1/{name}/", {"modified_since": since})
    for _ in range(4):
        grow()
    with CaptureQueriesContext(connection) as many:
        data = client.get(f"{ROOT}body/1/{name}/", {"modified_since": since}).json()["data"]
    assert any(obj.get("deleted") for obj in data)
    assert any(not obj.get("deleted") for obj in data)
    assert len(many) == len(few)


def test_oparl_deleted_stub_validator_rejects_content():
    leaky = {
        "id": "https://integration.example.org/oparl/v1/paper/1/",
        "type": "https://schema.oparl.org/1.1/Paper",
        "created": "2026-01-01T10:00:00+01:00",
        "modified": "2026-01-02T10:00:00+01:00",
        "deleted": True,
        "name": "Geheime Vorlage",
    }
    assert oparl_errors(leaky)
    assert oparl_errors({**leaky, "name": None} | {"deleted": False})
    del leaky["name"]
    assert oparl_errors(leaky) == []
