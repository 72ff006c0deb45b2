"""The portal's full-text search over papers, agenda items, minutes texts,
resolutions and the text of files.

Every kind of result starts from its ``*_visible_to`` queryset in
``minutes.selectors.access``; the filters, the ranking, the facet counts and
the snippets only ever see those rows, so nothing hidden can show through.

Two backends:

- ``fulltext`` (PostgreSQL): German full-text search. One ranked query per kind
  returns only ids and ranks; they are merged into one list in Python, and the
  rows of the shown page are loaded with a ``ts_headline`` snippet (at most one
  query per kind). The vectors below match the GIN expression indexes of
  migration 0003 exactly, so those indexes can serve the queries.
- ``simple`` (any database, the default on SQLite): every word must occur
  (``icontains``), ranked by the field it occurs in, snippet cut in Python.
"""

import re
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, LPad
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext_lazy

from ..models import AgendaItem, Attachment, Paper, Resolution
from .access import (
    agenda_items_visible_to,
    attachments_visible_to,
    meetings_visible_to,
    minutes_items_visible_to,
    papers_visible_to,
    resolutions_visible_to,
)
from .papers import REFERENCE

PAGE_SIZE = 20
CONFIG = "german"
# Private-use markers around hits: the snippet is escaped as a whole and only
# then are the markers turned into <mark>, so user text can never become markup.
START, STOP = "\x02", "\x03"
# At most this many words of a query are used by the simple backend.
MAX_TERMS = 10
# Characters of context before and after the first hit in a simple snippet.
SNIPPET_BEFORE, SNIPPET_AFTER = 80, 160
# Field weights of the simple backend, as ts_rank weighs A, B and C.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2}

Backend = Literal["fulltext", "simple"]


class ResultKind:
    PAPER = "paper"
    ITEM = "item"
    MINUTES = "minutes"
    RESOLUTION = "resolution"
    FILE = "file"

    choices = [
        (PAPER, pgettext_lazy("search facet", "Papers")),
        (ITEM, pgettext_lazy("search facet", "Agenda items")),
        (MINUTES, pgettext_lazy("search facet", "Minutes")),
        (RESOLUTION, pgettext_lazy("search facet", "Resolutions")),
        (FILE, pgettext_lazy("search facet", "Files")),
    ]
    badges = {
        PAPER: pgettext_lazy("search result", "Paper"),
        ITEM: pgettext_lazy("search result", "Agenda item"),
        MINUTES: pgettext_lazy("search result", "Minutes"),
        RESOLUTION: pgettext_lazy("search result", "Resolution"),
        FILE: pgettext_lazy("search result", "File"),
    }
    order = [PAPER, ITEM, MINUTES, RESOLUTION, FILE]


# --- Search vectors (keep identical to migration 0003_search_indexes) -----------------


def paper_reference_expression():
    """The printed reference "2020/031" or "2020/031-1" as an SQL expression."""
    serial = Cast("serial", TextField())
    return Concat(
        Cast("year", TextField()),
        Value("/"),
        Case(
            When(serial__lt=1000, then=LPad(serial, 3, Value("0"))),
            default=serial,
            output_field=TextField(),
        ),
        Case(
            When(supplement__gt=0, then=Concat(Value("-"), Cast("supplement", TextField()))),
            default=Value(""),
            output_field=TextField(),
        ),
        output_field=TextField(),
    )


def _vector(*fields_and_weights):
    vectors = [SearchVector(f, config=CONFIG, weight=w) for f, w in fields_and_weights]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def search_vectors() -> dict[str, SearchVector]:
    """The document of each kind of result, weighted: titles and references A,
    texts B, extracted file text C."""
    return {
        ResultKind.PAPER: _vector(
            (paper_reference_expression(), "A"), ("title", "A"), ("text", "B"), ("proposal", "B")
        ),
        ResultKind.ITEM: _vector(("title", "A")),
        ResultKind.MINUTES: _vector(("minutes_text", "B")),
        ResultKind.RESOLUTION: _vector(("text", "B")),
        ResultKind.FILE: _vector(("name", "A"), ("text", "C")),
    }


# Fields the simple backend searches, with their weights; the first listed
# text field(s) of SNIPPET_FIELDS give the snippet.
SIMPLE_FIELDS = {
    ResultKind.PAPER: (("title", "A"), ("text", "B"), ("proposal", "B")),
    ResultKind.ITEM: (("title", "A"),),
    ResultKind.MINUTES: (("minutes_text", "B"),),
    ResultKind.RESOLUTION: (("text", "B"),),
    ResultKind.FILE: (("name", "A"), ("text", "C")),
}
SNIPPET_FIELDS = {
    ResultKind.PAPER: ("text", "proposal"),
    ResultKind.ITEM: (),
    ResultKind.MINUTES: ("minutes_text",),
    ResultKind.RESOLUTION: ("text",),
    ResultKind.FILE: ("text",),
}


# --- Filters and results ------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    """What the visitor narrowed the search to (all optional)."""

    body_id: int | None = None
    year: int | None = None
    paper_kind: str = ""
    kind: str = ""


@dataclass
class SearchHit:
    kind: str
    pk: int
    rank: float
    obj: Model | None = None
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))
    is_public: bool = True
    # The paper an agenda item, minutes text or resolution treats, if visible.
    paper: Paper | None = None

    @property
    def badge(self):
        return ResultKind.badges[self.kind]


@dataclass
class SearchResults:
    page: Page
    count: int
    facets: list[tuple[str, str, int]]  # (kind, label, count) in display order
    total: int  # over all kinds


def search_backend() -> Backend:
    return "fulltext" if connection.vendor == "postgresql" else "simple"


def search_terms(query: str, *, excluded: bool = False) -> list[str]:
    """The words of ``query`` for the simple backend (``excluded``: those written
    "-word"), quotes dropped, references normalised ("2020/31" → "2020/031")."""
    words = []
    for raw in query.split():
        word = raw.strip("\"'„“”()")
        if word.startswith("-") != excluded:
            continue
        word = word.lstrip("-+")
        if word and word.lower() != "or":
            words.append(_normalise_reference(word))
    return words[:MAX_TERMS]


def _normalise_reference(word: str) -> str:
    match = REFERENCE.match(word)
    if not match:
        return word
    reference = f"{match[1]}/{int(match[2]):03d}"
    return f"{reference}-{int(match[3])}" if match[3] and int(match[3]) else reference


# --- Base querysets: visible rows, filtered ------------------------------------------


def _base_querysets(*, user, filters: SearchFilters) -> dict[str, QuerySet]:
    """Each kind's visible rows narrowed by body, year and kind of paper."""
    papers = papers_visible_to(user)
    items = agenda_items_visible_to(user)
    minutes = minutes_items_visible_to(user)
    resolutions = resolutions_visible_to(user)
    files = attachments_visible_to(user)
    if filters.body_id:
        # A paper belongs to a body through its Beratungsfolge or an agenda item
        # the user may see (a hidden item must not place a paper in a body).
        in_body = Q(consultations__body_id=filters.body_id) | Q(
            agenda_items__in=items.filter(meeting__body_id=filters.body_id)
        )
        body_papers = Paper.objects.filter(in_body).values("pk")
        papers = papers.filter(pk__in=body_papers)
        items = items.filter(meeting__body_id=filters.body_id)
        minutes = minutes.filter(meeting__body_id=filters.body_id)
        resolutions = resolutions.filter(agenda_item__meeting__body_id=filters.body_id)
        files = files.filter(Q(paper__in=body_papers) | Q(meeting__body_id=filters.body_id))
    if filters.year:
        papers = papers.filter(date__year=filters.year)
        items = items.filter(meeting__date__year=filters.year)
        minutes = minutes.filter(meeting__date__year=filters.year)
        resolutions = resolutions.filter(agenda_item__meeting__date__year=filters.year)
        files = files.filter(
            Q(paper__date__year=filters.year) | Q(meeting__date__year=filters.year)
        )
    if filters.paper_kind:
        # Only visible papers count: a hidden paper's kind must not select an item.
        of_kind = papers_visible_to(user).filter(kind=filters.paper_kind).values("pk")
        papers = papers.filter(kind=filters.paper_kind)
        items = items.filter(paper__in=of_kind)
        minutes = minutes.filter(paper__in=of_kind)
        resolutions = resolutions.filter(agenda_item__paper__in=of_kind)
        files = files.filter(paper__in=of_kind)
    return {
        ResultKind.PAPER: papers,
        ResultKind.ITEM: items,
        ResultKind.MINUTES: minutes,
        ResultKind.RESOLUTION: resolutions,
        ResultKind.FILE: files,
    }


# --- Ranking: one query per kind, ids and ranks only ---------------------------------


def websearch_query(query: str) -> SearchQuery:
    normalised = " ".join(_normalise_reference(word) for word in query.split())
    return SearchQuery(normalised, config=CONFIG, search_type="websearch")


def _rank_fulltext(querysets: dict[str, QuerySet], query: str) -> dict[str, list]:
    search_query = websearch_query(query)
    vectors = search_vectors()
    ranked = {}
    for kind, queryset in querysets.items():
        ranked[kind] = list(
            queryset.alias(document=vectors[kind])
            .filter(document=search_query)
            .annotate(rank=SearchRank(F("document"), search_query))
            .values_list("pk", "rank")
        )
    return ranked


def _scored(condition: Q, weight: str) -> Case:
    return Case(
        When(condition, then=Value(WEIGHTS[weight])), default=0.0, output_field=FloatField()
    )


def _rank_simple(querysets: dict[str, QuerySet], query: str) -> dict[str, list]:
    terms, excluded = search_terms(query), search_terms(query, excluded=True)
    ranked = {}
    for kind, queryset in querysets.items():
        if not terms:
            ranked[kind] = []
            continue
        condition, rank = Q(), Value(0.0, output_field=FloatField())
        for term in terms:
            scored = [(Q(**{f"{name}__icontains": term}), w) for name, w in SIMPLE_FIELDS[kind]]
            reference = REFERENCE.match(term)
            if kind == ResultKind.PAPER and reference:
                serial, supplement = int(reference[2]), int(reference[3] or 0)
                scored.append(
                    (Q(year=int(reference[1]), serial=serial, supplement=supplement), "A")
                )
            matches = Q()
            for match, weight in scored:
                matches |= match
                rank = rank + _scored(match, weight)
            condition &= matches
        for term in excluded:
            for name, _weight in SIMPLE_FIELDS[kind]:
                condition &= ~Q(**{f"{name}__icontains": term})
        ranked[kind] = list(
            queryset.filter(condition).annotate(rank=rank).values_list("pk", "rank")
        )
    return ranked


# --- Loading the shown page -----------------------------------------------------------

ANONYMOUS = AnonymousUser()


def _page_querysets(*, user) -> dict[str, QuerySet]:
    """Each kind's rows as a result shows them, with ``public`` telling whether
    an anonymous visitor could see it too (the "nicht öffentlich" badge) and, for
    items, minutes and resolutions, whether their paper is visible."""

    def public(queryset):
        return Exists(queryset.filter(pk=OuterRef("pk")))

    def paper_visible(path):
        return Exists(papers_visible_to(user).filter(pk=OuterRef(path)))

    items = AgendaItem.objects.select_related("meeting__body", "paper")
    return {
        ResultKind.PAPER: Paper.objects.annotate(public=public(papers_visible_to(ANONYMOUS))),
        ResultKind.ITEM: items.defer("minutes_text").annotate(
            public=public(agenda_items_visible_to(ANONYMOUS)), paper_visible=paper_visible("paper")
        ),
        ResultKind.MINUTES: items.annotate(
            public=public(minutes_items_visible_to(ANONYMOUS)),
            paper_visible=paper_visible("paper"),
        ),
        ResultKind.RESOLUTION: Resolution.objects.select_related(
            "agenda_item__meeting__body", "agenda_item__paper"
        ).annotate(
            public=public(resolutions_visible_to(ANONYMOUS)),
            paper_visible=paper_visible("agenda_item__paper"),
        ),
        ResultKind.FILE: Attachment.objects.select_related("paper", "meeting__body").annotate(
            public=public(attachments_visible_to(ANONYMOUS))
        ),
    }


def _load_page(*, user, hits: list[SearchHit], query: str, backend: Backend) -> None:
    """Fill the hits of one page with their rows and snippets (one query per kind)."""
    wanted: dict[str, list[int]] = {}
    for hit in hits:
        wanted.setdefault(hit.kind, []).append(hit.pk)
    querysets = _page_querysets(user=user)
    rows: dict[tuple[str, int], Model] = {}
    for kind, pks in wanted.items():
        queryset = querysets[kind].filter(pk__in=pks)
        if backend == "fulltext" and SNIPPET_FIELDS[kind]:
            queryset = queryset.annotate(headline=_headline(kind, query))
        for row in queryset:
            rows[kind, row.pk] = row
    terms = search_terms(query)
    for hit in hits:
        row = rows.get((hit.kind, hit.pk))
        if row is None:  # deleted between the two queries
            continue
        hit.obj, hit.is_public = row, row.public
        if getattr(row, "paper_visible", False):
            hit.paper = row.agenda_item.paper if hit.kind == ResultKind.RESOLUTION else row.paper
        if backend == "fulltext":
            hit.snippet = marked_html(getattr(row, "headline", "") or "")
        else:
            hit.snippet = simple_snippet(_snippet_text(hit.kind, row), terms)
    hits[:] = [hit for hit in hits if hit.obj is not None]


def _headline(kind: str, query: str) -> SearchHeadline:
    names = SNIPPET_FIELDS[kind]
    parts = [F(names[0])]
    for name in names[1:]:
        parts += [Value("\n"), F(name)]
    text = parts[0] if len(parts) == 1 else Concat(*parts, output_field=TextField())
    return SearchHeadline(
        text,
        websearch_query(query),
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=35,
        min_words=15,
    )


def _snippet_text(kind: str, row: Model) -> str:
    return "\n".join(value for name in SNIPPET_FIELDS[kind] if (value := getattr(row, name) or ""))


# --- Snippets --------------------------------------------------------------------------

_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")


def marked_html(text: str) -> SafeString:
    """``text`` with START…STOP around hits as safe HTML: everything escaped,
    the markers turned into <mark> (stray markers from user text dropped)."""
    escaped = escape(text)
    html = _MARKED.sub(r"<mark>\1</mark>", escaped)
    html = html.replace(START, "").replace(STOP, "")
    return mark_safe(html)  # noqa: S308 - escaped above; only <mark> added


def simple_snippet(text: str, terms: list[str]) -> SafeString:
    """A window around the first occurrence of any term, hits marked; the text's
    beginning when no term occurs in it."""
    text = " ".join(text.replace(START, "").replace(STOP, "").split())
    if not text:
        return mark_safe("")
    pattern = (
        re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE) if terms else None
    )
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - SNIPPET_BEFORE) if first else 0
    end = min(len(text), (first.end() if first else 0) + SNIPPET_AFTER)
    # Cut at word boundaries where the window lies inside the text.
    if start > 0:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = text[start:end]
    if pattern:
        window = pattern.sub(lambda match: f"{START}{match[0]}{STOP}", window)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return marked_html(f"{prefix}{window}{suffix}")


# --- The search ------------------------------------------------------------------------


def search_results(
    *,
    user,
    query: str,
    filters: SearchFilters,
    page: int | str | None = 1,
    backend: Backend | None = None,
) -> SearchResults:
    """Search what ``user`` may see for ``query``: the hits of every kind ranked
    in one list, facet counts per kind (under the other filters), and the
    requested page loaded with snippets. A constant number of queries whatever
    the number of hits: one per kind to rank, at most one per kind to load."""
    backend = backend or search_backend()
    querysets = _base_querysets(user=user, filters=filters)
    rank = _rank_fulltext if backend == "fulltext" else _rank_simple
    ranked = rank(querysets, query)
    facets = [(kind, label, len(ranked[kind])) for kind, label in ResultKind.choices]
    order = {kind: index for index, kind in enumerate(ResultKind.order)}
    hits = [
        SearchHit(kind=kind, pk=pk, rank=float(score or 0))
        for kind, rows in ranked.items()
        if not filters.kind or kind == filters.kind
        for pk, score in rows
    ]
    hits.sort(key=lambda hit: (-hit.rank, order[hit.kind], -hit.pk))
    shown = Paginator(hits, PAGE_SIZE).get_page(page)
    page_hits = list(shown.object_list)
    _load_page(user=user, hits=page_hits, query=query, backend=backend)
    shown.object_list = page_hits
    return SearchResults(
        page=shown,
        count=len(hits),
        facets=facets,
        total=sum(count for _kind, _label, count in facets),
    )


def search_years(*, user) -> list[int]:
    """The years of the papers and meetings ``user`` may see, newest first."""
    years = {day.year for day in papers_visible_to(user).dates("date", "year")}
    years |= {day.year for day in meetings_visible_to(user).dates("date", "year")}
    return sorted(years, reverse=True)
