"""Which URLs the leak matrix requests: every named route of the URL configuration,
each pointed at the world's most sensitive objects of the right kind.

A route taking arguments needs a rule here (committee work, portal, OParl, the
personal calendar) or, outside the committee work, a kwargs builder in
``tests/test_routes.MATRIX``; ``calls`` reports every route without one, so a new
route cannot be forgotten. Routes without arguments need no rule.
"""

from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from actors.models import Person
from minutes.models import (
    AgendaItem,
    Attachment,
    Body,
    Consultation,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Paper,
)
from minutes.oparl.serializers import BODY_PK

from .. import test_routes
from .world import MEMBER_A, MEMBER_C, NONSENSE, OPEN_DATA, PORTAL, SENTINELS, STAFF, World

UNKNOWN_PK = 987654321
# Paths outside the named routes that crawlers and visitors ask for.
EXTRA_PATHS = ("/sitemap.xml", "/robots.txt", "/public/no-such-page/")


@dataclass(frozen=True)
class Call:
    route: str
    path: str
    family: str
    query: str = ""  # the search word the page echoes
    unknown_path: str = ""  # the same route with an unknown id, for 404 comparison


def _each(kind: str):
    return lambda world: [{"pk": obj.pk} for obj in world.objects[kind]]


def _bodies(world: World) -> list[dict]:
    return [{"pk": body.pk} for body in (world.body_a, world.body_b, world.body_c)]


def _meetings(world: World) -> list[dict]:
    return [{"pk": meeting.pk} for meeting in world.meetings]


def _every(model):
    """OParl: every object of the world, the non-public ones included."""
    return lambda world: [
        {"pk": pk} for pk in model.objects.order_by("pk").values_list("pk", flat=True)
    ]


def _oparl_body(world: World) -> list[dict]:
    return [{"pk": BODY_PK, "?": {"limit": 100}}]


def _searches(world: World) -> list[dict]:
    # Lower case: the page echoes the query, the hits show the sentinel as stored.
    return [{"?": {"q": word.lower()}} for word in [*SENTINELS, NONSENSE]]


def _month_pages(world: World) -> list[dict]:
    months = sorted({f"{meeting.date:%Y-%m}" for meeting in world.meetings})
    return [{}] + [{"?": {"month": month}} for month in months]


def _body_filters(world: World) -> list[dict]:
    return [{}] + [{"?": {"body": body["pk"]}} for body in _bodies(world)]


def _calendar_tokens(world: World) -> list[dict]:
    return [{"token": world.tokens[MEMBER_A]}, {"token": world.tokens[MEMBER_C]}]


def _documents(world: World) -> list[dict]:
    """Every registered kind of generated document × variant × every subject of its
    model (the world's meetings, papers, bodies … non-public ones included)."""
    from integration.documents.registry import kind_list

    specs = []
    for kind in kind_list():
        model = kind.subject_model
        subjects = [str(pk) for pk in model.objects.values_list("pk", flat=True)] if model else []
        for variant in kind.variants:
            for subject in subjects or ["1"]:
                specs.append({"kind": kind.key, "subject": subject, "variant": variant})
    return specs


def _with_matrix(name: str, extra):
    """The world's objects, and the builder of tests/test_routes.MATRIX."""
    return lambda world: [*extra(world), test_routes.MATRIX[name][0]()]


RULES = {
    # The committee work (staff pages).
    "minutes:body_detail": _bodies,
    "minutes:body_update": _bodies,
    "minutes:membership_create": _bodies,
    "minutes:membership_update": _each("membership"),
    "minutes:member_account": _each("membership"),
    "minutes:meeting_list": _body_filters,
    "minutes:meeting_detail": _meetings,
    "minutes:meeting_update": _meetings,
    "minutes:meeting_status": _meetings,
    "minutes:packet_publish": _meetings,
    "minutes:meeting_attendance": _meetings,
    "minutes:minutes_status": _meetings,
    "minutes:meeting_attachment_upload": _meetings,
    "minutes:invitation_list": _meetings,
    "minutes:invitation_send": _meetings,
    "minutes:item_create": _meetings,
    "minutes:item_update": _each("item"),
    "minutes:item_move": _each("item"),
    "minutes:item_delete": _each("item"),
    "minutes:item_minutes": _each("item"),
    "minutes:task_create": _each("item"),
    "minutes:task_update": _each("task"),
    "minutes:paper_detail": _each("paper"),
    "minutes:paper_update": _each("paper"),
    "minutes:paper_supplement": _each("paper"),
    "minutes:consultation_edit": _each("paper"),
    "minutes:attachment_upload": _each("paper"),
    "minutes:attachment_download": _each("attachment"),
    "minutes:attachment_delete": _each("attachment"),
    "minutes:calendar_body": _bodies,
    "minutes:calendar_personal": _calendar_tokens,
    # The public portal.
    "portal:body_detail": _bodies,
    "portal:meeting_list": _month_pages,
    "portal:meeting_detail": _meetings,
    "portal:item_detail": _each("item"),
    "portal:paper_detail": _each("paper"),
    "portal:file_download": _each("attachment"),
    "portal:search": _searches,
    # OParl: every object id of the world.
    "oparl:body": _oparl_body,
    "oparl:organization_list": _oparl_body,
    "oparl:person_list": _oparl_body,
    "oparl:meeting_list": _oparl_body,
    "oparl:paper_list": _oparl_body,
    "oparl:legislativeterm_list": _oparl_body,
    "oparl:organization": _every(Body),
    "oparl:person": _every(Person),
    "oparl:membership": _every(Membership),
    "oparl:meeting": _every(Meeting),
    "oparl:agendaitem": _every(AgendaItem),
    "oparl:paper": _every(Paper),
    "oparl:consultation": _every(Consultation),
    "oparl:file": _every(Attachment),
    "oparl:file_download": _every(Attachment),
    "oparl:location": _every(Location),
    "oparl:legislativeterm": _every(LegislativeTerm),
    # Generated PDFs (meeting packets, reports): every kind, variant and subject.
    "documents:document_detail": _documents,
    "documents:document_status": _documents,
    "documents:document_request": _documents,
    "documents:document_retry": _documents,
    "documents:document_download": _documents,
    # The network pages of the world's people (the rest: test_routes.MATRIX).
    "actors:person_detail": _with_matrix("actors:person_detail", _each("person")),
    "actors:person_update": _with_matrix("actors:person_update", _each("person")),
    "measures:measure_detail": _with_matrix("measures:measure_detail", _each("measure")),
    # Django's auth and the survey token pages: any token (they show nothing of ours).
    "password_reset_confirm": lambda world: [{"uidb64": "MQ", "token": "set-password"}],
    "surveys:respond": lambda world: [{"token": "x" * 43}],
    "surveys:respond_done": lambda world: [{"token": "x" * 43}],
    "surveys:opt_out": lambda world: [{"token": "x" * 43}],
}
# Routes of the committee work must have a world rule: a fresh object built by
# test_routes.MATRIX would hold no sentinel.
OWN_PREFIXES = ("minutes:", "portal:", "oparl:")


def family(path: str) -> str:
    """STAFF behind the login; the PORTAL's pages and the generated documents (scoped to
    the visitor); OPEN_DATA: every other open route (OParl, iCal feeds, auth pages,
    sitemap), the same for all."""
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:  # answered by the 404 page
        return OPEN_DATA
    if getattr(match.func, "login_required", True) is not False:
        view_class = getattr(match.func, "view_class", None)
        dispatch = getattr(getattr(view_class, "dispatch", None), "login_required", True)
        if dispatch is not False:
            return STAFF
    # Generated documents are scoped to the visitor like the portal (each kind's can_view);
    # the members' variants, like a staff page, only for the body's members and the staff.
    if match.namespace == "documents" and match.kwargs.get("variant") == "members":
        return STAFF
    return PORTAL if match.namespace in ("portal", "documents") else OPEN_DATA


def _needs_arguments(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return True
    return False


def missing_rules() -> list[str]:
    """Routes that take arguments but have no rule (nor, outside the committee work,
    a builder in test_routes.MATRIX)."""
    missing = []
    for name in sorted(set(test_routes.named_routes())):
        if name in RULES or not _needs_arguments(name):
            continue
        if name.startswith(OWN_PREFIXES) or name not in test_routes.MATRIX:
            missing.append(name)
    return missing


def _path(name: str, spec: dict) -> str:
    kwargs = {key: value for key, value in spec.items() if key != "?"}
    path = reverse(name, kwargs=kwargs)
    if "?" in spec:
        path += "?" + urlencode(spec["?"])
    return path


def calls(world: World, role: str) -> list[Call]:
    """Every request of the matrix for ``role`` (some builders make objects per call)."""
    # test_routes' import builder makes the batch for the role's own login.
    shim = SimpleNamespace(
        node=SimpleNamespace(callspec=SimpleNamespace(params={"role": role})),
        getfixturevalue=lambda name: world.users[role],
    )
    test_routes._IMPORT_TEST.append(shim)
    try:
        result = []
        for name in sorted(set(test_routes.named_routes())):
            if name in RULES:
                specs = RULES[name](world)
            elif not _needs_arguments(name):
                specs = [{}]
            elif name in test_routes.MATRIX and not name.startswith(OWN_PREFIXES):
                specs = [test_routes.MATRIX[name][0]()]
            else:
                continue  # reported by missing_rules()
            for spec in specs:
                path = _path(name, spec)
                id_key = next((key for key in ("pk", "subject") if key in spec), "")
                unknown = _path(name, spec | {id_key: UNKNOWN_PK}) if id_key else ""
                query = spec.get("?", {}).get("q", "")
                result.append(Call(name, path, family(path), query, unknown))
        result += [Call(path, path, OPEN_DATA) for path in EXTRA_PATHS]
        return result
    finally:
        test_routes._IMPORT_TEST.remove(shim)


def portal_placeholders() -> list[str]:
    """Portal routes still answered by the placeholder view (empty pages)."""
    names = sorted(name for name in test_routes.named_routes() if name.startswith("portal:"))
    placeholders = []
    for name in names:
        path = reverse(name, kwargs={"pk": UNKNOWN_PK}) if _needs_arguments(name) else reverse(name)
        view_class = getattr(resolve(path).func, "view_class", None)
        if view_class is not None and view_class.__name__ == "_Placeholder":
            placeholders.append(name)
    return placeholders
