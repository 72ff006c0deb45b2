"""The read-only OParl 1.1 interface: public data for everyone, as JSON.

No login, GET only, CORS open to every origin (the data is public). Every
queryset comes from ``.selectors`` (the access rules for an anonymous user),
so what a member or the staff may see never reaches this interface. Errors,
including 404 for unknown ids, are OParl error objects.

Deleted and depublished objects (``.deleted``): OParl 1.1 wants their URLs to
keep answering 200 with ``{"id", "type", "created", "modified", "deleted": true}``
(``modified`` = when it went) and clients to learn of them through the
``modified_since`` filter. Only objects that were public have such a stub: an
``OParlTombstone`` recorded by ``minutes.services.oparl.publication_watch`` when
they left the public data (deleted, cascaded or depublished). Any other
non-public row answers the same 404 as an unknown id and is never listed nor
counted. Lists show only public objects, unless ``modified_since`` is given (a
client synchronising): then the stubs of objects gone since then are listed
among them, by id; an object public again is listed once, in full.
"""

import json
import math

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Max, Min, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from ..models import LegislativeTerm, OParlTombstone
from . import deleted, selectors, serializers

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# URL parameter: (OParl attribute, lookup). Public rows keep them in created_at/updated_at.
FILTERS = {
    "created_since": ("created", "gte"),
    "created_until": ("created", "lte"),
    "modified_since": ("modified", "gte"),
    "modified_until": ("modified", "lte"),
}
FIELDS = {"created": "created_at", "modified": "updated_at"}


class OParlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def json_response(data: dict, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(status: int, message: str) -> HttpResponse:
    return json_response({"type": serializers.SCHEMA + "Error", "message": message}, status=status)


@method_decorator(login_not_required, name="dispatch")
class OParlView(View):
    """GET only; renders ``get_data()`` as JSON, errors as OParl error objects."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        with translation.override("de"):
            try:
                response = super().dispatch(request, *args, **kwargs)
            except Http404:
                response = error_response(404, _("This object does not exist or is not public."))
            except OParlError as error:
                response = error_response(error.status, error.message)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = error_response(405, _("This interface is read-only: only GET is supported."))
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response

    def get(self, request, *args, **kwargs):
        return json_response(self.get_data())

    def get_data(self) -> dict:
        raise NotImplementedError


def _body_stamps() -> tuple:
    """``created``/``modified`` of System and Body, which have no row of their own:
    the earliest creation and the latest change of the bodies and terms."""
    now = timezone.now()
    bodies = selectors.organizations_public().aggregate(
        first=Min("created_at"), last=Max("updated_at")
    )
    terms = LegislativeTerm.objects.aggregate(first=Min("created_at"), last=Max("updated_at"))
    created = min((v for v in (bodies["first"], terms["first"]) if v), default=now)
    modified = max((v for v in (bodies["last"], terms["last"]) if v), default=created)
    return created, modified


def _check_body(pk: int) -> None:
    if pk != serializers.BODY_PK:
        raise Http404


class SystemView(OParlView):
    def get_data(self):
        created, modified = _body_stamps()
        return serializers.system(created=created, modified=modified)


def _body_data() -> dict:
    created, modified = _body_stamps()
    terms = list(selectors.legislative_terms_public())
    return serializers.body(created=created, modified=modified, terms=terms)


class BodyView(OParlView):
    def get_data(self):
        _check_body(self.kwargs["pk"])
        return _body_data()


class ObjectView(OParlView):
    """One object by primary key, from a public queryset; one that was public
    and went (deleted or depublished) as its recorded stub; else 404."""

    kind: OParlTombstone.Kind

    def get_queryset(self) -> QuerySet:
        raise NotImplementedError

    def serialize(self, obj) -> dict:
        raise NotImplementedError

    def get_data(self):
        pk = self.kwargs["pk"]
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is not None:
            return self.serialize(obj)
        stub = deleted.stub(deleted.KINDS[self.kind], pk)
        if stub is None:
            raise Http404
        return stub


class ListView(OParlView):
    """A paginated OParl list with the created/modified filters and ``limit``;
    with ``modified_since`` also the deleted and depublished objects."""

    kind: OParlTombstone.Kind

    def get_queryset(self) -> QuerySet:
        raise NotImplementedError

    def serialize(self, obj) -> dict:
        raise NotImplementedError

    def filters(self) -> dict[str, dict]:
        """``{"created": {"gte": …}, "modified": {"lte": …}}`` from the URL."""
        lookups: dict[str, dict] = {"created": {}, "modified": {}}
        for param, (field, op) in FILTERS.items():
            raw = self.request.GET.get(param)
            if raw is None:
                continue
            try:
                # A "+" of an offset arrives as a space unless the client encoded it.
                value = parse_datetime(raw.replace(" ", "+"))
            except ValueError:
                value = None
            if value is None:
                raise OParlError(
                    400,
                    _("“%(name)s” must be a date and time in ISO 8601, e.g. %(example)s.")
                    % {"name": param, "example": "2026-01-31T12:00:00+01:00"},
                )
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            lookups[field][op] = value
        return lookups

    def limit_and_page(self) -> tuple[int, int]:
        try:
            limit = int(self.request.GET.get("limit", DEFAULT_LIMIT))
            page = int(self.request.GET.get("page", 1))
        except ValueError as error:
            raise OParlError(400, _("“limit” and “page” must be whole numbers.")) from error
        if limit < 1 or page < 1:
            raise OParlError(400, _("“limit” and “page” must be at least 1."))
        return min(limit, MAX_LIMIT), page

    def page_url(self, page: int, limit: int) -> str:
        params = {key: self.request.GET[key] for key in FILTERS if key in self.request.GET}
        params.update(limit=limit, page=page)
        return settings.SITE_URL + self.request.path + "?" + urlencode(sorted(params.items()))

    def get_data(self):
        self.check_parent()
        filters = self.filters()
        limit, page = self.limit_and_page()
        with_deleted = "modified_since" in self.request.GET
        if with_deleted:
            entries = deleted.list_entries(deleted.KINDS[self.kind], **filters)
        else:
            entries = self.get_queryset().filter(
                **{
                    f"{FIELDS[field]}__{op}": value
                    for field, ops in filters.items()
                    for op, value in ops.items()
                }
            )
        total = entries.count()
        pages = max(1, math.ceil(total / limit))
        if page > pages:
            raise Http404
        window = entries[(page - 1) * limit : page * limit]
        data = self.with_deleted(window) if with_deleted else [self.serialize(o) for o in window]
        links = {
            "first": self.page_url(1, limit),
            "prev": self.page_url(page - 1, limit) if page > 1 else None,
            "self": self.page_url(page, limit),
            "next": self.page_url(page + 1, limit) if page < pages else None,
            "last": self.page_url(pages, limit),
        }
        return {
            "data": data,
            "pagination": {
                "totalElements": total,
                "elementsPerPage": limit,
                "currentPage": page,
                "totalPages": pages,
            },
            "links": {key: value for key, value in links.items() if value},
        }

    def with_deleted(self, window) -> list[dict]:
        """A page of ``(id, is_public)``: public objects from the public queryset
        (with its prefetches), the others as their recorded stubs; a constant
        number of queries."""
        entries = list(window)
        public_ids = [pk for pk, public in entries if public]
        objects = (
            {obj.pk: obj for obj in self.get_queryset().filter(pk__in=public_ids)}
            if public_ids
            else {}
        )
        gone_ids = [pk for pk, public in entries if not public]
        stubs = deleted.stubs(deleted.KINDS[self.kind], gone_ids) if gone_ids else {}
        data = []
        for pk, public in entries:
            # A row changed between the two queries is left out rather than guessed.
            if public and pk in objects:
                data.append(self.serialize(objects[pk]))
            elif not public and pk in stubs:
                data.append(stubs[pk])
        return data

    def check_parent(self) -> None:
        _check_body(self.kwargs["pk"])


class BodyListView(OParlView):
    """The list of the one Body (the town); it has no filters to apply."""

    def get_data(self):
        self_url = serializers.url("body_list")
        return {
            "data": [_body_data()],
            "pagination": {
                "totalElements": 1,
                "elementsPerPage": 1,
                "currentPage": 1,
                "totalPages": 1,
            },
            "links": {"first": self_url, "self": self_url, "last": self_url},
        }


class OrganizationListView(ListView):
    kind = OParlTombstone.Kind.ORGANIZATION

    def get_queryset(self):
        return selectors.organizations_public()

    def serialize(self, obj):
        return serializers.organization(obj)


class PersonListView(ListView):
    kind = OParlTombstone.Kind.PERSON

    def get_queryset(self):
        return selectors.people_public()

    def serialize(self, obj):
        return serializers.person(obj)


class MeetingListView(ListView):
    kind = OParlTombstone.Kind.MEETING

    def get_queryset(self):
        return selectors.meetings_public()

    def serialize(self, obj):
        return serializers.meeting(obj)


class PaperListView(ListView):
    kind = OParlTombstone.Kind.PAPER

    def get_queryset(self):
        return selectors.papers_public()

    def serialize(self, obj):
        return serializers.paper(obj)


class LegislativeTermListView(ListView):
    kind = OParlTombstone.Kind.LEGISLATIVE_TERM

    def get_queryset(self):
        return selectors.legislative_terms_public()

    def serialize(self, obj):
        return serializers.legislative_term(obj)


class OrganizationView(ObjectView):
    kind = OParlTombstone.Kind.ORGANIZATION

    def get_queryset(self):
        return selectors.organizations_public()

    def serialize(self, obj):
        return serializers.organization(obj)


class PersonView(ObjectView):
    kind = OParlTombstone.Kind.PERSON

    def get_queryset(self):
        return selectors.people_public()

    def serialize(self, obj):
        return serializers.person(obj)


class MembershipView(ObjectView):
    kind = OParlTombstone.Kind.MEMBERSHIP

    def get_queryset(self):
        return selectors.memberships_public()

    def serialize(self, obj):
        return serializers.membership(obj)


class MeetingView(ObjectView):
    kind = OParlTombstone.Kind.MEETING

    def get_queryset(self):
        return selectors.meetings_public()

    def serialize(self, obj):
        return serializers.meeting(obj)


class AgendaItemView(ObjectView):
    kind = OParlTombstone.Kind.AGENDA_ITEM

    def get_queryset(self):
        return selectors.agenda_items_public()

    def serialize(self, obj):
        return serializers.agenda_item(obj)


class PaperView(ObjectView):
    kind = OParlTombstone.Kind.PAPER

    def get_queryset(self):
        return selectors.papers_public()

    def serialize(self, obj):
        return serializers.paper(obj)


class ConsultationView(ObjectView):
    kind = OParlTombstone.Kind.CONSULTATION

    def get_queryset(self):
        return selectors.consultations_public()

    def serialize(self, obj):
        return serializers.consultation(obj)


class FileView(ObjectView):
    kind = OParlTombstone.Kind.FILE

    def get_queryset(self):
        return selectors.files_public()

    def serialize(self, obj):
        return serializers.file(obj)


class LocationView(ObjectView):
    kind = OParlTombstone.Kind.LOCATION

    def get_queryset(self):
        return selectors.locations_public()

    def serialize(self, obj):
        return serializers.location(obj)


class LegislativeTermView(ObjectView):
    kind = OParlTombstone.Kind.LEGISLATIVE_TERM

    def get_queryset(self):
        return selectors.legislative_terms_public()

    def serialize(self, obj):
        return serializers.legislative_term(obj)


class FileDownloadView(OParlView):
    """The file itself, streamed as a download, only if it is public."""

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(selectors.files_public(), pk=kwargs["pk"])
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.file_name,
            content_type=attachment.mime_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, public=True, max_age=300)
        return response
