"""Who the portal is and who answers questions: the site's name and the help desk (PORTAL_HELP_DESK_*).

Pages (through the context processor) and every email (through emails.rendering) show the same values."""

from django.conf import settings

SITE_NAME = "eRx Hardship Exemption Requests"
PROGRAM_NAME = "Medicare Electronic Prescribing (eRx) Incentive Program"


def help_desk() -> dict:
    return {
        "email": settings.PORTAL_HELP_DESK_EMAIL,
        "phone": settings.PORTAL_HELP_DESK_PHONE,
        "hours": settings.PORTAL_HELP_DESK_HOURS,
    }


def identity() -> dict:
    """The context every page and email gets: site and program names, the site's address, the help desk."""
    return {
        "SITE_NAME": SITE_NAME,
        "PROGRAM_NAME": PROGRAM_NAME,
        "SITE_URL": settings.SITE_URL,
        "HELP_DESK": help_desk(),
    }


def unique_emails(addresses) -> list[str]:
    """Each address once, in order, the first spelling kept: "Ana@Example.org" and "ana@example.org" are one inbox
    (mail providers treat the whole address case-insensitively in practice)."""
    seen: dict[str, str] = {}
    for address in addresses:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())
