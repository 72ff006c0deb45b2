"""Screens of the bodies: list, detail with members and meetings, forms, member logins."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, TemplateView, UpdateView

from actors.views.common import PersonSearchMixin
from integration.core.mixins import ServiceFormMixin, add_service_error

from ..forms.bodies import BodyForm, MembershipForm
from ..models import Body
from ..selectors import bodies as selectors
from ..selectors.access import bodies_visible_to
from ..services import bodies as services


class BodyListView(PermissionRequiredMixin, TemplateView):
    permission_required = "minutes.view_body"
    template_name = "minutes/bodies/body_list.html"

    def get_context_data(self, **kwargs):
        formal, informal = selectors.bodies_split(selectors.body_list(user=self.request.user))
        sections = [
            (
                formal,
                _("Formal bodies"),
                _("Council, committees and the integration council, with their members."),
                "formal-bodies",
            ),
            (
                informal,
                _("Bodies of the network"),
                _("Round tables, coordination staff and working groups."),
                "informal-bodies",
            ),
        ]
        return super().get_context_data(**kwargs) | {
            "sections": sections,
            "today": timezone.localdate(),
        }


class BodyDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "minutes.view_body"
    template_name = "minutes/bodies/body_detail.html"
    context_object_name = "body"

    def get_queryset(self):
        return bodies_visible_to(self.request.user).select_related("circle")

    def get_context_data(self, **kwargs):
        detail = selectors.body_detail(user=self.request.user, body=self.object)
        return super().get_context_data(**kwargs) | {
            "detail": detail,
            "today": timezone.localdate(),
        }


class BodyFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    model = Body
    form_class = BodyForm
    template_name = "minutes/bodies/body_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        taken_over = getattr(self.object, "members_taken_over", None)
        if taken_over is not None and response.status_code == 302:
            messages.info(
                self.request,
                _("People of the circle who joined as members: %(count)s.") % {"count": taken_over},
            )
        return response


class BodyCreateView(BodyFormMixin, CreateView):
    permission_required = "minutes.add_body"
    success_message = gettext_lazy("Body “%(name)s” was created.")

    def save(self, form):
        return services.body_create(by=self.request.user, **form.cleaned_data)


class BodyUpdateView(BodyFormMixin, UpdateView):
    permission_required = "minutes.change_body"
    success_message = gettext_lazy("Body “%(name)s” was saved.")

    def get_queryset(self):
        return bodies_visible_to(self.request.user)

    def save(self, form):
        return services.body_update(by=self.request.user, body=self.object, **form.cleaned_data)


class MembershipCreateView(PermissionRequiredMixin, PersonSearchMixin, FormView):
    permission_required = "minutes.add_membership"
    form_class = MembershipForm
    template_name = "minutes/bodies/membership_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.body = get_object_or_404(bodies_visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"legend": _("Add member")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"body": self.body, "adding": True}

    def form_valid(self, form):
        try:
            membership = services.membership_create(
                by=self.request.user, body=self.body, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(person)s was added to %(body)s.")
            % {"person": membership.person, "body": self.body},
        )
        return redirect(self.body)


class MembershipUpdateView(PermissionRequiredMixin, FormView):
    """Role, "on behalf of" and dates of a seat; setting "until" ends it."""

    permission_required = "minutes.change_membership"
    form_class = MembershipForm
    template_name = "minutes/bodies/membership_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.membership = get_object_or_404(
            selectors.memberships_visible_to(request.user).select_related("body", "person"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        m = self.membership
        return {
            "role": m.role,
            "on_behalf_of": m.on_behalf_of,
            "start_date": m.start_date,
            "end_date": m.end_date,
        }

    def get_form_kwargs(self):
        legend = _("Membership of %(person)s") % {"person": self.membership.person}
        return super().get_form_kwargs() | {"legend": legend}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "body": self.membership.body,
            "membership": self.membership,
        }

    def form_valid(self, form):
        try:
            services.membership_update(
                by=self.request.user, membership=self.membership, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The membership of %(person)s was saved.") % {"person": self.membership.person},
        )
        return redirect(self.membership.body)


class MemberAccountView(PermissionRequiredMixin, View):
    """POST: a login (Gremienmitglied) for the member, and the mail with the password link."""

    permission_required = "minutes.change_membership"
    http_method_names = ["post"]

    def post(self, request, pk):
        membership = get_object_or_404(
            selectors.memberships_visible_to(request.user).select_related("body", "person"),
            pk=pk,
        )
        person = membership.person
        try:
            account = services.member_account_create(by=request.user, membership=membership)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect(membership.body)
        if not account.created and account.user.has_usable_password():
            messages.info(request, _("%(person)s already has a login.") % {"person": person})
            return redirect(membership.body)
        # A login whose password was never chosen gets the link again (it is valid for a day).
        services.member_account_mail_enqueue(user=account.user)
        if account.created:
            text = _(
                "The login “%(username)s” was created for %(person)s; the link to "
                "choose a password is being sent to %(email)s."
            )
        else:
            text = _(
                "%(person)s already has the login “%(username)s” but has not chosen a "
                "password yet; the link is being sent again to %(email)s."
            )
        values = {"username": account.user.username, "person": person, "email": person.email}
        messages.success(request, text % values)
        return redirect(membership.body)
