"""The GPRO letter PDF: what CMS needs is on it, nothing is cut off, user text is escaped, fonts and metadata."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
import time_machine
from pypdf import PdfReader

from exemptions.documents.letters import CMS_ADDRESS
from exemptions.models import AdjustmentYear
from tests.conftest import et
from tests.test_groups_support import complete_group, generate, npi, pdf_text, stored_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter_2012(ep):
    """A 2012 letter generated inside the historical letter window (October 2011)."""
    with time_machine.travel(et(2011, 10, 20, 10, 0), tick=False):
        group = complete_group(owner=ep, year=AdjustmentYear.objects.get(year=2012), eps=3)
        letter = generate(group, ep, at=et(2011, 10, 20, 10, 0))
    return group, letter, stored_pdf(letter)


def test_letter_carries_the_address_reference_tin_deadline_and_every_npi(letter_2012):
    group, letter, data = letter_2012
    text = "\n".join(pdf_text(data))
    lines = [line.strip() for line in text.splitlines()]
    for address_line in CMS_ADDRESS:
        assert address_line in lines
    assert group.reference in text
    assert "12-3456789" in text
    assert "This letter must be postmarked no later than November 1, 2011." in text.splitlines()
    for ep in group.affected_eps.all():
        assert ep.npi in text
    words = " ".join(text.split())
    assert "hardship exemption from the 2012 eRx payment adjustment" in words
    assert "October 20, 2011" in words


def test_every_page_shows_the_reference_and_page_n_of_m(ep):
    group = complete_group(owner=ep, eps=120)
    letter = generate(group, ep)
    pages = pdf_text(stored_pdf(letter))
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert f"Reference {group.reference}" in page


def test_the_address_sits_in_the_window_of_a_number_10_envelope(letter_2012):
    """First address line about 2.1 in from the top and 0.75 in from the left of the sheet (72 pt per inch)."""
    _group, _letter, data = letter_2012
    page = PdfReader(io.BytesIO(data)).pages[0]
    positions = {}

    def visit(text, cm, tm, font, size):
        if text.strip() in CMS_ADDRESS:
            positions[text.strip()] = (tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    height = float(page.mediabox.height)
    assert (float(page.mediabox.width), height) == (612, 792)
    first_x, first_y = positions[CMS_ADDRESS[0]]
    last_x, last_y = positions[CMS_ADDRESS[-1]]
    assert 0.6 * 72 <= first_x <= 1.0 * 72
    assert 2.0 * 72 <= height - first_y <= 2.35 * 72
    assert height - last_y <= 3.15 * 72  # the sixth line still inside the 1⅛ in window


def test_metadata_language_tagging_and_embedded_fonts(letter_2012):
    group, _letter, data = letter_2012
    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]).startswith(f"GPRO significant hardship exemption request {group.reference}")
        assert str(info["/Author"]) == group.group_name
        assert "2012 eRx payment adjustment" in str(info["/Subject"])
        assert str(pdf.Root.Lang) == "en"
        assert "/StructTreeRoot" in pdf.Root  # tagged (PDF/UA-1)
        fonts = [f for page in pdf.pages for f in page.Resources.Font.values()]
        assert fonts
        for font in fonts:
            descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor or "/FontFile" in descriptor


def test_non_latin_names_render_with_real_glyphs(ep):
    names = ["王小明", "Ελένη Παπαδοπούλου", "Андрей Смирнов", "José Núñez"]
    group = complete_group(owner=ep, eps=4, names=names)
    data = stored_pdf(generate(group, ep))
    text = "\n".join(pdf_text(data))
    for name in names:
        assert name in text
    with pikepdf.open(io.BytesIO(data)) as pdf:
        font_names = {str(f.BaseFont) for page in pdf.pages for f in page.Resources.Font.values()}
    assert any("Droid-Sans-Fallback" in name for name in font_names)  # CJK glyphs, not empty boxes


def test_justification_is_escaped_wrapped_and_complete(ep):
    url = "https://example.org/" + "very-long-path-segment-" * 20
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 8
    words = " ".join(f"w{n:05d}" for n in range(3000))
    justification = f"<script>alert('x')</script> <b>not bold</b> {url} {word}\n\n{words}"[:20000]
    group = complete_group(owner=ep, eps=2, justification=justification)
    data = stored_pdf(generate(group, ep))
    text = "\n".join(pdf_text(data))
    assert "<script>alert('x')</script>" in text
    assert "<b>not bold</b>" in text
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", url) in flat
    assert word in flat
    tokens = set(re.findall(r"w\d{5}", text))
    assert tokens == {f"w{n:05d}" for n in range(3000) if f"w{n:05d}" in justification}
    assert len(justification) == 20000


def test_a_2500_ep_letter_runs_over_many_pages_with_nothing_cut_off(ep):
    group = complete_group(owner=ep, eps=2500)
    letter = generate(group, ep)
    letter.refresh_from_db()
    assert letter.status == "ready"
    pages = pdf_text(stored_pdf(letter))
    assert letter.page_count == len(pages) > 30
    text = "\n".join(pages)
    found = set(re.findall(r"\b1\d{9}\b", text))
    assert {npi(n) for n in range(1, 2501)} <= found
    emails = set(re.findall(r"ep\d+@example\.org", text))
    assert len(emails) == 2500
    assert "Each line: number, NPI, name, mailing address, email." in text
    for page in pages[1:]:
        if re.search(r"\b1\d{9}\b", page):
            assert re.search(r"\d+\. NPI 1\d{9} · ", page)  # every EP line says what its number is


def test_the_qr_code_is_a_small_image_of_the_reference(letter_2012):
    """The QR code is embedded as a one-pixel-per-module image (drawn unsmoothed) whose dark pixels are the
    reference's QR modules, with a two-module quiet zone."""
    import segno
    from pikepdf import PdfImage

    group, _letter, data = letter_2012
    with pikepdf.open(io.BytesIO(data)) as pdf:
        images = [PdfImage(image) for page in pdf.pages for image in page.get_images().values()]
        assert len(images) == 1
        pixels = images[0].as_pil_image().convert("L")
        interpolated = bool(images[0].obj.get("/Interpolate", False))
    matrix = segno.make(group.reference, error="m", micro=False).matrix
    size = len(matrix) + 4
    assert pixels.size == (size, size)
    dark = {(x, y) for y in range(size) for x in range(size) if pixels.getpixel((x, y)) < 128}
    assert dark == {(x + 2, y + 2) for y, row in enumerate(matrix) for x, cell in enumerate(row) if cell}
    assert not interpolated


def test_the_image_scheme_answers_only_the_render_s_own_images():
    from exemptions.documents import pdf

    fetcher = pdf.StaticOnlyFetcher.with_images({"qr": b"\x89PNG"})
    assert fetcher.fetch("portal-image:qr").read() == b"\x89PNG"
    for url in ("portal-image:other", "portal-image:../qr", "data:image/png;base64,AAAA", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
