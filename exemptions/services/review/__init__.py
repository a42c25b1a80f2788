"""Staff review: start, ask for more information, approve or deny, reopen, assign, extensions, notes.

Every status change goes through `apply_transition` (the workflow table decides what is legal). Each service
locks the request first and refuses, with a message fit to show the reviewer (see `errors.py`), when:
- the request was already decided (by someone else a moment ago, or long ago): AlreadyDecided, "already decided
  by X", checked before the version so two reviewers clicking Approve at once read the useful message;
- the request changed since the reviewer opened it (optimistic locking on `version`): StaleRequest;
- the input is incomplete (deny without a reason, ask without a message, approve with nobody assigned):
  ReviewError (NoReviewerAssigned for the last).
- the request was reassigned since the reviewer opened it (the queue's decision): Reassigned.
Nothing is changed when a service raises. Emails to the EP are outbox rows keyed by the StatusChange id, so a
decision sends exactly one email however often the task runs.
"""

from ..transitions import StaleRequest
from .assignment import request_assign, request_start_review, request_update_notes
from .bulk import BulkResult, request_bulk_assign, request_bulk_decide
from .decisions import request_decide, request_reopen
from .errors import REFUSALS, AlreadyDecided, NoReviewerAssigned, Reassigned, ReviewError
from .extensions import extension_grant
from .questions import request_ask_for_information
from .queue import request_claim_next, request_decide_in_queue

__all__ = [
    "REFUSALS",
    "AlreadyDecided",
    "BulkResult",
    "NoReviewerAssigned",
    "Reassigned",
    "ReviewError",
    "StaleRequest",
    "extension_grant",
    "request_ask_for_information",
    "request_assign",
    "request_bulk_assign",
    "request_bulk_decide",
    "request_claim_next",
    "request_decide",
    "request_decide_in_queue",
    "request_reopen",
    "request_start_review",
    "request_update_notes",
]
