"""'Your letter is ready': sent when a large group's letter finishes rendering in the worker."""

from django.urls import reverse

from ..models import GroupLetter, OutboundEmail
from ..windows import date_in_words
from .decisions import greeting_name


def letter_ready(email: OutboundEmail):
    letter = GroupLetter.objects.filter(pk=email.context.get("letter_id"), status=GroupLetter.Status.READY).first()
    if letter is None:
        return None  # failed or gone since: nothing to announce
    exemption = letter.request
    return "letter-ready", {
        "name": greeting_name(exemption, email.user),
        "request": exemption,
        "letter": letter,
        "deadline": date_in_words(letter.postmark_deadline) if letter.postmark_deadline else "",
        "link": reverse("exemptions:group_detail", args=[exemption.public_id]),
    }
