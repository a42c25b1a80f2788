"""The EP's download of the audit bundle for their own request (anyone else gets 404)."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from ..documents.bundles import bundle_filename, bundle_zip
from ..downloads import content_download
from .requests import owned_request


@login_required
def request_bundle(request, public_id):
    exemption = owned_request(request, public_id, submitted_at__isnull=False)
    return content_download(
        bundle_zip(exemption=exemption), filename=bundle_filename(exemption), content_type="application/zip"
    )


urlpatterns = [path("requests/<uuid:public_id>/bundle.zip", request_bundle, name="request_bundle")]
