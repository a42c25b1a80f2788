"""The edit page's form as the load test posts it (one complete EP), shared by wrk's request file and locust."""

from __future__ import annotations


def form_data(csrf: str, action: str, ep_email: str, category_id: int) -> dict:
    return {
        "csrfmiddlewaretoken": csrf,
        "ep-TOTAL_FORMS": "1",
        "ep-INITIAL_FORMS": "0",
        "ep-MIN_NUM_FORMS": "0",
        "ep-MAX_NUM_FORMS": "2500",
        "ep-0-npi": "1234567893",
        "ep-0-name": "Pat Example",
        "ep-0-address_line1": "1 Main St",
        "ep-0-address_line2": "",
        "ep-0-city": "Towson",
        "ep-0-state": "MD",
        "ep-0-zip_code": "21204",
        "ep-0-email": ep_email,
        "tin": "12-3456789",
        "contact_phone": "410-555-0100",
        "categories": str(category_id),
        "justification": "State law prevented e-prescribing at our practice during the reporting period.",
        "cehrt_id": "",
        "attested": "on",
        "action": action,
    }
