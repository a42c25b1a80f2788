from django.urls import path

from .views import public, requests

app_name = "exemptions"

urlpatterns = [
    path("", public.home, name="home"),
    path("help/", public.help_page, name="help"),
    path("help/<slug:slug>/", public.help_page, name="help_page"),
    path("requests/", requests.dashboard, name="dashboard"),
    path("requests/new/", requests.request_start, name="request_start"),
]
