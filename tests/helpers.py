"""Small helpers for EP-form tests: build the POST data the edit page sends."""

from __future__ import annotations

import io

from pypdf import PdfReader

EP_KEYS = ["npi", "name", "address_line1", "address_line2", "city", "state", "zip_code", "email"]


def ep_row(npi="1234567893", name="Alice Able", **extra) -> dict:
    row = {
        "npi": npi,
        "name": name,
        "address_line1": "1 Main St",
        "address_line2": "",
        "city": "Towson",
        "state": "MD",
        "zip_code": "21204",
        "email": "alice@example.org",
    }
    row.update(extra)
    return row


def form_data(*, eps=None, action="save", categories=(), **fields) -> dict:
    eps = [ep_row()] if eps is None else eps
    data = {
        "ep-TOTAL_FORMS": str(len(eps)),
        "ep-INITIAL_FORMS": "0",
        "ep-MIN_NUM_FORMS": "0",
        "ep-MAX_NUM_FORMS": "2500",
        "action": action,
    }
    for i, row in enumerate(eps):
        for key in EP_KEYS:
            data[f"ep-{i}-{key}"] = row.get(key, "")
    data.update(
        {
            "tin": "12-3456789",
            "contact_phone": "410-555-0100",
            "justification": "State law.",
            "cehrt_id": "",
            "attested": "on",
        }
    )
    data.update(fields)
    if not data.get("attested"):
        data.pop("attested")
    data["categories"] = [str(c) for c in categories]
    return data


STEP_KEYS = {
    "practice": ("tin", "contact_phone", "contact_name", "contact_email"),
    "hardship": ("categories", "cehrt_id", "justification"),
    "check": ("attested",),
}


def post_steps(client, obj, data: dict, *, follow: bool = True):
    """Post `data` (form_data()) as a person walking the steps does: the EPs, the practice, the hardship, each
    saved with Continue, then the summary with the data's action (Submit). Returns the summary's response."""
    from django.urls import reverse

    obj.refresh_from_db()
    data = {"contact_name": obj.contact_name, "contact_email": obj.contact_email, **data}
    eps = {k: v for k, v in data.items() if k.startswith("ep-")}
    for step, fields in [
        ("eps", eps),
        *((s, {k: data[k] for k in keys if k in data}) for s, keys in STEP_KEYS.items()),
    ]:
        if step == "check":
            break
        client.post(reverse("exemptions:request_step", args=[obj.public_id, step]), {**fields, "action": "continue"})
    check = {k: data[k] for k in STEP_KEYS["check"] if k in data}
    url = reverse("exemptions:request_check", args=[obj.public_id])
    return client.post(url, {**check, "action": data.get("action", "submit")}, follow=follow)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def build_stored_files(exemption) -> None:
    """What a worker does after commit: build the request's receipt and audit bundle from what it holds now."""
    from exemptions.documents.rendering import stored_file_build
    from exemptions.models import StoredFile
    from exemptions.services.stored_files import stored_files_refresh

    stored_files_refresh(exemption=exemption)
    preparing = StoredFile.objects.filter(request=exemption, status=StoredFile.Status.PREPARING).order_by("pk")
    for pk in preparing.values_list("pk", flat=True):  # the receipt first: the bundle carries it
        stored_file_build(stored_file_id=pk)


def pdf_bytes(build=None, *, pages: int = 1, compressed: bool = False) -> bytes:
    """A small valid PDF (blank pages) made with pikepdf; `build(pdf)` may add to it first (actions, annotations).

    `compressed` puts the objects in compressed object streams, where a byte search would not see them."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    if build is not None:
        build(pdf)
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if compressed else pikepdf.ObjectStreamMode.disable
    pdf.save(out, object_stream_mode=mode, compress_streams=compressed)
    return out.getvalue()
