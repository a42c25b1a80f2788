"""Pages anyone can read: home (years, windows, announcements) and help."""

from django.http import Http404
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from ..selectors import published_announcements, year_overviews

HELP_PAGES = {
    "guide": "User guide",
    "gpro": "How the GPRO letter works",
    "categories": "Hardship categories by year",
    "deadlines": "Deadlines and time zones",
    "faq": "Frequently asked questions",
    "after-decision": "After a decision",
    "glossary": "Words and abbreviations",
    "contact": "Contact the help desk",
}


def home(request):
    now = timezone.now()
    return render(
        request,
        "exemptions/home.html",
        {"overviews": year_overviews(at=now), "announcements": published_announcements(at=now)},
    )


def help_page(request, slug: str = "guide"):
    if slug not in HELP_PAGES:
        raise Http404("No such help page")
    template = f"help/{slug}.html"
    try:
        get_template(template)
    except TemplateDoesNotExist:
        raise Http404("No such help page") from None
    context = {"pages": HELP_PAGES, "slug": slug, "title": HELP_PAGES[slug]}
    if slug == "categories":
        context["overviews"] = year_overviews(at=timezone.now())
    return render(request, template, context)
