"""Personas and requests for the staff review tests (import the fixtures you use into the test module)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from exemptions.models import AdjustmentYear, ExemptionRequest
from exemptions.reasons import Decision
from exemptions.roles import ADMINISTRATOR, REVIEWER, roles_setup
from exemptions.services import review
from exemptions.services.requests import request_submit
from tests.factories import UserFactory, complete_draft


def staff_member(email: str, full_name: str, role: str = REVIEWER):
    roles_setup()  # idempotent; a transactional test's flush removes the groups the migration created
    user = UserFactory(email=email, full_name=full_name, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def reviewer(db):
    return staff_member("rita@cms.example.gov", "Rita Reviewer")


@pytest.fixture
def second_reviewer(db):
    return staff_member("sam@cms.example.gov", "Sam Second")


@pytest.fixture
def administrator(db):
    return staff_member("ann@cms.example.gov", "Ann Administrator", ADMINISTRATOR)


def submit(owner, *, npis=("1234567893",), **fields):
    """A request submitted now in the 2013 year (windows are not checked here: at= inside window 2)."""
    from tests.conftest import et

    draft = complete_draft(owner=owner, year=AdjustmentYear.objects.get(year=2013), npis=npis, **fields)
    first = draft.affected_eps.first()
    ExemptionRequest.objects.filter(pk=draft.pk).update(  # what request_save_draft keeps for the staff list
        display_name=first.name, first_npi=first.npi, ep_count=draft.affected_eps.count()
    )
    submitted, _ = request_submit(exemption=draft, actor=owner, at=et(2012, 12, 1, 10))
    return submitted


@pytest.fixture
def submitted(ep):
    return submit(ep)


def now():
    return timezone.now()


def start_review(exemption, reviewer):
    return review.request_start_review(exemption=exemption, actor=reviewer, at=timezone.now())


def approve(exemption, reviewer, *, at=None, reason_code="hardship_verified", **details):
    """Approve through the one decision service, now and for the usual reason unless told otherwise."""
    return review.request_decide(
        exemption=exemption,
        decision=Decision.APPROVE,
        actor=reviewer,
        at=at or now(),
        reason_code=reason_code,
        **details,
    )


def deny(exemption, reviewer, reason_code, *, at=None, **details):
    """Deny through the one decision service, now unless told otherwise."""
    return review.request_decide(
        exemption=exemption, decision=Decision.DENY, actor=reviewer, at=at or now(), reason_code=reason_code, **details
    )
