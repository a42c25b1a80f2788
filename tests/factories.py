import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from exemptions import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class YearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AdjustmentYear
        django_get_or_create = ["year"]

    year = factory.Sequence(lambda n: 3000 + n)
    adjustment_percent = "1.00"
    reporting_period = "Test period"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.HardshipCategory
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SubmissionWindow

    year = factory.SubFactory(YearFactory)
    channel = models.Channel.ONLINE
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ExemptionRequest

    owner = factory.SubFactory(UserFactory)
    year = factory.LazyFunction(lambda: models.AdjustmentYear.objects.get(year=2013))
    tin = "123456789"
    justification = "We could not e-prescribe."
    contact_name = "Alice Able"


def complete_draft(*, owner, year=None, npis=("1234567893",), **overrides):
    """A draft that passes every submission check, in the practice year (open now) unless told otherwise."""
    from django.core.management import call_command

    if year is None:
        call_command("seed_demo", verbosity=0)
        year = models.AdjustmentYear.objects.get(is_practice=True)
    category = models.HardshipCategory.objects.get(code="law-regulation")
    fields = {
        "owner": owner,
        "year": year,
        "tin": "123456789",
        "contact_phone": "410-555-0100",
        "justification": "State law prevented e-prescribing.",
        "attested": True,
        "contact_email": owner.email,
        **overrides,
    }
    draft = models.ExemptionRequest.objects.create(**fields)
    models.YearCategory.objects.get_or_create(year=year, category=category)
    draft.categories.add(category)
    for i, npi in enumerate(npis):
        models.AffectedEP.objects.create(
            request=draft,
            position=i,
            npi=npi,
            name=f"EP {i + 1}",
            address_line1="1 Main St",
            city="Towson",
            state="MD",
            zip_code="21204",
            email=f"ep{i + 1}@example.org",
        )
    return draft


class ExtensionFactory(factory.django.DjangoModelFactory):
    """A staff extension of one request (its year and the online channel unless told), granted by a new staff user."""

    class Meta:
        model = models.Extension

    request = factory.SubFactory(RequestFactory)
    year = factory.LazyAttribute(lambda extension: extension.request.year)
    channel = models.Channel.ONLINE
    reason = "Portal unreachable on deadline day"
    granted_by = factory.SubFactory(UserFactory, is_staff=True)


MINIMAL_PDF = b"%PDF-1.4\n%%EOF\n"


def stored_document(*, request, original_name: str = "scan.pdf", content: bytes = MINIMAL_PDF, save: bool = True):
    """A supporting document of `request` with its file written and its real SHA-256 (downloads verify it)."""
    import hashlib

    from django.core.files.base import ContentFile

    document = models.SupportingDocument(
        request=request,
        original_name=original_name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    document.file.save("x", ContentFile(content), save=save)
    if not save:
        document.save()
    return document
