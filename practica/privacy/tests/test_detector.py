import pytest

from practica.privacy import detector as guard


def kinds(text):
    return [f.kind for f in guard.scan(text)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mrs Patel, DOB 14/03/1941, was admitted overnight.", "date_of_birth"),
        ("date of birth: 2 March 1950", "date_of_birth"),
        ("Margaret Thompson 12/07/1938 fell twice on the ward", "name_with_date"),
        ("Mr Okonkwo (born 1947-05-21) needs review", "date_of_birth"),
        ("His NHS number is 943 476 5919 if you need it", "nhs_number"),
        ("NHS no 9434765919", "nhs_number"),
        ("My patient, NHS 943 476 5919, fell overnight.", "nhs_number"),
        ("Her NHS number is 9434765919.", "nhs_number"),
        ("Medicare 2123 45670 1, expiry on the card", "medicare_number"),
        ("Medicare 2123 45670 1 on the form", "medicare_number"),
        ("MRN 00412345 in bed 4", "record_number"),
        ("Call his daughter on 07700 900123 tonight", "phone"),
        ("Family on +44 7700 900123", "phone"),
        ("Her son is on 0412 345 678", "phone"),
        ("Lives at 42 Wallaby Way alone", "address"),
        ("Discharged home to 17 Acacia Avenue yesterday", "address"),
        ("Email her GP at jane.doe@nhs.example.uk", "email"),
    ],
)
def test_guard_finds_realistic_identifiers(text, kind):
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "paracetamol 1 g QDS, max 4 g in 24 hours",
        "K+ 4.2 mmol/L, Na 138 mmol/L, creatinine 92 umol/L",
        "INR 2.5 this morning; warfarin 3 mg held",
        "BP 120/80, HR 88, RR 18, SpO2 96% on 2 L",
        "NEWS2 score of 5 at 02:00, escalated at 02:15",
        "Enoxaparin 40 mg SC once daily, CrCl 28 mL/min",
        "Audit of 1,234 falls between 2019 and 2023",
        "Spend was 9,434,765,919 over the decade",
        "Gentamicin 5 mg/kg, level at 18 hours 1.2 mg/L",
        "We reviewed policy version 2.3 on 12/03/2024 at the huddle",
        "The ward phone extension is 4471",
        "Ward 7 handover at 07:30 and 19:30",
        "Dr Singh reviewed at the bedside",
        "1234567890",  # ten digits failing the NHS check digit
    ],
)
def test_guard_leaves_doses_lab_values_and_ordinary_text_alone(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mrs Jane Smith in bed 4 was confused overnight", "patient_name"),
        ("Mr J.S., 83, admitted yesterday", "patient_name"),
        ("Mrs P, 91, on side room 3", "patient_name"),
        ("Our patient Dennis Potter, 74, died this morning", "patient_name"),
        ("Patient KT, 91F, bed 2", "patient_name"),
        ("JS, 83M, in bed 4, fell overnight", "initials_with_age"),
        ("Lives in LS1 4AB with her daughter", "postcode"),
        ("Lives in Parramatta NSW 2150", "postcode"),
        ("Lives in Boston, MA 02115", "postcode"),
        ("Her zip code is 94110", "postcode"),
        ("D.O.B. 21-06-1949, allergic to penicillin", "date_of_birth"),
        ("She gave her date of birth as 30/11/1952", "date_of_birth"),
        ("b. 12-Mar-1950", "date_of_birth"),
        ("Hosp no K123456, dose not signed", "record_number"),
        ("UR 123456, MET call at 0230", "record_number"),
        ("MR# 55512345, no falls band", "record_number"),
        ("Her hospital number is M0987654", "record_number"),
        ("NHS no 123 456 7890 on the letter", "nhs_number"),  # named, despite its check digit
        ("IHI 8003 6078 1981 0963 on the referral", "ihi_number"),
        ("SSN 123-45-6789 on the consent form", "social_security_number"),
        ("Call her husband at (617) 555-0143", "phone"),
        ("Return the wheelchair to 8 The Green, Otley", "address"),
    ],
)
def test_guard_finds_names_postcodes_and_identifiers_of_three_countries(text, kind):
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Regards, Mr Andrew Price, Consultant Orthopaedic Surgeon.",
        "Mr Tomlinson, the lead physiotherapist, runs the workshop",
        "Thanks all, Sarah Jones, Falls Prevention Lead.",
        "A 78-year-old woman with delirium: how would you manage her?",
        "NICE NG51 says to consider sepsis at a NEWS2 of 5",
        "GCS 14/15 (E4 V4 M6) at 22:00",
        "Handover to KM at 19:30 went well",
        "The trust switchboard is on 0113 243 3144",
        "Journal club is on 14 May 2025 at 13:00 in Seminar Room 2",
        "Apixaban 5 mg BD, reduced to 2.5 mg BD if over 80",
        "Patients aged 65 and over, patient education, Pt ambulated 150 ft",
    ],
)
def test_guard_stays_quiet_on_sign_offs_cases_without_names_and_working_numbers(text):
    assert kinds(text) == []


def test_a_mobile_number_is_caught_even_beside_the_ward():
    assert kinds("Ring the ward about her son, on 07912 345678") == ["phone"]


def test_nhs_check_digit():
    assert guard.nhs_number_is_valid("9434765919")
    assert not guard.nhs_number_is_valid("9434765918")
    assert not guard.nhs_number_is_valid("1111111111")


def test_medicare_check_digit():
    assert guard.medicare_number_is_valid("2123456701")
    assert not guard.medicare_number_is_valid("2123456791")
    assert not guard.medicare_number_is_valid("7123456701")


def test_highlight_escapes_everything_but_the_marks():
    text = "<script>x</script> call 07700 900123"
    html = guard.highlight(text, guard.scan(text))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<mark class="guard-mark"' in html
