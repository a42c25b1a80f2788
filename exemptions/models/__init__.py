"""The domain's data. One module per area; import from `exemptions.models`."""

from . import lookups  # noqa: F401 (registers the overflow-safe integer `in` lookup)
from .accounts import User
from .dashboard import DashboardFigure, DashboardSnapshot
from .files import StoredFile
from .informal_reviews import InformalReview, InformalReviewDocument, InformalReviewWindow
from .letters import GroupLetter, PrintBatch
from .outbox import OutboundEmail
from .program import AdjustmentYear, Announcement, Channel, Filer, HardshipCategory, SubmissionWindow, YearCategory
from .registry import RegistryEntry, RegistryFile
from .reminders import ReminderPolicy, WindowOpeningSubscription
from .requests import (
    AffectedEP,
    ExemptionRequest,
    Extension,
    InformationRequest,
    ReferenceCounter,
    StatusChange,
    SupportingDocument,
)

__all__ = [
    "AdjustmentYear",
    "AffectedEP",
    "Announcement",
    "Channel",
    "DashboardFigure",
    "DashboardSnapshot",
    "Filer",
    "ExemptionRequest",
    "Extension",
    "GroupLetter",
    "HardshipCategory",
    "InformalReview",
    "InformalReviewDocument",
    "InformalReviewWindow",
    "InformationRequest",
    "OutboundEmail",
    "PrintBatch",
    "ReferenceCounter",
    "RegistryEntry",
    "RegistryFile",
    "ReminderPolicy",
    "StatusChange",
    "StoredFile",
    "SubmissionWindow",
    "SupportingDocument",
    "User",
    "WindowOpeningSubscription",
    "YearCategory",
]
