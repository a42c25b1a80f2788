"""Two submits of the same draft at the same instant, on PostgreSQL: one reference, one email."""

import threading

import pytest
from django.db import connection, connections

from exemptions.models import ExemptionRequest, OutboundEmail, StatusChange
from exemptions.services.requests import request_submit
from tests.factories import complete_draft


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_one_submission_and_one_email(ep, mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serializes writers anyway)")
    draft = complete_draft(owner=ep)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait(5)
            from django.utils import timezone

            results.append(
                request_submit(exemption=ExemptionRequest.objects.get(pk=draft.pk), actor=ep, at=timezone.now())[1]
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(results) == [False, True]
    draft.refresh_from_db()
    assert draft.reference.endswith("-000001")
    assert ExemptionRequest.objects.filter(reference__isnull=False).count() == 1
    assert StatusChange.objects.filter(request=draft, to_status="submitted").count() == 1
    assert OutboundEmail.objects.filter(request=draft).count() == 1
    assert len(mailoutbox) == 1
