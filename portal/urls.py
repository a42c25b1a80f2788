from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import health, views

admin.site.site_header = "Hardship exemptions: staff"
admin.site.site_title = "Hardship exemptions staff"
admin.site.index_title = "Requests, years and windows"
# Staff sign in through allauth's sign-in page, like everyone: one lockout policy and the TOTP step for all.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
    path("session/expired/", views.session_expired, name="session_expired"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("exemptions.urls")),
]
