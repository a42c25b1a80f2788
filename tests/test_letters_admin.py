"""Staff's GPRO letters admin: print selected letters as one PDF, record received by reference, downloads."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from exemptions.models import PrintBatch
from tests.conftest import et
from tests.factories import UserFactory
from tests.test_groups_support import complete_group, generate, pdf_text

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:exemptions_groupmailing_changelist"


def test_the_changelist_lists_generated_letters_only(client, ep, staff_user):
    generated = complete_group(owner=ep)
    generate(generated, ep)
    complete_group(owner=ep, group_name="Still A Draft LLC")
    client.force_login(staff_user)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert generated.reference in page and "Still A Draft LLC" not in page
    assert "XX-XXX6789" in page and "123456789" not in page
    assert "Record a letter received" in page


@pytest.mark.django_db(transaction=True)  # commits for real: the batch is built right after the service commits
def test_print_action_makes_one_merged_pdf(client, ep, other_ep, staff_user):
    groups = [complete_group(owner=ep), complete_group(owner=other_ep, group_name="Second Group PC", tin="234567890")]
    for group in groups:
        generate(group, group.owner)
    client.force_login(staff_user)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "print_with_cover", "_selected_action": [g.pk for g in groups]},
        follow=True,
    )
    batch = PrintBatch.objects.get()
    assert f"Print batch {batch.pk}: 2 letter(s), 6 pages." in response.content.decode()
    download = client.get(reverse("admin:exemptions_printbatch_download", args=[batch.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="print-batch-{batch.pk}.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(b"".join(download.streaming_content))
    assert len(text) == 6 and "Second Group PC" in text[0]


def test_record_received_by_scanned_reference(client, ep, staff_user):
    group = complete_group(owner=ep)
    deadline = generate(group, ep).postmark_deadline
    client.force_login(staff_user)
    url = reverse("admin:exemptions_groupmailing_receive")
    assert "autofocus" in client.get(url).content.decode()
    received, postmarked = deadline + dt.timedelta(days=5), deadline + dt.timedelta(days=1)
    with time_machine.travel(et(received.year, received.month, received.day, 12, 0), tick=False):
        client.force_login(staff_user)  # sessions expire across the jump in time
        response = client.post(
            url,
            {"reference": f" {group.reference.lower()} ", "received_on": received, "postmarked_on": postmarked},
            follow=True,
        )
        again = client.post(url, {"reference": group.reference, "received_on": received, "postmarked_on": postmarked})
        unknown = client.post(
            url, {"reference": "HX-2099-999999", "received_on": received, "postmarked_on": postmarked}
        )
    page = response.content.decode()
    assert "Its postmark is AFTER the deadline: flagged." in page
    group.refresh_from_db()
    assert (group.status, group.received_on, group.postmarked_on) == ("received", received, postmarked)
    assert "Cannot mark received" in again.content.decode()
    assert "No GPRO letter has the reference HX-2099-999999." in unknown.content.decode()


def test_staff_download_the_stored_letter_and_others_cannot(client, ep, staff_user):
    group = complete_group(owner=ep)
    letter = generate(group, ep)
    url = reverse("admin:exemptions_groupmailing_letter", args=[letter.public_id])
    client.force_login(staff_user)
    response = client.get(url)
    assert response["Content-Disposition"] == f'attachment; filename="{group.reference}-letter-v1.pdf"'
    client.force_login(UserFactory(is_staff=True))  # staff without the view permission
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
