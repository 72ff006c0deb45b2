"""The portal's search: every kind of result, ranking, snippets, filters, facets,
pages, the access rules, and the search page.

Selector tests run against both backends (``backend`` fixture): the simple one
on any database, the full-text one only on PostgreSQL (skipped on SQLite
locally, a failure in CI). PostgreSQL-only behaviour (stemming, the indexes) is
in test_search_postgres.py.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minutes import demo
from minutes.models import Attachment, Meeting, Paper
from minutes.selectors import search as search_selectors
from minutes.selectors.search import (
    SearchFilters,
    marked_html,
    search_results,
    simple_snippet,
)

from .factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    MeetingFactory,
    PaperFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db

PUBLISHED = Meeting.MinutesStatus.PUBLISHED
URL = reverse("portal:search")


@pytest.fixture(params=["simple", "fulltext"])
def backend(request):
    if request.param == "fulltext":
        request.getfixturevalue("postgres_required")
    return request.param


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def attachment(text="", name="Anlage", **owner):
    return Attachment.objects.create(
        name=name,
        file=ContentFile(b"%PDF-1.4", name="anlage.pdf"),
        file_name="anlage.pdf",
        mime_type="application/pdf",
        size=8,
        text=text,
        **owner,
    )


def run(query, backend, user=None, page=1, **filters):
    return search_results(
        user=user or AnonymousUser(),
        query=query,
        filters=SearchFilters(**filters),
        page=page,
        backend=backend,
    )


def hits(results):
    return [(hit.kind, hit.obj) for hit in results.page.object_list]


def facets(results):
    return {kind: count for kind, _label, count in results.facets}


@pytest.fixture
def every_kind(body):
    """One public result of each kind, each mentioning "Quartiersarbeit"."""
    meeting = MeetingFactory(body=body, minutes_status=PUBLISHED, date=datetime.date(2025, 3, 4))
    paper = PaperFactory(title="Sprachförderung", text="Bericht zur Quartiersarbeit im Ort.")
    item = AgendaItemFactory(meeting=meeting, title="Quartiersarbeit im Nordviertel")
    minutes_item = AgendaItemFactory(
        meeting=meeting, title="Bericht", minutes_text="Frau Meyer lobt die Quartiersarbeit."
    )
    resolution = ResolutionFactory(
        agenda_item=AgendaItemFactory(meeting=meeting, title="Förderung"),
        text="Die Quartiersarbeit wird fortgesetzt.",
    )
    file = attachment(paper=paper, name="Konzept", text="Anlage: Konzept der Quartiersarbeit.")
    return {
        "paper": paper,
        "item": item,
        "minutes": minutes_item,
        "resolution": resolution,
        "file": file,
        "meeting": meeting,
    }


# --- Kinds, ranking, snippets ---------------------------------------------------------


def test_search_finds_each_kind_of_result(every_kind, backend):
    results = run("Quartiersarbeit", backend)

    found = set(hits(results))
    assert found == {(kind, every_kind[kind]) for kind in search_selectors.ResultKind.order}
    assert facets(results) == dict.fromkeys(search_selectors.ResultKind.order, 1)
    assert results.count == results.total == 5


def test_search_finds_attachment_text(every_kind, backend):
    results = run("Konzept Quartiersarbeit", backend, kind="file")

    assert hits(results) == [("file", every_kind["file"])]
    assert "<mark>Quartiersarbeit</mark>" in results.page.object_list[0].snippet


def test_search_ranks_title_hit_before_text_hit(backend):
    in_text = PaperFactory(title="Bericht", text="Es geht um die Ehrenamtskarte.")
    in_title = PaperFactory(title="Ehrenamtskarte für Helfende", text="Sachverhalt.")

    results = run("Ehrenamtskarte", backend)

    assert [obj for _kind, obj in hits(results)] == [in_title, in_text]


def test_search_snippet_marks_hit_and_escapes_markup(backend):
    PaperFactory(
        title="Bericht",
        text="Vorab <script>alert(1)</script> und <img src=x onerror=alert(1)> "
        'zur Stadtteilarbeit "hier".',
    )

    snippet = run("Stadtteilarbeit", backend).page.object_list[0].snippet

    assert "<mark>Stadtteilarbeit</mark>" in snippet
    assert "<script" not in snippet
    assert "<img" not in snippet
    assert "&lt;img src=x onerror=alert(1)&gt;" in snippet
    assert snippet.count("<") == snippet.count("<mark>") + snippet.count("</mark>")


def test_marked_html_escapes_and_drops_stray_markers():
    html = marked_html("a <b>\x02Treffer\x03</b> & \x02 \x03\x03 c")

    assert html == "a &lt;b&gt;<mark>Treffer</mark>&lt;/b&gt; &amp; <mark> </mark> c"


def test_simple_snippet_is_a_window_around_the_first_hit():
    text = "Einleitung " * 40 + "Die <Tafel> hilft. " + "Schluss " * 40

    snippet = simple_snippet(text, ["tafel"])

    assert snippet.startswith("… ")
    assert snippet.endswith(" …")
    assert "&lt;<mark>Tafel</mark>&gt; hilft." in snippet
    assert len(snippet) < 320


def test_simple_backend_requires_every_word(backend):
    both = PaperFactory(title="Wohnraum", text="Wohnraum für Geflüchtete in Twistringen.")
    PaperFactory(title="Wohnraum", text="Nur Wohnraum.")

    assert hits(run("Wohnraum Twistringen", backend)) == [("paper", both)]


def test_search_finds_paper_by_reference(backend):
    paper = PaperFactory(year=2020, serial=31, title="Stelle")
    PaperFactory(year=2020, serial=32, title="Andere")

    assert hits(run("2020/031", backend)) == [("paper", paper)]
    assert hits(run("2020/31", backend)) == [("paper", paper)]


def test_search_acceptance_twistringen_paper_found(backend):
    paper = PaperFactory(title=demo.TWISTRINGEN, text="Sachverhalt: Stellenprofil.")
    PaperFactory(title="Integrationskurse der Volkshochschule")

    assert ("paper", paper) in hits(run("Stellenprofil Integration", backend))


# --- Filters, facets, pages -------------------------------------------------------------


@pytest.fixture
def filtered_world(body, other_body):
    """Papers and items mentioning "Familienzentrum" across bodies, years and kinds."""
    old = MeetingFactory(body=body, date=datetime.date(2024, 5, 6), minutes_status=PUBLISHED)
    new = MeetingFactory(body=other_body, date=datetime.date(2025, 5, 6), minutes_status=PUBLISHED)
    motion = PaperFactory(
        title="Familienzentrum erweitern",
        kind=Paper.Kind.MOTION,
        date=datetime.date(2024, 4, 1),
    )
    ConsultationFactory(paper=motion, body=body)
    information = PaperFactory(
        title="Familienzentrum: Bericht",
        kind=Paper.Kind.INFORMATION,
        date=datetime.date(2025, 4, 1),
    )
    ConsultationFactory(paper=information, body=other_body)
    return {
        "motion": motion,
        "information": information,
        "old_item": AgendaItemFactory(meeting=old, title="Familienzentrum", paper=motion),
        "new_item": AgendaItemFactory(meeting=new, title="Familienzentrum", paper=information),
        "old_file": attachment(meeting=old, is_public=True, text="Familienzentrum Plan"),
        "new_file": attachment(paper=information, text="Familienzentrum Zahlen"),
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"motion", "information", "old_item", "new_item", "old_file", "new_file"}),
        ({"body": "body"}, {"motion", "old_item", "old_file"}),
        ({"body": "other_body"}, {"information", "new_item", "new_file"}),
        ({"year": 2024}, {"motion", "old_item", "old_file"}),
        ({"paper_kind": Paper.Kind.INFORMATION}, {"information", "new_item", "new_file"}),
        ({"kind": "item"}, {"old_item", "new_item"}),
        ({"kind": "file", "year": 2025}, {"new_file"}),
    ],
)
def test_search_filters(filtered_world, filters, expected, backend, request):
    filters = dict(filters)  # shared by the parametrised runs
    if "body" in filters:
        filters["body_id"] = request.getfixturevalue(filters.pop("body")).pk

    results = run("Familienzentrum", backend, **filters)

    assert {obj for _kind, obj in hits(results)} == {filtered_world[key] for key in expected}


def test_search_facets_honour_the_other_filters_but_not_the_kind(filtered_world, body, backend):
    results = run("Familienzentrum", backend, body_id=body.pk, kind="item")

    assert facets(results) == {"paper": 1, "item": 1, "minutes": 0, "resolution": 0, "file": 1}
    assert results.count == 1
    assert results.total == 3


def test_search_paginates_twenty_per_page(backend):
    PaperFactory.create_batch(45, title="Seniorenbeirat", text="Sachverhalt.")

    last = run("Seniorenbeirat", backend, page=3)

    assert last.count == 45
    assert last.page.number == 3
    assert len(last.page.object_list) == 5
    assert run("Seniorenbeirat", backend, page=99).page.number == 3


# --- Access -------------------------------------------------------------------------


@pytest.fixture
def secret_world(body):
    """Everything about "Zauberwort" is hidden from anonymous visitors."""
    paper = PaperFactory(title="Zauberwort Personal", text="Zauberwort", is_public=False)
    ConsultationFactory(paper=paper, body=body)
    public_meeting = MeetingFactory(body=body, minutes_status=PUBLISHED)
    draft_meeting = MeetingFactory(body=body, minutes_status=Meeting.MinutesStatus.DRAFT)
    draft_item = AgendaItemFactory(
        meeting=draft_meeting, title="Bericht", minutes_text="Zauberwort im Entwurf"
    )
    return {
        "paper": paper,
        "item": AgendaItemFactory(
            meeting=public_meeting, title="Zauberwort vertraulich", is_public=False
        ),
        "minutes": draft_item,
        "resolution": ResolutionFactory(
            agenda_item=AgendaItemFactory(meeting=draft_meeting, title="Beschluss"),
            text="Zauberwort beschlossen",
        ),
        "file": attachment(meeting=public_meeting, is_public=False, text="Zauberwort Anlage"),
        # Public, treating the hidden paper: found, but the paper stays unnamed.
        "public_item": AgendaItemFactory(
            meeting=public_meeting, title="Öffentlicher Punkt", paper=paper
        ),
    }


def test_search_anonymous_never_finds_hidden_content(secret_world, backend):
    results = run("Zauberwort", backend)

    assert results.count == results.total == 0
    assert set(facets(results).values()) == {0}


def test_search_body_member_finds_their_body_hidden_content(secret_world, body_member, backend):
    results = run("Zauberwort", backend, user=body_member)

    found = {(hit.kind, hit.obj): hit.is_public for hit in results.page.object_list}
    assert found == {
        ("paper", secret_world["paper"]): False,
        ("item", secret_world["item"]): False,
        ("minutes", secret_world["minutes"]): False,
        ("resolution", secret_world["resolution"]): False,
        ("file", secret_world["file"]): False,
    }


def test_search_other_member_finds_nothing_hidden(secret_world, other_member, backend):
    assert run("Zauberwort", backend, user=other_member).total == 0


def test_search_hidden_paper_neither_named_nor_filtered_by(secret_world, backend):
    results = run("Öffentlicher Punkt", backend)

    [hit] = results.page.object_list
    assert hit.obj == secret_world["public_item"]
    assert hit.paper is None
    assert run("Öffentlicher Punkt", backend, paper_kind=Paper.Kind.RESOLUTION_PROPOSAL).total == 0


def _page_text(django_app, query, user=None):
    page = django_app.get(URL, params={"q": query}, user=user)
    return page.text.replace(query, "QUERY")


def test_search_page_anonymous_same_as_for_an_unknown_word(secret_world, django_app):
    assert "Zauberwort" not in _page_text(django_app, "Zauberwort")
    assert _page_text(django_app, "Zauberwort") == _page_text(django_app, "Quatschwort")


def test_search_page_marks_member_results_not_public(secret_world, django_app, body_member):
    page = django_app.get(URL, params={"q": "Zauberwort Personal"}, user=body_member)

    assert "1 Treffer" in page.text
    assert "nicht öffentlich" in page.text
    assert reverse("portal:paper_detail", args=[secret_world["paper"].pk]) in page.text


# --- The page ---------------------------------------------------------------------------


def test_search_page_without_query_shows_help(django_app):
    page = django_app.get(URL)

    assert page.html.find("label", string="Suchbegriff")
    assert "„Flüchtlinge“ findet auch „Flüchtling“" in page.text
    assert not page.html.select(".search-facets, .search-results")


def test_search_page_shows_each_kind_with_links(every_kind, django_app):
    form = django_app.get(URL).forms["search-form"]
    form["q"] = "Quartiersarbeit"
    page = form.submit()

    assert "5 Treffer" in page.text
    for badge in ("Vorlage", "Tagesordnungspunkt", "Protokoll", "Beschluss", "Datei"):
        assert page.html.find("span", class_="badge", string=badge), badge
    paper, file = every_kind["paper"], every_kind["file"]
    links = {a["href"] for a in page.html.select(".search-result a")}
    assert links == {
        reverse("portal:paper_detail", args=[paper.pk]),
        reverse("portal:item_detail", args=[every_kind["item"].pk]),
        reverse("portal:item_detail", args=[every_kind["minutes"].pk]),
        reverse("portal:item_detail", args=[every_kind["resolution"].agenda_item_id]),
        reverse("portal:file_download", args=[file.pk]),
    }
    assert page.html.select(".search-snippet mark")
    assert "Di, 04.03.2025" in page.text


def test_search_page_escapes_script_in_paper_text(django_app):
    PaperFactory(title="Bericht", text="<script>alert(1)</script> Stadtteilarbeit")

    page = django_app.get(URL, params={"q": "Stadtteilarbeit"})

    assert "<script>alert(1)" not in page.text
    assert not [s for s in page.html.find_all("script") if "alert" in s.text]


def test_search_page_no_hits_gives_tips(django_app):
    page = django_app.get(URL, params={"q": "Nirgendwowort"})

    assert "0 Treffer" in page.text
    assert "Zu Ihrer Suche wurde nichts gefunden." in page.text
    assert "Prüfen Sie die Schreibweise" in page.text


def test_search_page_refuses_overlong_query(django_app, monkeypatch):
    def fail(**kwargs):
        raise AssertionError("no search may run")

    monkeypatch.setattr("minutes.portal.views.search.search_results", fail)

    page = django_app.get(URL, params={"q": "x" * 201})

    assert "Der Suchbegriff ist zu lang: Bitte verwenden Sie höchstens 200 Zeichen." in page.text
    assert "es wurde noch nicht gesucht" in page.text


def test_search_page_pagination_keeps_filters(django_app, body):
    meeting = MeetingFactory(body=body)
    for _ in range(25):
        AgendaItemFactory(meeting=meeting, title="Kitaplätze")

    page = django_app.get(URL, params={"q": "Kitaplätze", "body": body.pk, "kind": "item"})
    page = page.click(href="page=2")

    assert "25 Treffer" in page.text
    assert len(page.html.select(".search-result")) == 5
    assert page.request.GET["body"] == str(body.pk)
    assert page.request.GET["kind"] == "item"


def test_search_page_post_not_allowed(client):
    assert client.post(URL, {"q": "Bericht"}).status_code == 405


def test_search_page_offers_only_visible_bodies(django_app, body):
    hidden = BodyFactory(name="Geheimer Arbeitskreis", is_public=False)

    page = django_app.get(URL)

    options = [text for _value, _selected, text in page.forms["search-form"]["body"].options]
    assert body.name in options
    assert hidden.name not in options


def _queries(django_app, count):
    PaperFactory.create_batch(count, title="Ehrenamtsbörse", text="Ehrenamtsbörse im Rathaus")
    with CaptureQueriesContext(connection) as queries:
        django_app.get(URL, params={"q": "Ehrenamtsbörse"})
    return len(queries)


def test_search_page_query_count_constant(django_app, body, django_assert_max_num_queries):
    few = _queries(django_app, 5)
    Paper.objects.all().delete()
    many = _queries(django_app, 40)

    assert few == many
    with django_assert_max_num_queries(few):
        django_app.get(URL, params={"q": "Ehrenamtsbörse", "page": 2})


def test_search_excludes_words_written_with_a_minus(backend):
    wanted = PaperFactory(title="Integrationsmanagement", text="Sachverhalt.")
    PaperFactory(title="Integrationsmanagement", text="Kosten und Handeln.")

    assert hits(run("Integrationsmanagement -Handeln", backend)) == [("paper", wanted)]


def test_search_page_ignores_unknown_kind_and_page(every_kind, django_app):
    page = django_app.get(URL, params={"q": "Quartiersarbeit", "kind": "nope", "page": "x²"})

    assert "5 Treffer" in page.text
