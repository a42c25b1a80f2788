"""Informal review emails: the confirmation on submit and the decision (adjustment upheld or reversed).

Built from the review's current state when the row is sent; the outbox row names the review in its context.
"""

from __future__ import annotations

from django.urls import reverse

from ..models import InformalReview, OutboundEmail
from ..windows import format_et


def _review(email: OutboundEmail) -> InformalReview | None:
    reviews = InformalReview.objects.select_related("year", "owner")
    return reviews.filter(pk=email.context.get("informal_review")).first()


def informal_review_email(review: InformalReview) -> dict:
    """The context both emails share (also what a staff preview would show)."""
    return {
        "name": (getattr(review.owner, "full_name", "") or "").strip(),
        "review": review,
        "year": review.year,
        "npis": review.npis,
        "submitted_at_et": format_et(review.submitted_at) if review.submitted_at else "",
        "link": reverse("exemptions:informal_review_detail", args=[review.public_id]),
    }


def confirmation(email: OutboundEmail):
    review = _review(email)
    if review is None or review.submitted_at is None:
        return None
    return "informal-review-confirmation", informal_review_email(review)


def decision(email: OutboundEmail):
    review = _review(email)
    if review is None or not review.is_decided:
        return None  # nothing decided any more: nothing to say
    context = informal_review_email(review)
    context.update(
        reversed=review.status == InformalReview.Status.REVERSED,
        message=review.decision_message,
        decided_at_et=format_et(review.decided_at),
    )
    return "informal-review-decision", context
