"""Screens of the network: people, their affiliations and circles, merging duplicates."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, FormView, TemplateView, UpdateView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from integration.core.mixins import ServiceFormMixin, add_service_error

from .. import selectors
from ..filters import PersonFilterSet
from ..forms import AffiliationForm, PersonForm, PersonMembershipForm, PersonMergeForm
from ..models import Affiliation, Consent, Person
from ..services import merge, network
from .common import (
    LIST_PAGE_SIZE,
    ArchiveMixin,
    ConfirmActionView,
    EndView,
    PersonSearchMixin,
    history_context,
)
from .privacy import ConsentCreateView, PersonPrivacyView

# People


class PersonListView(PermissionRequiredMixin, FilterView):
    permission_required = "actors.view_person"
    filterset_class = PersonFilterSet
    template_name = "actors/person_list.html"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.person_list(user=self.request.user)


class PersonDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "actors.view_person"
    template_name = "actors/person_detail.html"

    def get(self, request, *args, **kwargs):
        # A merged duplicate's old link leads to the person it was merged into.
        target = (
            selectors.people_visible_to(user=request.user)
            .filter(merged_duplicates__pk=kwargs["pk"])
            .first()
        )
        if target is not None:
            messages.info(request, _("This entry was merged into “%(name)s”.") % {"name": target})
            return redirect(target)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.people_visible_to(user=self.request.user).prefetch_related(
            "languages", "consents", "merged_duplicates"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        affiliations = list(person.affiliations.select_related("organisation"))
        memberships = list(person.circle_memberships.select_related("circle"))
        valid = {c.purpose: c for c in person.consents.all() if c.withdrawn_at is None}
        context |= {
            "current_affiliations": [a for a in affiliations if selectors.is_current(a)],
            "former_affiliations": [a for a in affiliations if not selectors.is_current(a)],
            "current_memberships": [m for m in memberships if selectors.is_current(m)],
            "former_memberships": [m for m in memberships if not selectors.is_current(m)],
            "consent_rows": [
                {
                    "purpose": purpose.label,
                    "check": selectors.consent_check(person=person, purpose=purpose),
                    "consent": valid.get(purpose.value),
                }
                for purpose in Consent.Purpose
            ],
            "affiliation_form": AffiliationForm(),
            "membership_form": PersonMembershipForm(auto_id="id_membership_%s"),
            # Linked exactly when the page behind the link would open.
            "can_open_privacy": self.request.user.has_perms(PersonPrivacyView.permission_required),
            "can_record_consent": self.request.user.has_perms(
                ConsentCreateView.permission_required
            ),
        }
        context |= history_context(self.request, selectors.person_history(person=person))
        return context


class PersonFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    model = Person
    form_class = PersonForm
    template_name = "actors/person_form.html"

    def _data(self, form) -> dict:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data.pop("languages")
        return data


class PersonCreateView(PersonFormMixin, CreateView):
    permission_required = "actors.add_person"
    success_message = gettext_lazy("“%(name)s” was added to the network.")

    def save(self, form):
        return network.person_create(
            by=self.request.user, languages=list(form.cleaned_data["languages"]), **self._data(form)
        )


class PersonUpdateView(PersonFormMixin, UpdateView):
    permission_required = "actors.change_person"
    success_message = gettext_lazy("“%(name)s” was saved.")

    def get_queryset(self):
        return selectors.people_visible_to(user=self.request.user)

    def save(self, form):
        stored = self.get_queryset().get(pk=self.object.pk)
        return network.person_update(
            by=self.request.user,
            person=stored,
            languages=list(form.cleaned_data["languages"]),
            **self._data(form),
        )


class PersonArchiveView(ArchiveMixin, ConfirmActionView):
    permission_required = "actors.change_person"

    def get_queryset(self):
        return selectors.people_visible_to(user=self.request.user)

    def act(self):
        network.person_update(by=self.request.user, person=self.object, is_archived=self.archive)


class PersonMergeView(PermissionRequiredMixin, SingleObjectMixin, PersonSearchMixin, FormView):
    """Step 1 of merging: choose the duplicate of this person."""

    permission_required = "actors.change_person"
    form_class = PersonMergeForm
    template_name = "actors/person_merge.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.people_visible_to(user=self.request.user)

    def person_queryset(self):
        return super().person_queryset().exclude(pk=self.object.pk)

    def form_valid(self, form):
        return redirect(
            "actors:person_merge_confirm",
            pk=self.object.pk,
            duplicate=form.cleaned_data["duplicate"].pk,
        )


class PersonMergeConfirmView(PermissionRequiredMixin, TemplateView):
    """Step 2 of merging: both entries side by side; POST merges."""

    permission_required = "actors.change_person"
    template_name = "actors/person_merge_confirm.html"

    def _people(self):
        people = selectors.people_visible_to(user=self.request.user).prefetch_related(
            "languages",
            "consents",
            "circle_memberships__circle",
            "affiliations__organisation",
        )
        return (
            get_object_or_404(people, pk=self.kwargs["pk"]),
            get_object_or_404(people, pk=self.kwargs["duplicate"]),
        )

    def get_context_data(self, **kwargs):
        keep, duplicate = self._people()
        return super().get_context_data(**kwargs) | {"keep": keep, "duplicate": duplicate}

    def post(self, request, *args, **kwargs):
        keep, duplicate = self._people()
        was_archived = keep.is_archived
        try:
            keep = merge.person_merge(by=request.user, keep=keep, duplicate=duplicate)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect("actors:person_merge", pk=keep.pk)
        text = _("“%(duplicate)s” was merged into “%(name)s”.") % {
            "duplicate": duplicate,
            "name": keep,
        }
        if was_archived and not keep.is_archived:
            text += " " + _(
                "The entry kept was archived; as the duplicate was active, it is active again."
            )
        messages.success(request, text)
        return redirect(keep)


# Affiliations


class AffiliationCreateView(PermissionRequiredMixin, FormView):
    permission_required = "actors.add_affiliation"
    form_class = AffiliationForm
    template_name = "actors/affiliation_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.person = get_object_or_404(
            selectors.people_visible_to(user=request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"person": self.person}

    def form_valid(self, form):
        try:
            affiliation = network.affiliation_add(
                by=self.request.user, person=self.person, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(person)s now belongs to %(organisation)s.")
            % {"person": self.person, "organisation": affiliation.organisation},
        )
        return redirect(self.person)


class PersonMembershipCreateView(PermissionRequiredMixin, FormView):
    """Add the person to a circle from the person's page (the usual way after a search)."""

    permission_required = "actors.add_circlemembership"
    form_class = PersonMembershipForm
    template_name = "actors/person_membership_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.person = get_object_or_404(
            selectors.people_visible_to(user=request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"person": self.person}

    def form_valid(self, form):
        circle = form.cleaned_data["circle"]
        try:
            network.membership_add(
                by=self.request.user,
                circle=circle,
                person=self.person,
                role=form.cleaned_data["role"],
                start_date=form.cleaned_data["start_date"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(member)s was added to %(circle)s.") % {"member": self.person, "circle": circle},
        )
        return redirect(self.person)


class AffiliationEndView(EndView):
    permission_required = "actors.change_affiliation"

    def get_queryset(self):
        people = selectors.people_visible_to(user=self.request.user)
        return Affiliation.objects.filter(selectors.current_q(), person__in=people).select_related(
            "person", "organisation"
        )

    def legend(self):
        return _("End affiliation: %(person)s at %(organisation)s") % {
            "person": self.object.person,
            "organisation": self.object.organisation,
        }

    def end(self, end_date):
        network.affiliation_end(by=self.request.user, affiliation=self.object, end_date=end_date)

    def done_message(self):
        return _("The affiliation with %(organisation)s was ended.") % {
            "organisation": self.object.organisation
        }

    def get_success_url(self):
        return self.object.person.get_absolute_url()
