"""The email outbox, which is also the sent-log: one row per email that must go out exactly once."""

from django.conf import settings
from django.db import models


class OutboundEmail(models.Model):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Submission confirmation"
        DECISION_APPROVED = "decision_approved", "Decision: approved"
        DECISION_DENIED = "decision_denied", "Decision: denied"
        DECISION_REOPENED = "decision_reopened", "Decision reopened"
        INFO_REQUESTED = "info_requested", "More information requested"
        REMINDER_DRAFT = "reminder_draft", "Reminder: unsubmitted draft"
        REMINDER_LETTER = "reminder_letter", "Reminder: letter not mailed"
        REMINDER_INFO = "reminder_info", "Reminder: information not sent"
        WINDOW_OPENING = "window_opening", "Window opening"
        LETTER_READY = "letter_ready", "Letter ready"
        ACCOUNT = "account", "Account (sign-up, password, address)"
        # Informal reviews: the row's context names the review ({"informal_review": id}); `request` stays empty.
        INFORMAL_REVIEW_CONFIRMATION = "informal_review_confirmation", "Informal review: confirmation"
        INFORMAL_REVIEW_DECISION = "informal_review_decision", "Informal review: decision"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"

    key = models.CharField(
        max_length=200, unique=True, help_text="Idempotency key: a second row for the same email cannot exist."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    request = models.ForeignKey(
        "exemptions.ExemptionRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipients = models.JSONField(default=list)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "last_published_at"], name="outbox_status_published"),
            models.Index(fields=["kind", "status"], name="outbox_kind_status"),
        ]
        verbose_name = "outbound email"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
