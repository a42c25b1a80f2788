"""Words: one term per action ("Sign in", "Sign out", "Create account"), US spelling everywhere, and a glossary for
the program's abbreviations, linked from every page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OTHER_TERMS = re.compile(r"\b(Log ?in|Login|Log ?out|Logout|Sign Up|Sign In|Sign Out|Sign up|Register|Signup)\b")
BRITISH = re.compile(
    r"practis|authoris|organis|normalis|recognis|summaris|colour|behaviour|honour|labelled(?!by)|cancelled|"
    r"travell|\bgrey\b|neighbour|finalis|serialis|catalogue|programme|licence|defence|whilst|amongst|judgement",
    re.IGNORECASE,
)
TICK = re.compile(r"\bTick\b")  # "Check the box" on a US form
FIXES_OLD_SPELLING = "address_state_choices.py"  # the migration that rewrites the old spelling has to name it
THIRD_PARTY = ("static/vendor/", "tests/browser/vendor/", "locale/")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    suffixes = {".py", ".html", ".txt", ".md", ".js", ".css", ".toml", ".yml", ".yaml", ".example"}
    return [ROOT / n for n in names if Path(n).suffix in suffixes and not n.startswith(THIRD_PARTY)]


def test_us_spelling_everywhere_in_the_project():
    this = Path(__file__).resolve()
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in tracked_text_files()
        if path != this and path.exists() and not path.name.endswith(FIXES_OLD_SPELLING)
        for number, line in enumerate(path.read_text(errors="ignore").splitlines(), start=1)
        if BRITISH.search(line) or TICK.search(line)
    ]
    assert not found, found


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/help/faq/", "/help/guide/"]
)
def test_pages_say_sign_in_sign_out_and_create_account_only(client, url):
    page = client.get(url, follow=True).content.decode()
    assert not OTHER_TERMS.findall(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.django_db
def test_a_signed_in_person_reads_sign_out(client, ep):
    client.force_login(ep)
    page = client.get("/requests/").content.decode()
    assert "Sign out" in page
    assert not OTHER_TERMS.findall(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.django_db
def test_the_glossary_explains_each_abbreviation_and_every_page_links_to_it(client):
    page = client.get("/help/glossary/").content.decode()
    for term in (
        "EP (eligible professional)",
        "NPI (National Provider Identifier)",
        "TIN (Taxpayer Identification",
        "GPRO (Group Practice Reporting Option)",
        "CEHRT (certified electronic health record technology)",
    ):
        assert term in page
    assert 'href="/help/glossary/"' in client.get("/").content.decode()


def test_the_form_hints_spell_out_the_abbreviations_where_people_first_meet_them():
    from exemptions.forms import AffectedEPForm, RequestForm
    from exemptions.forms_groups import GroupRequestForm

    assert "National Provider Identifier" in AffectedEPForm.base_fields["npi"].help_text
    assert "Taxpayer Identification Number" in RequestForm.base_fields["tin"].help_text
    assert "Certified EHR technology (CEHRT)" in str(RequestForm.base_fields["cehrt_id"].help_text)
    assert "Group Practice Reporting Option (GPRO)" in str(GroupRequestForm.base_fields["gpro_option"].help_text)
