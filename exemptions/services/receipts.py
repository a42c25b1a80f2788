"""The PDF receipt an EP keeps as proof of timely filing."""

import datetime as dt

from ..identifiers import mask_tin
from ..models import ExemptionRequest
from ..pdf import render_pdf
from ..windows import format_et


def receipt_pdf(request: ExemptionRequest) -> bytes:
    context = {
        "obj": request,
        "eps": list(request.affected_eps.all()),
        "categories": list(request.categories.order_by("name")),
        "submitted_at_et": format_et(request.submitted_at),
        "submitted_at_utc": request.submitted_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "masked_tin": mask_tin(request.tin),
        "window": request.submitted_window,
    }
    return render_pdf("pdf/receipt.html", context, stylesheet_name="receipt")
