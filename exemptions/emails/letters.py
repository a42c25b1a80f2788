"""'Your letter is ready': sent when a large group's letter finishes rendering in the worker."""

from django.urls import reverse

from ..letters import date_in_words
from ..models import GroupLetter, OutboundEmail


def letter_ready(email: OutboundEmail):
    letter = GroupLetter.objects.filter(pk=email.context.get("letter_id"), status=GroupLetter.Status.READY).first()
    if letter is None:
        return None  # failed or gone since: nothing to announce
    request = letter.request
    return "letter-ready", {
        "request": request,
        "letter": letter,
        "deadline": date_in_words(letter.postmark_deadline) if letter.postmark_deadline else "",
        "link": reverse("exemptions:group_detail", args=[request.public_id]),
    }
