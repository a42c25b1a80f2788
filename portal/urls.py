from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Hardship exemptions: staff"
admin.site.site_title = "Hardship exemptions staff"
admin.site.index_title = "Requests, years and windows"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("exemptions.urls")),
]
