from django.conf import settings


def portal(request):
    return {"SITE_NAME": "eRx Hardship Exemption Requests", "SITE_URL": settings.SITE_URL}
