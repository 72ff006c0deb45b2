from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.generic import CreateView, ListView, TemplateView, UpdateView

from . import health, selectors, services
from .client_ip import client_ip
from .forms import FieldOfActionForm, PasswordResetForm
from .mixins import ServiceFormMixin
from .models import FieldOfAction


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker state as JSON; 503 when a configured one is down."""
    states = {"database": health.database_state(), "broker": health.broker_state()}
    healthy = all(state != health.UNAVAILABLE for state in states.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **states}, status=200 if healthy else 503
    )


class DashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "core.view_dashboard"
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = selectors.dashboard_figures(user=self.request.user)
        return context


class FieldOfActionListView(PermissionRequiredMixin, ListView):
    permission_required = "core.view_fieldofaction"
    template_name = "core/fieldofaction_list.html"
    context_object_name = "fields"

    def get_queryset(self):
        return selectors.fieldofaction_list(include_archived=True)


class FieldOfActionFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    model = FieldOfAction
    form_class = FieldOfActionForm
    template_name = "core/fieldofaction_form.html"
    success_url = reverse_lazy("core:fieldofaction_list")


class FieldOfActionCreateView(FieldOfActionFormMixin, CreateView):
    permission_required = "core.add_fieldofaction"
    success_message = _("Field of action “%(name)s” was created.")

    def save(self, form):
        return services.fieldofaction_create(
            by=self.request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )


class FieldOfActionUpdateView(FieldOfActionFormMixin, UpdateView):
    permission_required = "core.change_fieldofaction"
    success_message = _("Field of action “%(name)s” was saved.")

    def save(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        # The form already applied the values to the instance; reload so the
        # service sees the stored row and applies the change itself.
        stored = FieldOfAction.objects.get(pk=self.object.pk)
        return services.fieldofaction_update(by=self.request.user, field=stored, **fields)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    # Per hour: requests from one client address, and links to one email address.
    limit_per_client = 10
    limit_per_address = 3

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        flooded = services.rate_limit_hit(
            key=f"reset-ip:{client_ip(self.request)}",
            limit=self.limit_per_client,
            window_seconds=3600,
        ) or services.rate_limit_hit(
            key=f"reset-mail:{email}", limit=self.limit_per_address, window_seconds=3600
        )
        if flooded:
            # The same answer as always: nothing tells whether a mail went out.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@login_not_required
@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    """Crawlers may read the public portal, nothing else."""
    lines = [
        "User-agent: *",
        "Allow: /public/",
        "Disallow: /",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
