from django.urls import reverse

from ..models import OutboundEmail
from ..urgency import received_words
from ..windows import format_et
from .decisions import greeting_name


def confirmation(email: OutboundEmail):
    exemption = email.request
    return "confirmation", {
        "name": greeting_name(exemption, email.user),
        "request": exemption,  # the templates' name for it
        "categories": list(exemption.categories.order_by("name")),
        "submitted_at_et": format_et(exemption.submitted_at, seconds=True),
        "received_before_close": received_words(exemption),
        "ep_count": exemption.affected_eps.count(),
        "link": reverse("exemptions:request_detail", args=[exemption.public_id]),
    }
