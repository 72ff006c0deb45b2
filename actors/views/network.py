"""Screens of the network: overview, organisations, people, circles, merging duplicates."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from .. import selectors
from ..filters import OrganisationFilterSet, PersonFilterSet
from ..forms import (
    AffiliationForm,
    CircleForm,
    EndDateForm,
    MembershipForm,
    OrganisationForm,
    PersonForm,
    PersonMembershipForm,
    PersonMergeForm,
)
from ..models import Affiliation, Circle, CircleMembership, Consent, Organisation, Person
from ..services import merge, network

LIST_PAGE_SIZE = 50


def add_service_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def routes_exist(*names: str, args=()) -> bool:
    """Whether every named route resolves; pages built by others may not exist yet."""
    try:
        for name in names:
            reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


class ServiceFormMixin:
    """Form views whose ``save(form)`` calls a service; its ValidationError becomes a form error."""

    success_message = ""

    def form_valid(self, form):
        try:
            self.object = self.save(form)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message % {"name": self.object})
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return self.object.get_absolute_url()


class NetworkIndexView(PermissionRequiredMixin, TemplateView):
    permission_required = "actors.view_organisation"
    template_name = "actors/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = selectors.network_figures(user=self.request.user)
        context["circles"] = selectors.circle_list(user=self.request.user).filter(is_archived=False)
        return context


# Organisations


class OrganisationListView(PermissionRequiredMixin, FilterView):
    permission_required = "actors.view_organisation"
    filterset_class = OrganisationFilterSet
    template_name = "actors/organisation_list.html"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.organisation_list(user=self.request.user)


class OrganisationDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "actors.view_organisation"
    template_name = "actors/organisation_detail.html"

    def get_queryset(self):
        return selectors.organisations_visible_to(user=self.request.user).prefetch_related(
            "fields_of_action"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        affiliations = selectors.organisation_affiliations(organisation=organisation)
        memberships = list(organisation.circle_memberships.select_related("circle"))
        context |= {
            "current_affiliations": [a for a in affiliations if selectors.is_current(a)],
            "former_affiliations": [a for a in affiliations if not selectors.is_current(a)],
            "current_memberships": [m for m in memberships if selectors.is_current(m)],
            "former_memberships": [m for m in memberships if not selectors.is_current(m)],
            "history": selectors.organisation_history(organisation=organisation),
        }
        return context


class OrganisationFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    model = Organisation
    form_class = OrganisationForm
    template_name = "actors/organisation_form.html"

    def _data(self, form) -> dict:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data.pop("fields_of_action")
        return data


class OrganisationCreateView(OrganisationFormMixin, CreateView):
    permission_required = "actors.add_organisation"
    success_message = gettext_lazy("Organisation “%(name)s” was created.")

    def save(self, form):
        return network.organisation_create(
            by=self.request.user,
            fields_of_action=list(form.cleaned_data["fields_of_action"]),
            **self._data(form),
        )


class OrganisationUpdateView(OrganisationFormMixin, UpdateView):
    permission_required = "actors.change_organisation"
    success_message = gettext_lazy("Organisation “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.organisations_visible_to(user=self.request.user)

    def save(self, form):
        # The form already applied the values to its instance; the service gets
        # the stored row and applies the change itself.
        stored = self.get_queryset().get(pk=self.object.pk)
        return network.organisation_update(
            by=self.request.user,
            organisation=stored,
            fields_of_action=list(form.cleaned_data["fields_of_action"]),
            **self._data(form),
        )


class ConfirmActionView(PermissionRequiredMixin, SingleObjectMixin, TemplateView):
    """GET asks, POST does: archive, unarchive. Subclasses implement ``act()``."""

    template_name = "actors/object_confirm.html"
    question = ""
    button = ""
    done_message = ""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context |= {
            "question": self.question % {"name": self.object},
            "button": self.button,
            "cancel_url": self.get_success_url(),
        }
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            self.act()
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, self.done_message % {"name": self.object})
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.object.get_absolute_url()


class ArchiveMixin:
    archive = True

    @property
    def question(self):
        if self.archive:
            return _("Archive “%(name)s”? It stays in the network's history but leaves the lists.")
        return _("Bring “%(name)s” back from the archive?")

    @property
    def button(self):
        return _("Archive") if self.archive else _("Unarchive")

    @property
    def done_message(self):
        return _("“%(name)s” was archived.") if self.archive else _("“%(name)s” is active again.")


class OrganisationArchiveView(ArchiveMixin, ConfirmActionView):
    permission_required = "actors.change_organisation"

    def get_queryset(self):
        return selectors.organisations_visible_to(user=self.request.user)

    def act(self):
        network.organisation_update(
            by=self.request.user, organisation=self.object, is_archived=self.archive
        )


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
            "history": selectors.person_history(person=person),
            "affiliation_form": AffiliationForm(),
            "membership_form": PersonMembershipForm(auto_id="id_membership_%s"),
            "privacy_urls_ready": routes_exist(
                "actors:consent_create", "actors:person_privacy", args=[person.pk]
            ),
        }
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


class PersonMergeView(PermissionRequiredMixin, SingleObjectMixin, FormView):
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

    def get_form_kwargs(self):
        people = selectors.person_choices(user=self.request.user).exclude(pk=self.object.pk)
        return super().get_form_kwargs() | {"people": people}

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
        try:
            merge.person_merge(by=request.user, keep=keep, duplicate=duplicate)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect("actors:person_merge", pk=keep.pk)
        messages.success(
            request,
            _("“%(duplicate)s” was merged into “%(name)s”.")
            % {"duplicate": duplicate, "name": keep},
        )
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


class EndView(PermissionRequiredMixin, SingleObjectMixin, FormView):
    """Ends an affiliation or a membership on a date; the row stays as history."""

    form_class = EndDateForm
    template_name = "actors/end_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"legend": self.legend()}

    def form_valid(self, form):
        try:
            self.end(form.cleaned_data["end_date"])
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message())
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": self.legend(),
            "cancel_url": self.get_success_url(),
        }


class AffiliationEndView(EndView):
    permission_required = "actors.change_affiliation"

    def get_queryset(self):
        people = selectors.people_visible_to(user=self.request.user)
        return Affiliation.objects.filter(person__in=people, end_date__isnull=True).select_related(
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


# Circles


class CircleListView(PermissionRequiredMixin, ListView):
    permission_required = "actors.view_circle"
    template_name = "actors/circle_list.html"
    context_object_name = "circles"

    def get_queryset(self):
        return selectors.circle_list(user=self.request.user)


class CircleDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "actors.view_circle"
    template_name = "actors/circle_detail.html"

    def get_queryset(self):
        return selectors.circles_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        memberships = list(selectors.circle_members(circle=self.object))
        current = [m for m in memberships if selectors.is_current(m)]
        people = [m.person for m in current if m.person_id is not None]
        purpose = Consent.Purpose.INVITATIONS
        emailable = set(
            selectors.people_emailable(
                purpose=purpose, queryset=Person.objects.filter(pk__in=[p.pk for p in people])
            ).values_list("pk", flat=True)
        )
        addresses, seen = [], set()
        for person in sorted(people, key=lambda p: (p.last_name, p.first_name)):
            if person.pk in emailable and person.email.lower() not in seen:
                seen.add(person.email.lower())
                addresses.append(person.email)
        context |= {
            "current_memberships": current,
            "former_memberships": [m for m in memberships if not selectors.is_current(m)],
            "email_purpose": purpose.label,
            "email_addresses": "; ".join(addresses),
            "email_count": len(addresses),
            "left_out": [
                {"person": p, "reason": selectors.consent_check(person=p, purpose=purpose).reason}
                for p in people
                if p.pk not in emailable
            ],
            "organisation_members": [m for m in current if m.organisation_id is not None],
        }
        return context


class CircleFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    model = Circle
    form_class = CircleForm
    template_name = "actors/circle_form.html"


class CircleCreateView(CircleFormMixin, CreateView):
    permission_required = "actors.add_circle"
    success_message = gettext_lazy("Circle “%(name)s” was created.")

    def save(self, form):
        return network.circle_create(by=self.request.user, **form.cleaned_data)


class CircleUpdateView(CircleFormMixin, UpdateView):
    permission_required = "actors.change_circle"
    success_message = gettext_lazy("Circle “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.circles_visible_to(user=self.request.user)

    def save(self, form):
        stored = self.get_queryset().get(pk=self.object.pk)
        return network.circle_update(by=self.request.user, circle=stored, **form.cleaned_data)


class MembershipCreateView(PermissionRequiredMixin, FormView):
    permission_required = "actors.add_circlemembership"
    form_class = MembershipForm
    template_name = "actors/membership_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.circle = get_object_or_404(
            selectors.circles_visible_to(user=request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "people": selectors.person_choices(user=self.request.user)
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"circle": self.circle}

    def form_valid(self, form):
        try:
            membership = network.membership_add(
                by=self.request.user, circle=self.circle, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(member)s was added to %(circle)s.")
            % {"member": membership.member, "circle": self.circle},
        )
        return redirect(self.circle)


class MembershipEndView(EndView):
    permission_required = "actors.change_circlemembership"

    def get_queryset(self):
        circles = selectors.circles_visible_to(user=self.request.user)
        return CircleMembership.objects.filter(
            circle__in=circles, end_date__isnull=True
        ).select_related("circle", "person", "organisation")

    def legend(self):
        return _("End membership: %(member)s in %(circle)s") % {
            "member": self.object.member,
            "circle": self.object.circle,
        }

    def end(self, end_date):
        network.membership_end(by=self.request.user, membership=self.object, end_date=end_date)

    def done_message(self):
        return _("%(member)s no longer sits in %(circle)s.") % {
            "member": self.object.member,
            "circle": self.object.circle,
        }

    def get_success_url(self):
        return self.object.circle.get_absolute_url()
