import pytest
from django.core.exceptions import ValidationError

from exemptions.identifiers import format_tin, mask_tin, normalize_tin, npi_check_digit, validate_npi


@pytest.mark.parametrize("npi", ["1234567893", "1558598797", "1528060837", "1000000020", " 1234567893 "])
def test_valid_npis_pass(npi):
    assert validate_npi(npi) == npi.strip()


def test_check_digit_zero_needs_the_final_mod_10():
    assert npi_check_digit("100000002") == "0"


@pytest.mark.parametrize(
    ("npi", "code", "words"),
    [
        ("123456789", "npi_length", "exactly 10 digits; this one has 9"),
        ("12345678933", "npi_length", "this one has 11"),
        ("12345A7893", "npi_digits", "digits only"),
        ("3234567893", "npi_prefix", "start with 1 or 2"),
        ("1234567890", "npi_check_digit", "check digit"),
        ("1000000021", "npi_check_digit", "check digit"),
        ("", "npi_digits", "NPI must"),
    ],
)
def test_invalid_npis_name_the_field_and_the_rule(npi, code, words):
    with pytest.raises(ValidationError) as err:
        validate_npi(npi)
    assert err.value.code == code
    assert "NPI" in err.value.message and words in err.value.message


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("12-3456789", "123456789"),
        ("123456789", "123456789"),
        (" 12-3456789 ", "123456789"),
        ("123-45-6789", "123456789"),
    ],
)
def test_valid_tins_are_stored_as_digits(raw, digits):
    assert normalize_tin(raw) == digits


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12345678", "tin_length"),
        ("1234567890", "tin_length"),
        ("07-3456789", "tin_ein_prefix"),
        ("073456789", "tin_ein_prefix"),
        ("96-1234567", "tin_ein_prefix"),
        ("1-23456789", "tin_format"),
        ("1234-56789", "tin_format"),
        ("12 34 56789", "tin_format"),
        ("12-3456-789", "tin_format"),
        ("12.3456789", "tin_characters"),
        ("000-12-3456", "tin_ssn"),
    ],
)
def test_invalid_tins_name_the_field_and_the_rule(raw, code):
    with pytest.raises(ValidationError) as err:
        normalize_tin(raw)
    assert err.value.code == code
    assert "TIN" in err.value.message


def test_never_issued_prefix_message_explains_the_ssn_alternative():
    with pytest.raises(ValidationError) as err:
        normalize_tin("07-3456789")
    assert "prefix 07 is never issued" in err.value.message and "123-45-6789" in err.value.message


def test_masking_shows_only_the_last_four_digits():
    assert mask_tin("123456789") == "XX-XXX6789"
    assert mask_tin("") == ""
    assert format_tin("123456789") == "12-3456789"


def test_finding_fullwidth_tin_is_stored_as_ascii_digits():
    assert normalize_tin("１２-3456789") == "123456789"
    assert normalize_tin("１２－３４５６７８９") == "123456789"  # fullwidth dash too


def test_finding_fullwidth_npi_is_validated_and_returned_as_ascii():
    assert validate_npi("１２３４５６７８９３") == "1234567893"
    with pytest.raises(ValidationError) as caught:
        validate_npi("１２３４５６７８９０")
    assert caught.value.code == "npi_check_digit"


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦٧٨٩٣", "۱۲۳۴۵۶۷۸۹۳", "१२३४५६७८९३"])
def test_finding_arabic_indic_and_other_digits_are_refused_for_an_npi(typed):
    assert typed.isdigit()  # what the old check accepted
    with pytest.raises(ValidationError) as caught:
        validate_npi(typed)
    assert caught.value.code == "npi_digits"


def test_finding_arabic_indic_digits_are_refused_for_a_tin():
    with pytest.raises(ValidationError) as caught:
        normalize_tin("١٢-٣٤٥٦٧٨٩")
    assert caught.value.code == "tin_characters"


def test_finding_fullwidth_zip_is_normalized_and_other_digits_refused():
    from exemptions.forms import AffectedEPForm

    form = AffectedEPForm(data={"npi": "１２３４５６７８９３", "zip_code": "２１２０４", "state": "ｍｄ"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["npi"], form.cleaned_data["zip_code"], form.cleaned_data["state"]) == (
        "1234567893",
        "21204",
        "MD",
    )
    refused = AffectedEPForm(data={"zip_code": "٢١٢٠٤"})
    assert not refused.is_valid() and "zip_code" in refused.errors
