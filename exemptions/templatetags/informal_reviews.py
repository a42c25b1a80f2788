"""Informal review blocks shown on pages the hardship requests own (dashboard, a denied request's page)."""

from django import template
from django.utils import timezone

from ..selectors.informal_reviews import after_denial, review_rows
from ..workflow import INFORMAL_REVIEW_EP_LABELS

register = template.Library()


@register.inclusion_tag("informal_reviews/_after_denial.html")
def informal_review_after_denial(exemption):
    """After a denial: point to an informal review of the same year while its window is open or still to come."""
    return {"found": after_denial(exemption=exemption, at=timezone.now()), "exemption": exemption}


@register.inclusion_tag("informal_reviews/_my_reviews.html")
def my_informal_reviews(user):
    rows = [(review, INFORMAL_REVIEW_EP_LABELS[review.status]) for review in review_rows(owner=user)]
    return {"rows": rows}
