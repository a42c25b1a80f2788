from django.urls import reverse

from ..models import OutboundEmail
from ..windows import format_et


def confirmation(email: OutboundEmail):
    request = email.request
    return "confirmation", {
        "request": request,
        "categories": list(request.categories.order_by("name")),
        "submitted_at_et": format_et(request.submitted_at),
        "ep_count": request.affected_eps.count(),
        "link": reverse("exemptions:request_detail", args=[request.public_id]),
    }
