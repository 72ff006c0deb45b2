"""Screens of the network: circles and their memberships."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from integration.core.mixins import ServiceFormMixin, add_service_error

from .. import selectors
from ..forms import CircleForm, MembershipForm
from ..models import Circle, CircleMembership, Consent
from ..services import network
from .common import EndView, PersonSearchMixin, history_context


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
        mailing = selectors.circle_mailing(people=people, purpose=purpose)
        context |= {
            "current_memberships": current,
            "former_memberships": [m for m in memberships if not selectors.is_current(m)],
            "email_purpose": purpose.label,
            "email_addresses": "; ".join(mailing.addresses),
            "email_count": len(mailing.addresses),
            "left_out": mailing.left_out,
            "organisation_members": [m for m in current if m.organisation_id is not None],
        }
        context |= history_context(self.request, selectors.circle_history(circle=self.object))
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


class MembershipCreateView(PermissionRequiredMixin, PersonSearchMixin, FormView):
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
            selectors.current_q(), circle__in=circles
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
