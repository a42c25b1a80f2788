"""The PDF receipt of an informal review: small (one TIN, at most 50 NPIs), so rendered when downloaded."""

import datetime as dt

from ..identifiers import mask_tin
from ..models import InformalReview
from ..windows import format_et
from .pdf import render_pdf


def informal_review_receipt_pdf(review: InformalReview) -> bytes:
    context = {
        "review": review,
        "documents": list(review.documents.all()),
        "submitted_at_et": format_et(review.submitted_at),
        "submitted_at_utc": review.submitted_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "masked_tin": mask_tin(review.tin),
    }
    return render_pdf("informal_reviews/receipt_pdf.html", context, stylesheet_name="receipt")
