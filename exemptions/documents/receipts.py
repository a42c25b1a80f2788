"""The PDF receipt an EP keeps as proof of timely filing."""

import datetime as dt

from ..identifiers import mask_tin
from ..models import ExemptionRequest
from ..windows import format_et
from .pdf import render_pdf


def receipt_pdf(exemption: ExemptionRequest) -> bytes:
    context = {
        "obj": exemption,
        "eps": list(exemption.affected_eps.all()),
        "categories": list(exemption.categories.order_by("name")),
        "submitted_at_et": format_et(exemption.submitted_at),
        "submitted_at_utc": exemption.submitted_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "masked_tin": mask_tin(exemption.tin),
        "window": exemption.submitted_window,
    }
    return render_pdf("pdf/receipt.html", context, stylesheet_name="receipt")
