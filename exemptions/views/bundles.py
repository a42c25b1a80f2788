"""The EP's download of the audit bundle for their own request (anyone else gets 404)."""

from django.contrib.auth.decorators import login_required
from django.urls import path, reverse

from ..downloads import stored_file_response
from ..models import StoredFile
from .requests import owned_request


@login_required
def request_bundle(request, public_id):
    exemption = owned_request(request, public_id, submitted_at__isnull=False)
    back = reverse("exemptions:request_detail", args=[exemption.public_id])
    return stored_file_response(request, exemption, StoredFile.Kind.BUNDLE, back_url=back)


urlpatterns = [path("requests/<uuid:public_id>/bundle.zip", request_bundle, name="request_bundle")]
