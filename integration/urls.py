from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.cache import cache_control

from integration.core import views as core_views
from minutes.portal.sitemaps import SITEMAPS

auth_patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", core_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", include("integration.core.urls")),
    path("network/", include("actors.urls")),
    path("surveys/", include("actors.surveys.urls")),
    path("concept/", include("measures.urls")),
    path("committees/", include("minutes.urls")),
    path("oparl/v1/", include("minutes.oparl.urls")),
    path("public/", include("minutes.portal.urls")),
    path("documents/", include("integration.documents.urls")),
    path("accounts/", include(auth_patterns)),
    path("healthz", core_views.healthz, name="healthz"),
    # For crawlers; unnamed, as they are no pages of ours (public objects only).
    path("robots.txt", core_views.robots_txt),
    path(
        "sitemap.xml",
        login_not_required(cache_control(public=True, max_age=3600)(sitemap)),
        {"sitemaps": SITEMAPS},
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "integration.core.errors.bad_request"
handler403 = "integration.core.errors.permission_denied"
handler404 = "integration.core.errors.page_not_found"
handler500 = "integration.core.errors.server_error"
