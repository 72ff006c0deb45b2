"""Data protection screens: consent, data export, erasure, privacy log, retention."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from .. import selectors
from ..forms_privacy import ALL_PURPOSES, ConsentForm, ConsentWithdrawForm, PersonEraseForm
from ..models import Consent, Person, PrivacyLogEntry
from ..selectors import consent_check, people_visible_to
from ..services import network, privacy, retention


def _privacy_people(user):
    """People whose privacy page ``user`` may open: erased ones too, merged duplicates never."""
    if not user.has_perm("actors.view_person"):
        return Person.objects.none()
    return Person.objects.filter(merged_into__isnull=True)


def _with_detail_display(entries) -> list[PrivacyLogEntry]:
    """Log entries with ``detail_display``: withdrawals store purpose codes, shown as labels."""
    purposes = dict(Consent.Purpose.choices)
    entries = list(entries)
    for entry in entries:
        entry.detail_display = (
            ", ".join(str(purposes.get(code, code)) for code in entry.detail.split(", "))
            if entry.action == PrivacyLogEntry.Action.CONSENT_WITHDRAWN and entry.detail
            else entry.detail
        )
    return entries


class PersonPrivacyView(PermissionRequiredMixin, DetailView):
    """A person's legal bases, why they may (not) be emailed, and the privacy actions."""

    # The page also shows the privacy log about the person: coordination only.
    permission_required = (
        "actors.view_person",
        "actors.view_consent",
        "actors.view_privacylogentry",
    )
    template_name = "actors/person_privacy.html"
    context_object_name = "person"

    def get_queryset(self):
        return _privacy_people(self.request.user).prefetch_related("consents__recorded_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        consents = sorted(
            person.consents.all(),
            key=lambda consent: (consent.withdrawn_at is not None, consent.purpose),
        )
        context["consents"] = consents
        context["checks"] = [
            (label, consent_check(person=person, purpose=purpose))
            for purpose, label in Consent.Purpose.choices
        ]
        context["has_valid_consent"] = any(consent.is_valid for consent in consents)
        context["log_entries"] = None
        if self.request.user.has_perm("actors.view_privacylogentry"):
            context["log_entries"] = _with_detail_display(
                selectors.privacylog_list().filter(person_id_ref=person.pk)[:20]
            )
        return context


class PersonScopedMixin(PermissionRequiredMixin):
    """A form about one person, loaded after the permission check (404 when out of scope)."""

    @cached_property
    def person(self) -> Person:
        return get_object_or_404(people_visible_to(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def get_success_url(self) -> str:
        return reverse("actors:person_privacy", args=[self.person.pk])


class ConsentCreateView(PersonScopedMixin, FormView):
    permission_required = ("actors.view_person", "actors.add_consent")
    form_class = ConsentForm
    template_name = "actors/consent_form.html"

    def form_valid(self, form):
        try:
            consents = privacy.consents_record(
                by=self.request.user,
                person=self.person,
                purposes=form.cleaned_data["purposes"],
                basis=form.cleaned_data["basis"],
                method=form.cleaned_data["method"],
                given_on=form.cleaned_data["given_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Legal basis recorded for: %(purposes)s.")
            % {"purposes": ", ".join(consent.get_purpose_display() for consent in consents)},
        )
        return HttpResponseRedirect(self.get_success_url())


class ConsentWithdrawView(PersonScopedMixin, FormView):
    permission_required = ("actors.view_person", "actors.change_consent")
    form_class = ConsentWithdrawForm
    template_name = "actors/consent_withdraw_form.html"

    @cached_property
    def valid_purposes(self) -> list[str]:
        return sorted(
            self.person.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True)
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "valid_purposes": self.valid_purposes}

    def get_initial(self):
        purpose = self.request.GET.get("purpose")
        return {"purpose": purpose if purpose in self.valid_purposes else ALL_PURPOSES}

    def get_context_data(self, **kwargs):
        return super().get_context_data(valid_purposes=self.valid_purposes, **kwargs)

    def form_valid(self, form):
        purpose = form.cleaned_data["purpose"]
        withdrawn = network.consent_withdraw(
            by=self.request.user,
            person=self.person,
            purpose=None if purpose == ALL_PURPOSES else purpose,
            note=form.cleaned_data["note"],
        )
        if withdrawn:
            messages.success(
                self.request,
                _("Withdrawn for: %(purposes)s. No more mail is sent for these purposes.")
                % {"purposes": ", ".join(c.get_purpose_display() for c in withdrawn)},
            )
        else:
            messages.info(self.request, _("There was nothing left to withdraw."))
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(never_cache, name="dispatch")
class PersonDataExportView(PermissionRequiredMixin, View):
    """The JSON answer to an access request (Art. 15), as a download; logged.

    POST only (a button with CSRF token): the download writes to the privacy
    log, which a prefetched link or a cross-site GET must not do.
    """

    permission_required = ("actors.view_person", "actors.change_person")

    def post(self, request, pk):
        person = get_object_or_404(_privacy_people(request.user), pk=pk)
        export = privacy.person_data_export(by=request.user, person=person)
        filename = f"datenauskunft-person-{person.pk}-{timezone.localdate():%Y-%m-%d}.json"
        response = HttpResponse(
            json.dumps(export, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        # never_cache adds no-cache/max-age=0; the export must not be stored at all.
        response["Cache-Control"] = "no-store, private"
        return response


class PersonEraseView(PermissionRequiredMixin, FormView):
    """Confirmation page and POST of an erasure (Art. 17)."""

    permission_required = ("actors.view_person", "actors.delete_person")
    form_class = PersonEraseForm
    template_name = "actors/person_erase_confirm.html"

    @cached_property
    def person(self) -> Person:
        return get_object_or_404(_privacy_people(self.request.user), pk=self.kwargs["pk"])

    def get_success_url(self) -> str:
        return reverse("actors:person_privacy", args=[self.person.pk])

    def _already_erased(self):
        messages.info(self.request, _("This person's data has already been erased."))
        return HttpResponseRedirect(self.get_success_url())

    def get(self, request, *args, **kwargs):
        if self.person.anonymised_at is not None:
            return self._already_erased()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.person.anonymised_at is not None:
            return self._already_erased()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cancel_url": self.get_success_url()}

    def get_context_data(self, **kwargs):
        person = self.person
        return super().get_context_data(
            person=person,
            consent_count=person.consents.count(),
            affiliation_count=person.affiliations.count(),
            membership_count=person.circle_memberships.count(),
            duplicate_count=person.merged_duplicates.count(),
            erased_name=privacy.ERASED_NAME,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            privacy.person_erase(
                by=self.request.user, person=self.person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The person's data was erased. The entry now reads “%(name)s”.")
            % {"name": privacy.ERASED_NAME},
        )
        return HttpResponseRedirect(self.get_success_url())


class PrivacyLogListView(PermissionRequiredMixin, ListView):
    """The privacy log: exports, erasures, withdrawals, retention steps."""

    permission_required = "actors.view_privacylogentry"
    template_name = "actors/privacylog_list.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        entries = selectors.privacylog_list()
        person = self.request.GET.get("person", "")
        if person.isdigit():
            entries = entries.filter(person_id_ref=int(person))
        action = self.request.GET.get("action", "")
        if action in PrivacyLogEntry.Action.values:
            entries = entries.filter(action=action)
        return entries

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = _with_detail_display(context["entries"])
        context["actions"] = PrivacyLogEntry.Action.choices
        context["selected_action"] = self.request.GET.get("action", "")
        context["selected_person"] = self.request.GET.get("person", "")
        return context


class RetentionListView(PermissionRequiredMixin, TemplateView):
    """Who the retention job has listed, warned, or will anonymise next, with dates."""

    permission_required = ("actors.view_person", "actors.view_privacylogentry")
    template_name = "actors/retention_list.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        cases = retention.retention_cases(now=now)
        rows = [(case, case.state(now)) for case in cases]
        return super().get_context_data(
            rows=rows,
            counts={
                state: sum(1 for _case, row_state in rows if row_state == state)
                for state in ("pending", "listed", "warned", "due")
            },
            inactive_days=settings.RETENTION_INACTIVE_DAYS,
            grace_days=settings.RETENTION_GRACE_DAYS,
            recently_anonymised=selectors.privacylog_list()
            .filter(action=PrivacyLogEntry.Action.RETENTION_ANONYMISED)
            .count(),
            **kwargs,
        )
