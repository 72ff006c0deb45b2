"""Every named route × every role: anonymous → login, no right → 403, right → 200.

Each app adds its routes to ``MATRIX``; ``test_every_route_is_in_the_matrix``
fails when a route is missing, so a new page cannot be forgotten.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from integration.documents import urls as documents_urls
from minutes.oparl import urls as oparl_urls
from minutes.portal import urls as portal_urls

from .core.factories import FieldOfActionFactory
from .routes import committees, concept

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "user_without_role", "committee_member", "administration_user", "coordinator")

# url name → (kwargs builder, roles that may open it). Every named route of the
# project that needs a login must be listed (see test_every_route_is_in_the_matrix).
MATRIX = {
    "core:dashboard": (
        lambda: {},
        {"committee_member", "administration_user", "coordinator"},
    ),
    "core:fieldofaction_list": (
        lambda: {},
        {"committee_member", "administration_user", "coordinator"},
    ),
    "core:fieldofaction_create": (lambda: {}, {"coordinator"}),
    "core:fieldofaction_update": (lambda: {"pk": FieldOfActionFactory().pk}, {"coordinator"}),
}

# Network (actors). Verwaltung reads, only the coordination changes.
NETWORK_READERS = {"administration_user", "coordinator"}
NETWORK_WRITERS = {"coordinator"}


def _network_pk(factory_name):
    def build():
        from .actors import factories

        return {"pk": getattr(factories, factory_name)().pk}

    return build


def _merge_pair():
    from .actors.factories import PersonFactory

    return {"pk": PersonFactory().pk, "duplicate": PersonFactory().pk}


MATRIX |= {
    "actors:index": (lambda: {}, NETWORK_READERS),
    "actors:organisation_list": (lambda: {}, NETWORK_READERS),
    "actors:organisation_create": (lambda: {}, NETWORK_WRITERS),
    "actors:organisation_detail": (_network_pk("OrganisationFactory"), NETWORK_READERS),
    "actors:organisation_update": (_network_pk("OrganisationFactory"), NETWORK_WRITERS),
    "actors:organisation_archive": (_network_pk("OrganisationFactory"), NETWORK_WRITERS),
    "actors:organisation_unarchive": (_network_pk("OrganisationFactory"), NETWORK_WRITERS),
    "actors:person_list": (lambda: {}, NETWORK_READERS),
    "actors:person_create": (lambda: {}, NETWORK_WRITERS),
    "actors:person_detail": (_network_pk("PersonFactory"), NETWORK_READERS),
    "actors:person_update": (_network_pk("PersonFactory"), NETWORK_WRITERS),
    "actors:person_archive": (_network_pk("PersonFactory"), NETWORK_WRITERS),
    "actors:person_unarchive": (_network_pk("PersonFactory"), NETWORK_WRITERS),
    "actors:person_merge": (_network_pk("PersonFactory"), NETWORK_WRITERS),
    "actors:person_merge_confirm": (_merge_pair, NETWORK_WRITERS),
    "actors:affiliation_create": (_network_pk("PersonFactory"), NETWORK_WRITERS),
    "actors:person_membership_create": (_network_pk("PersonFactory"), NETWORK_WRITERS),
    "actors:affiliation_end": (_network_pk("AffiliationFactory"), NETWORK_WRITERS),
    "actors:circle_list": (lambda: {}, NETWORK_READERS),
    "actors:circle_create": (lambda: {}, NETWORK_WRITERS),
    "actors:circle_detail": (_network_pk("CircleFactory"), NETWORK_READERS),
    "actors:circle_update": (_network_pk("CircleFactory"), NETWORK_WRITERS),
    "actors:membership_create": (_network_pk("CircleFactory"), NETWORK_WRITERS),
    "actors:membership_end": (_network_pk("CircleMembershipFactory"), NETWORK_WRITERS),
}

# Network: import and export. Export needs the view right of what is exported,
# import the right to add people and organisations. An import's pages are its
# uploader's only (anybody else: 404), so the batch is made for the user the
# test logs in as: the fixture below hands the builder the running test.
_IMPORT_TEST = []


@pytest.fixture(autouse=True)
def _import_test(request):
    _IMPORT_TEST.append(request)
    yield
    _IMPORT_TEST.remove(request)


def _own_import_batch():
    from actors.models import ImportBatch

    from .core.factories import UserFactory

    request = _IMPORT_TEST[-1]
    role = request.node.callspec.params["role"]
    owner = UserFactory() if role == "anonymous" else request.getfixturevalue(role)
    batch = ImportBatch.objects.create(uploaded_by=owner, file_name="liste.csv", status="done")
    return {"uuid": batch.uuid}


MATRIX |= {
    "actors:import_upload": (lambda: {}, NETWORK_WRITERS),
    "actors:import_preview": (lambda: {}, NETWORK_WRITERS),
    "actors:import_sample": (lambda: {}, NETWORK_WRITERS),
    "actors:import_progress": (_own_import_batch, NETWORK_WRITERS),
    "actors:import_status": (_own_import_batch, NETWORK_WRITERS),
    "actors:organisation_export": (lambda: {}, NETWORK_READERS),
    "actors:person_export": (lambda: {}, NETWORK_READERS),
    "actors:circle_export": (_network_pk("CircleFactory"), NETWORK_READERS),
    "actors:network_picture": (lambda: {}, NETWORK_READERS),
}


# Network: data protection. Koordination only, but for the privacy page: Verwaltung
# sees whether and why a contact may be emailed, not exports, erasure or the log.
def _person_with_consent():
    from .actors.factories import ConsentFactory

    return {"pk": ConsentFactory().person.pk}


MATRIX |= {
    "actors:person_privacy": (_person_with_consent, {"coordinator"}),
    "actors:consent_create": (_person_with_consent, {"coordinator"}),
    "actors:consent_withdraw": (_person_with_consent, {"coordinator"}),
    "actors:person_data_export": (_person_with_consent, {"coordinator"}),
    "actors:person_erase": (_person_with_consent, {"coordinator"}),
    "actors:privacylog_list": (lambda: {}, {"coordinator"}),
    "actors:retention_list": (lambda: {}, {"coordinator"}),
}
# The data export writes to the privacy log, so it is a POST (a button): a GET
# answers 405 to those who may export. The POST per role is tested in
# tests/actors/test_views_privacy.py.
POST_ONLY = {"actors:person_data_export"}


# Surveys: the coordination only. The recipients' token pages need no login and
# are tested in tests/actors/surveys/test_respond_views.py.
def _survey_pk(factory_name, **extra):
    def build():
        from .actors.surveys import factories

        return {"pk": getattr(factories, factory_name)().pk, **extra}

    return build


def _mail_pk():
    from django.utils import timezone

    from actors.surveys.models import Mail

    from .actors.surveys.factories import InvitationFactory

    mail = Mail.objects.create(
        invitation=InvitationFactory(),
        kind=Mail.Kind.INVITATION,
        status=Mail.Status.FAILED,
        due_at=timezone.now(),
    )
    return {"pk": mail.pk}


SURVEY_STAFF = {"coordinator"}
MATRIX |= {
    "surveys:index": (lambda: {}, SURVEY_STAFF),
    "surveys:survey_create": (lambda: {}, SURVEY_STAFF),
    "surveys:survey_detail": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:survey_update": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:survey_copy": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:survey_delete": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:survey_preview": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:question_create": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:question_update": (_survey_pk("QuestionFactory"), SURVEY_STAFF),
    "surveys:question_delete": (_survey_pk("QuestionFactory"), SURVEY_STAFF),
    "surveys:question_move": (_survey_pk("QuestionFactory", direction="up"), SURVEY_STAFF),
    "surveys:recipient_list": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:recipient_add": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:invitation_remove": (_survey_pk("InvitationFactory"), SURVEY_STAFF),
    "surveys:survey_launch": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:survey_remind": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:survey_close": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:mail_list": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:survey_progress": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:mail_retry": (_mail_pk, SURVEY_STAFF),
    "surveys:survey_results": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
    "surveys:survey_export": (_survey_pk("SurveyFactory", fmt="csv"), SURVEY_STAFF),
    "surveys:survey_report": (_survey_pk("SurveyFactory"), SURVEY_STAFF),
}
POST_ONLY |= {
    "surveys:survey_copy",
    "surveys:question_move",
    "surveys:recipient_add",
    "surveys:invitation_remove",
    "surveys:survey_remind",
    "surveys:mail_retry",
}


# The former PDF addresses of the reports lead to their stored document's page.
TO_DOCUMENT = {"surveys:survey_report", "measures:concept_report"}

# The integration concept and the committee work: their own modules.
MATRIX |= concept.MATRIX | committees.MATRIX
POST_ONLY |= concept.POST_ONLY | committees.POST_ONLY

# Routes open to everyone or owned by Django's auth and admin.
PUBLIC_OR_FOREIGN = {
    "healthz",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
    "password_change_done",
    "surveys:respond",
    "surveys:respond_done",
    "surveys:opt_out",
    # Public calendars and the secret-link feed (tests/minutes/test_calendars*.py).
    "minutes:calendar_all",
    "minutes:calendar_body",
    "minutes:calendar_personal",
}
# The OParl interface is public data only (tests/minutes/test_oparl*.py walks it).
PUBLIC_OR_FOREIGN |= {f"oparl:{pattern.name}" for pattern in oparl_urls.urlpatterns}
# The public portal (Bürgerinfo): open to everyone; what each visitor sees is the
# leak matrix's business (tests/test_leaks.py).
PUBLIC_OR_FOREIGN |= {f"portal:{pattern.name}" for pattern in portal_urls.urlpatterns}
# Generated documents: each kind's can_view decides, anonymous visitors included
# (tests/documents, and the leak matrix for every kind and variant).
PUBLIC_OR_FOREIGN |= {f"documents:{pattern.name}" for pattern in documents_urls.urlpatterns}


def named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_route_is_in_the_matrix():
    assert set(named_routes()) - PUBLIC_OR_FOREIGN == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_route_access_per_role(django_app, request, role, url_name):
    kwargs_builder, allowed = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs_builder())
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = django_app.get(url, user=user, expect_errors=True)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.location.startswith(reverse("login"))
    elif role in allowed and url_name in TO_DOCUMENT:
        assert response.status_code == 302
        assert response.location.startswith("/documents/")
    elif role in allowed:
        assert response.status_code == (405 if url_name in POST_ONLY else 200)
    else:
        assert response.status_code == 403
        assert "Zugriff verweigert" in response.text
