"""Words for the NUCC health care provider taxonomy codes the registry gives as an NPI's primary specialty.

Only the codes an eRx eligible professional commonly holds are named here; any other code is shown as the code.
"""

NAMES = {
    "207Q00000X": "Family Medicine",
    "207R00000X": "Internal Medicine",
    "208D00000X": "General Practice",
    "208000000X": "Pediatrics",
    "207V00000X": "Obstetrics & Gynecology",
    "207RC0000X": "Cardiovascular Disease",
    "207RE0101X": "Endocrinology, Diabetes & Metabolism",
    "207RG0100X": "Gastroenterology",
    "207RN0300X": "Nephrology",
    "207RP1001X": "Pulmonary Disease",
    "207RR0500X": "Rheumatology",
    "207RX0202X": "Medical Oncology",
    "207N00000X": "Dermatology",
    "207P00000X": "Emergency Medicine",
    "207T00000X": "Neurological Surgery",
    "2084N0400X": "Neurology",
    "2084P0800X": "Psychiatry",
    "207W00000X": "Ophthalmology",
    "207X00000X": "Orthopaedic Surgery",
    "207Y00000X": "Otolaryngology",
    "208600000X": "Surgery",
    "208800000X": "Urology",
    "2085R0202X": "Diagnostic Radiology",
    "207L00000X": "Anesthesiology",
    "213E00000X": "Podiatrist",
    "152W00000X": "Optometrist",
    "122300000X": "Dentist",
    "363L00000X": "Nurse Practitioner",
    "363LF0000X": "Nurse Practitioner, Family",
    "363A00000X": "Physician Assistant",
    "363AM0700X": "Physician Assistant, Medical",
    "364S00000X": "Clinical Nurse Specialist",
    "367500000X": "Certified Registered Nurse Anesthetist",
    "367A00000X": "Advanced Practice Midwife",
    "111N00000X": "Chiropractor",
}


def taxonomy_name(code: str) -> str:
    return NAMES.get(code, code)
