from django.urls import path

from .views import groups, public, registry, reminders, requests, steps

app_name = "exemptions"

urlpatterns = [
    path("", public.home, name="home"),
    path("help/", public.help_page, name="help"),
    path("help/<slug:slug>/", public.help_page, name="help_page"),
    path("requests/", requests.dashboard, name="dashboard"),
    path("requests/new/", requests.request_start, name="request_start"),
    path("requests/<uuid:public_id>/", requests.request_detail, name="request_detail"),
    path("requests/<uuid:public_id>/submitted/", requests.request_submitted, name="request_submitted"),
    path("requests/<uuid:public_id>/delete/", requests.request_delete, name="request_delete"),
    path("requests/<uuid:public_id>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("requests/<uuid:public_id>/respond/", requests.request_respond, name="request_respond"),
    path("requests/<uuid:public_id>/receipt.pdf", requests.request_receipt, name="request_receipt"),
    path("documents/<uuid:public_id>/", requests.document_download, name="document_download"),
    path("documents/<uuid:public_id>/delete/", requests.document_delete, name="document_delete"),
]

# Each area owns its URL patterns in its views module.
urlpatterns += steps.urlpatterns + groups.urlpatterns + reminders.urlpatterns + registry.urlpatterns

from .views import bundles  # noqa: E402  (the audit bundle download, issue 5)

urlpatterns += bundles.urlpatterns
from .views import informal_reviews  # noqa: E402  (informal reviews of an adjustment, issue 13)

urlpatterns += informal_reviews.urlpatterns

from .views import estimator, precheck  # noqa: E402  (the public tools, issue 13)

urlpatterns += estimator.urlpatterns
urlpatterns += precheck.urlpatterns
