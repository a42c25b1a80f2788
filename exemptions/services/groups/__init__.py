"""GPRO groups: the group request (`requests`), its letter versions, mailing and receipt (`letters`), and staff
print batches (`print_batches`). Services only: PDFs are rendered by `exemptions.documents`, run as tasks."""

from .letters import (
    EDITABLE,
    LETTER_RENDERS,
    SYNC_RENDER_MAX_EPS,
    letter_generate,
    letter_mark_mailed,
    letter_mark_received,
    letter_store_rendered,
)
from .print_batches import (
    BATCH_BUILDS,
    SYNC_BATCH_MAX_LETTERS,
    print_batch_create,
    print_batch_store_built,
)
from .requests import (
    group_ep_remove,
    group_eps_add,
    group_eps_replace,
    group_request_create,
    group_request_save,
)

__all__ = [
    "BATCH_BUILDS",
    "LETTER_RENDERS",
    "EDITABLE",
    "SYNC_BATCH_MAX_LETTERS",
    "SYNC_RENDER_MAX_EPS",
    "group_ep_remove",
    "group_eps_add",
    "group_eps_replace",
    "group_request_create",
    "group_request_save",
    "letter_generate",
    "letter_mark_mailed",
    "letter_mark_received",
    "letter_store_rendered",
    "print_batch_create",
    "print_batch_store_built",
]
