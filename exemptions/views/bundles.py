"""The EP's download of the audit bundle for their own request (anyone else gets 404)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from ..services.bundles import bundle_filename, bundle_zip
from .requests import owned_request


@login_required
def request_bundle(request, public_id):
    obj = owned_request(request, public_id, submitted_at__isnull=False)
    response = HttpResponse(bundle_zip(request=obj), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{bundle_filename(obj)}"'
    return response


urlpatterns = [path("requests/<uuid:public_id>/bundle.zip", request_bundle, name="request_bundle")]
