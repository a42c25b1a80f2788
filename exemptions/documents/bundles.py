"""The audit bundle: one ZIP with a request as submitted (PDF), its letters, documents and status history.

Staff download it from the review screen, the EP for their own request. Both get the same content, so
internal notes are never in it (a bundle is a file that travels). A manifest lists every file with its SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

from .. import workflow
from ..csv_safe import SafeWriter
from ..models import ExemptionRequest, GroupLetter
from ..windows import format_et
from .receipts import receipt_pdf

SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def bundle_zip(*, exemption: ExemptionRequest, receipt: bytes | None = None) -> bytes:
    """Build the bundle in memory (documents are capped at 5 x 10 MB per request).

    `receipt` is the stored receipt (the bundle carries the very file the EP downloaded); rendered when None.
    """
    receipt = receipt if receipt is not None else receipt_pdf(exemption)
    files: list[tuple[str, bytes]] = [(f"request-{exemption.reference}.pdf", receipt)]
    for letter in GroupLetter.objects.filter(request=exemption, status=GroupLetter.Status.READY).order_by("version"):
        if letter.file:
            with letter.file.open("rb") as handle:
                files.append((f"letters/letter-v{letter.version}.pdf", handle.read()))
    for number, document in enumerate(exemption.documents.all(), start=1):
        try:
            with document.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            continue
        files.append((f"documents/{number:02d}-{_safe(document.download_name)}", content))
    files.append(("status-history.csv", _history_csv(exemption)))
    manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
        archive.writestr("MANIFEST.sha256", manifest)
    return buffer.getvalue()


def _safe(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return SAFE_NAME.sub("_", base).strip(" .")[:100] or "document"


def _history_csv(exemption: ExemptionRequest) -> bytes:
    out = io.StringIO()
    writer = SafeWriter(out)  # messages are typed by staff and EPs: formula-like cells are defused
    writer.writerow(["When (ET)", "From", "To", "Status as the EP sees it", "By", "Reason code", "Message to the EP"])
    for change in exemption.status_changes.select_related("actor").order_by("at", "id"):
        by = "EP" if change.actor_id == exemption.owner_id else ("CMS staff" if change.actor_id else "system")
        writer.writerow(
            [
                format_et(change.at),
                change.get_from_status_display() if change.from_status else "",
                change.get_to_status_display(),
                workflow.ep_label(change.to_status),
                by,
                change.reason_code,
                change.message_to_ep,  # never change.internal_note
            ]
        )
    return out.getvalue().encode("utf-8")
