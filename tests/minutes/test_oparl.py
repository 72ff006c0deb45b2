"""The OParl 1.1 interface: a walk from the System object through every list and
object, validated against the OParl JSON schemas, and what must never leak."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource

from minutes.models import Attachment, LegislativeTerm, Meeting, Paper

from ..actors.factories import PersonFactory
from .factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "oparl" / "schema"
BASE = "https://schema.oparl.org/1.1/"
ROOT = "/oparl/v1/"
OFFSET_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")

# Texts that exist only in non-public content (or a draft's resolution).
SECRETS = (
    "Geheimer Grundstücksankauf",
    "Geheime Vorlage Personalsache",
    "2026/077",
    "geheim-anlage.pdf",
    "Geheimer Beschluss über den Ankauf",
    "Entwurfsbeschluss noch nicht veröffentlicht",
    "Sitzung des Geheimrats",
    "Verschwiegene Person",
    "anke.privat@example.org",
    "0170 1234567",
    "Interne Notiz zur Person",
    "nicht-oeffentliche-sitzungsunterlage.pdf",
)


def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        resource = Resource.from_contents(json.loads(path.read_text()))
        # $id is ".../Meeting", the $refs between the files say "File.json".
        resources += [(f"{BASE}{path.stem}", resource), (f"{BASE}{path.name}", resource)]
    return Registry().with_resources(resources)


REGISTRY = _registry()
FORMATS = FormatChecker()


@FORMATS.checks("url")
def _is_url(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


STUB_KEYS = {"id", "type", "created", "modified", "deleted"}


def oparl_errors(obj: dict) -> list[str]:
    """Schema errors plus the rules of the 1.1 text the schemas do not hold.

    A deleted object keeps only ``id``, ``type``, ``created`` and ``modified``
    ("alle weiteren Attribute dürfen entfernt werden", 1.1 "Gelöschte Objekte"),
    which the schemas' ``required`` lists (File: accessUrl, AgendaItem: order)
    do not foresee: it is checked against its schema without them, and must
    carry nothing else."""
    kind = obj["type"].removeprefix(BASE)
    schema = REGISTRY.contents(f"{BASE}{kind}")
    errors = []
    if "deleted" in obj:
        schema = {**schema, "required": ["id", "type", "created", "modified", "deleted"]}
        if obj["deleted"] is not True or set(obj) != STUB_KEYS:
            errors.append(f"{obj['id']}: deleted object with {sorted(obj)}")
    validator = Draft7Validator(schema, registry=REGISTRY, format_checker=FORMATS)
    errors += [f"{obj['id']}: {error.message}" for error in validator.iter_errors(obj)]
    for key in ("created", "modified"):
        if not OFFSET_DATETIME.match(obj.get(key, "")):
            errors.append(f"{obj['id']}: {key} missing or without offset")
    for key, value in obj.items():
        if value in (None, "", []) and not (kind == "Body" and key == "legislativeTerm"):
            errors.append(f"{obj['id']}: empty {key}")
    return errors


def embedded_objects(value):
    """Every OParl object in ``value``, nested ones included."""
    if isinstance(value, dict):
        if "type" in value and "id" in value:
            yield value
        for item in value.values():
            yield from embedded_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from embedded_objects(item)


def urls_in(value):
    if isinstance(value, str):
        if value.startswith(settings.SITE_URL + ROOT):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from urls_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from urls_in(item)


def walk(client, *starts: str) -> tuple[dict[str, str], list[str], list[str]]:
    """Follow every URL from the System object (and ``starts``): raw texts by URL,
    errors, downloads."""
    todo = [settings.SITE_URL + ROOT, *(settings.SITE_URL + ROOT + start for start in starts)]
    texts, errors, downloads = {}, [], []
    while todo:
        url = todo.pop()
        if url in texts:
            continue
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.get(path)
        if url.endswith("/download/"):
            texts[url] = ""
            downloads.append(url)
            if response.status_code != 200:
                errors.append(f"{url}: download {response.status_code}")
            continue
        texts[url] = response.content.decode()
        if response.status_code != 200:
            errors.append(f"{url}: {response.status_code}")
            continue
        if response["Content-Type"] != "application/json; charset=utf-8":
            errors.append(f"{url}: content type {response['Content-Type']}")
        if response["Access-Control-Allow-Origin"] != "*":
            errors.append(f"{url}: no CORS header")
        data = response.json()
        if "data" in data:
            assert set(data) == {"data", "pagination", "links"}, url
        for obj in embedded_objects(data):
            errors += oparl_errors(obj)
        todo += [found for found in urls_in(data) if found not in texts]
    return texts, errors, downloads


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def attach(name: str, file_name: str, **owner) -> Attachment:
    data = b"%PDF-1.4 Inhalt von " + file_name.encode()
    return Attachment.objects.create(
        name=name,
        file=ContentFile(data, name="upload"),
        file_name=file_name,
        mime_type="application/pdf",
        size=len(data),
        sha256="0" * 64,
        **owner,
    )


@pytest.fixture
def oparl_data(media_root):
    """A public committee with members, meetings, papers and files, next to the
    non-public things of the same kinds."""
    LegislativeTerm.objects.create(
        name="2021–2026",
        start_date="2021-11-01",
        end_date="2026-10-31",
    )
    committee = BodyFactory(name="Ausschuss für Soziales und Integration", short_name="ASI")
    secret_body = BodyFactory(name="Sitzung des Geheimrats", is_public=False)
    chair = PersonFactory(
        first_name="Anke",
        last_name="Raven",
        salutation="ms",
        email="anke.privat@example.org",
        phone="0170 1234567",
        notes="Interne Notiz zur Person",
    )
    MembershipFactory(body=committee, person=chair, role="chair")
    MembershipFactory(body=committee, person=PersonFactory(last_name="Meyer"))
    MembershipFactory(body=secret_body, person=PersonFactory(last_name="Verschwiegene Person"))

    public_paper = PaperFactory(
        title="Stellenprofil Integration", year=2026, serial=31, kind=Paper.Kind.INFORMATION
    )
    PaperFactory(
        title="Ergänzung zum Stellenprofil",
        year=2026,
        serial=31,
        supplement=1,
        main_paper=public_paper,
    )
    secret_paper = PaperFactory(
        title="Geheime Vorlage Personalsache", year=2026, serial=77, is_public=False
    )
    public_paper.related_papers.add(secret_paper)
    attach("Stellenprofil", "stellenprofil.pdf", paper=public_paper)
    attach("Anlage 2", "anlage-2.pdf", paper=public_paper)
    attach("Geheime Anlage", "geheim-anlage.pdf", paper=secret_paper)

    meeting = MeetingFactory(
        body=committee, name="12. Sitzung", minutes_status=Meeting.MinutesStatus.PUBLISHED
    )
    attach("Einladung", "einladung.pdf", meeting=meeting, is_public=True)
    attach("Unterlage", "nicht-oeffentliche-sitzungsunterlage.pdf", meeting=meeting)
    public_item = AgendaItemFactory(meeting=meeting, title="Stellenprofil", paper=public_paper)
    ResolutionFactory(agenda_item=public_item, text="Der Ausschuss nimmt Kenntnis.")
    ConsultationFactory(paper=public_paper, body=committee, agenda_item=public_item)
    ConsultationFactory(paper=public_paper, body=secret_body, position=2)
    secret_item = AgendaItemFactory(
        meeting=meeting, is_public=False, title="Geheimer Grundstücksankauf", paper=secret_paper
    )
    ResolutionFactory(agenda_item=secret_item, text="Geheimer Beschluss über den Ankauf")
    ConsultationFactory(paper=secret_paper, body=committee, agenda_item=secret_item)

    draft = MeetingFactory(
        body=committee, date="2026-12-10", minutes_status=Meeting.MinutesStatus.DRAFT
    )
    draft_item = AgendaItemFactory(meeting=draft, title="Bericht der Verwaltung")
    ResolutionFactory(agenda_item=draft_item, text="Entwurfsbeschluss noch nicht veröffentlicht")
    hidden = MeetingFactory(body=secret_body, name="Sitzung des Geheimrats")
    AgendaItemFactory(meeting=hidden, title="Interna")
    return {
        "committee": committee,
        "secret_body": secret_body,
        "meeting": meeting,
        "hidden": hidden,
        "public_item": public_item,
        "secret_item": secret_item,
        "public_paper": public_paper,
        "secret_paper": secret_paper,
    }


@pytest.fixture
def walked(client, oparl_data):
    return walk(client)


def test_oparl_walk_validates_with_zero_errors(walked):
    texts, errors, downloads = walked
    assert errors == []
    # Every kind of object was reached: the walk is not trivially empty.
    reached = " ".join(texts)
    for name in ("organization/", "person/", "membership/", "meeting/", "agendaitem/"):
        assert f"{ROOT}{name}" in reached
    for name in ("paper/", "consultation/", "file/", "location/", "legislativeterm/"):
        assert f"{ROOT}{name}" in reached
    assert len(downloads) == 3  # two files of the public paper, the public meeting file


def test_oparl_walk_leaks_nothing_non_public(walked):
    texts, _errors, _downloads = walked
    everything = "\n".join(texts.values())
    assert "Stellenprofil Integration" in everything
    assert "Der Ausschuss nimmt Kenntnis." in everything
    for secret in SECRETS:
        assert secret not in everything, secret


def test_oparl_non_public_item_is_a_stub(client, oparl_data):
    item = oparl_data["secret_item"]
    data = client.get(f"{ROOT}agendaitem/{item.pk}/").json()
    assert set(data) <= {"id", "type", "order", "public", "meeting", "created", "modified"}
    assert data["public"] is False
    meeting = client.get(f"{ROOT}meeting/{oparl_data['meeting'].pk}/").json()
    public, secret = meeting["agendaItem"]
    assert (public["number"], public["order"], public["result"]) == ("Ö 1", 1, "beschlossen")
    assert public["resolutionText"] == "Der Ausschuss nimmt Kenntnis."
    assert secret == data


@pytest.mark.parametrize(
    ("route", "key"),
    [
        ("paper", "secret_paper"),
        ("meeting", "hidden"),
        ("organization", "secret_body"),
    ],
)
def test_oparl_non_public_objects_are_404_like_unknown_ids(client, oparl_data, route, key):
    """Never public: no stub, nothing that tells the row exists."""
    unknown = client.get(f"{ROOT}{route}/999999/")
    response = client.get(f"{ROOT}{route}/{oparl_data[key].pk}/")
    assert response.status_code == unknown.status_code == 404
    assert response.content == unknown.content
    assert response.json() == {
        "type": BASE + "Error",
        "message": "Dieses Objekt gibt es nicht, oder es ist nicht öffentlich.",
    }
    assert response["Access-Control-Allow-Origin"] == "*"


def test_oparl_file_download_only_for_public_files(client, oparl_data):
    public = oparl_data["public_paper"].attachments.first()
    response = client.get(f"{ROOT}file/{public.pk}/download/")
    assert response.status_code == 200
    assert 'filename="stellenprofil.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    secret = oparl_data["secret_paper"].attachments.get()
    assert client.get(f"{ROOT}file/{secret.pk}/download/").status_code == 404
    assert client.get(f"{ROOT}file/{secret.pk}/").status_code == 404
    meeting_file = oparl_data["meeting"].attachments.get(is_public=False)
    assert client.get(f"{ROOT}file/{meeting_file.pk}/download/").status_code == 404


def test_oparl_paper_relations_show_only_public_papers(client, oparl_data):
    paper = oparl_data["public_paper"]
    data = client.get(f"{ROOT}paper/{paper.pk}/").json()
    assert "relatedPaper" not in data
    assert data["reference"] == "2026/031"
    assert data["paperType"] == "Mitteilungsvorlage"
    assert len(data["subordinatedPaper"]) == 1
    assert data["mainFile"]["fileName"] == "stellenprofil.pdf"
    # The consultation in the non-public body keeps its place, without the body.
    first, second = data["consultation"]
    assert {"organization", "agendaItem", "meeting"} <= set(first)
    assert "organization" not in second
    assert "underDirectionOf" not in data


def test_oparl_person_has_names_only(client, oparl_data):
    people = client.get(f"{ROOT}body/1/person/").json()["data"]
    assert {person["familyName"] for person in people} == {"Raven", "Meyer"}
    raven = next(person for person in people if person["familyName"] == "Raven")
    assert raven["formOfAddress"] == "Frau"
    assert raven["membership"][0]["role"] == "Vorsitz"
    assert not {"email", "phone", "status", "life"} & set(raven)
