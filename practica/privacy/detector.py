"""The patient-data guard's detector: find text that looks like it identifies a patient.

It looks for what identifies a person in UK, Australian and US clinical writing:

- names with a patient's title ("Mrs Jane Smith", "Mr J.S.", "Mrs P"), a patient named as
  one ("our patient Dennis Potter", "Patient KT"), initials with an age ("JS, 83M");
- dates of birth in the common forms (beside "DOB", "born", a name);
- NHS, CHI, Medicare and IHI numbers (by their check digits, or beside their name), hospital
  and medical record numbers ("MRN", "UR", "hosp no", "chart #"), US social security numbers;
- phone numbers, street addresses, postcodes and ZIP codes alone, email addresses.

It is a warning light, not a proof: the author sees each suspicious span highlighted and
decides. What clinicians write about care without identifying anyone stays quiet: doses,
lab values and observations ("paracetamol 1 g QDS", "K+ 4.2 mmol/L", "BP 120/80"),
guideline numbers ("NICE NG51"), years and times, drug names, a case told without a name
("a 78-year-old woman"), staff signing off ("Regards, Mr Andrew Price, Consultant"), and
a ward's or a trust's own switchboard number. `bench_guard` measures it on a labelled corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]


LABELS = {
    "date_of_birth": "a date of birth",
    "name_with_date": "a name next to a date",
    "patient_name": "a patient's name",
    "initials_with_age": "initials with an age",
    "nhs_number": "an NHS number",
    "medicare_number": "a Medicare number",
    "ihi_number": "an Individual Healthcare Identifier",
    "record_number": "a hospital or medical record number",
    "social_security_number": "a social security number",
    "phone": "a phone number",
    "address": "a street address",
    "postcode": "a postcode or ZIP code",
    "email": "an email address",
}

# --- dates -------------------------------------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DATE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}"
    rf"|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[\s-]+{_MONTHS}\.?,?[\s-]+(?:19|20)?\d{{2}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
# "DOB", "D.O.B.:", "date of birth as", "born on", "b." just before a date.
DOB_CUE = re.compile(
    r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth(?:\s+(?:is|was|as|of))?|born(?:\s+on)?|b\.)"
    r"\s*[:\-]?\s*$",
    re.I,
)
# "Mr Jones", "Mrs A. Patel", or two capitalised words ("Margaret Smith"), shortly before a date.
NAME_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Master)\.?\s+[A-Z][a-z'’-]+"
    r"|\b[A-Z][a-z'’-]{1,20}\s+(?:[A-Z]\.\s+)?[A-Z][a-z'’-]{1,25})"
    r"[^.\n]{0,40}$"
)
# Words that start sentences or name things, not people.
NOT_NAMES = {
    "The", "This", "That", "Ward", "Our", "We", "On", "In", "At", "From", "Since", "Admitted",
    "Discharged", "Reviewed", "Seen", "Last", "Next", "Bank", "Night", "Day", "Early", "Late",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Audit",
    "Policy", "Updated", "Version", "Dr", "Team", "Clinical", "Medication", "Falls",
    "Journal", "Meeting", "Notes", "Training", "Seminar", "Room", "Simulation", "Safety",
}  # fmt: skip

# --- names -------------------------------------------------------------------------------------

# A patient's title with a name or initials: "Mrs Jane Smith", "Mr. Garcia", "Mr J.S.",
# "Mrs P", "Ms K. Adeyemi". ("Dr" and "Sister" are nearly always staff, so not here.)
_NAME = r"[A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)?"
_INITIALS = r"[A-Z]\.?(?:\s?[A-Z]\.?){0,2}(?![a-z])"
TITLED_NAME = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Master)\.?\s+"
    rf"(?:(?:{_INITIALS}\s+)?{_NAME}(?:\s+{_NAME})?|{_INITIALS})"
)
# "our patient Dennis Potter", "Patient JS", "Pt Emily Davis", "initials R.T."
CUED_NAME = re.compile(
    rf"\b(?:[Pp]atient|[Pp]t|[Rr]esident|[Cc]lient|initials)\s*[:,]?\s+"
    rf"(?:(?:called|named)\s+)?(?:{_NAME}\s+{_NAME}|[A-Z]\.?\s?[A-Z]\.?(?![a-z]))"
)
# Initials or a name, then an age: "JS, 83M", "KT, 91F", "Dennis Potter, 74,", "R.T. (78)".
NAME_AGE = re.compile(
    rf"(?:\b[A-Z]\.?\s?[A-Z]\.?|\b{_NAME}\s+{_NAME})"
    r"(?:,\s*|\s+\()(?:aged\s+)?(?:1[01]\d|\d{1,2})\s*(?:[MF]\b|y/?o\b|yrs?\b|years?\b)?"
    r"(?=\s*[,)]|\s*$|[MF]\b)"
)
# What follows a staff member's name in a signature or an introduction.
STAFF_ROLE = re.compile(
    r"^[\s,(–—-]{1,4}(?:(?:the|our|a)\s+)?(?:[A-Za-z]+\s+){0,2}"
    r"(?:(?i:consultant|surgeon|registrar|doctor|nurse|matron|sister|manager|lead|director|"
    r"physio(?:therapist)?|pharmacist|therapist|educator|chaplain|coordinator|specialist|"
    r"practitioner|midwife|dietitian|clerk)|CNS|CNC|CNE|NUM|RN|MSN|FRCS|MD)\b"
)
VALEDICTION = re.compile(
    r"(?:^|\n)\s*(?:(?:kind|best|warm)\s+)?(?:regards|wishes|thanks|thank\s+you|cheers|"
    r"sincerely|best|from)\s*[,–—-]?\s*$",
    re.I,
)

# --- numbers -----------------------------------------------------------------------------------

# A number standing on its own: not part of a longer number or of a figure such as
# "9,434,765,919" or "1.234", but free to end a clause ("…5919, fell overnight.").
_ALONE_BEFORE = r"(?<!\d)(?<!\d[.,/])"
_ALONE_AFTER = r"(?!\d)(?![.,/]\d)"
TEN_DIGITS = re.compile(rf"{_ALONE_BEFORE}(\d{{3}})[ -]?(\d{{3}})[ -]?(\d{{4}}){_ALONE_AFTER}")
NHS_CUE = re.compile(r"\b(?:NHS|CHI)\s*(?:no\.?|number|#)?\s*(?:is\s+)?[:.]?\s*$", re.I)
MEDICARE = re.compile(
    rf"{_ALONE_BEFORE}([2-6]\d{{3}})[ -]?(\d{{5}})[ -]?(\d)(?:[ -]?\d)?{_ALONE_AFTER}"
)
MEDICARE_CUE = re.compile(r"\bMedicare\s*(?:card|no\.?|number|#)?\s*(?:is\s+)?[:.]?\s*$", re.I)
IHI = re.compile(rf"{_ALONE_BEFORE}8003[ -]?60\d{{2}}[ -]?\d{{4}}[ -]?\d{{4}}{_ALONE_AFTER}")
IHI_CUE = re.compile(
    r"\b(?:IHI|Individual\s+Healthcare\s+Identifier)\s*(?:no\.?|number|#)?\s*[:.]?\s*$", re.I
)
RECORD = re.compile(
    r"\b(?:MRN|MR\s*#|URN?|UR\s*(?:no\.?|number)|hosp(?:ital)?\.?\s*(?:no\.?|number|#)|"
    r"(?:medical\s+)?record\s+(?:no\.?|number|#)|chart\s*(?:no\.?|number|#)|NHI|"
    r"(?:medicaid|insurance|member)\s+(?:id|no\.?|number))"
    r"(?:\s+is)?\s*[:#.]?\s*(?:[A-Z]{0,3}\d{5,10}[A-Z]?|[A-Z]{3}\d{4})\b",
    re.IGNORECASE,
)
SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{2}\s?\(?0?\)?\s?|0)"
    r"(?:\d[ -]?){8,10}\d(?![\d.])"
    r"|\(0\d\)\s?\d{4}\s?\d{4}\b"
    r"|(?<![\w.(-])\(?[2-9]\d{2}\)?[ .-]\d{3}[ .-]\d{4}(?![\d-])"
)
MOBILE = re.compile(r"^(?:\+44\s?7|\+61\s?4|07|04)")
# A ward's, a clinic's or a trust's published number is how to reach staff, not a patient.
INSTITUTION_NUMBER = re.compile(
    r"\b(?:switchboard|reception|enquiries|help\s*desk|the\s+(?:ward|unit|clinic|trust|"
    r"hospital|department|office))\b[^.\n]{0,30}$",
    re.I,
)
ADDRESS = re.compile(
    r"\b\d{1,4}[A-Za-z]?\s+(?:The\s+)?(?:[A-Z][a-z'’]+\s+){0,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Crescent|Cres|Court|Ct|Way|"
    r"Place|Pl|Terrace|Tce|Parade|Pde|Grove|Gardens|Square|Boulevard|Highway|Hwy|Green|"
    r"Mews|Row|Walk|Rise)\b\.?"
)
# A full UK postcode ("LS1 4AB", "SW1A 1AA"); an Australian state with its postcode
# ("NSW 2150"); a US state with its ZIP code ("MA 02115"), or a ZIP code named as one.
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")
AU_POSTCODE = re.compile(r"\b(?:NSW|VIC|QLD|WA|SA|TAS|NT|ACT)\s+\d{4}\b")
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    "NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
US_ZIP = re.compile(rf"\b(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b")
ZIP_CUE = re.compile(r"\bzip\s*(?:code)?\s*(?:is\s+)?:?\s*\d{5}(?:-\d{4})?\b", re.I)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's mod-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def medicare_number_is_valid(digits: str) -> bool:
    """Australian Medicare: first digit 2–6, weights 1,3,7,9,1,3,7,9, sum mod 10 is digit 9."""
    if len(digits) not in (10, 11) or not digits.isdigit() or digits[0] not in "23456":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], (1, 3, 7, 9, 1, 3, 7, 9), strict=True))
    return total % 10 == int(digits[8])


def luhn_is_valid(digits: str) -> bool:
    """The Luhn check the Australian IHI (16 digits from 800360) carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _signed_by_staff(text: str, start: int, end: int) -> bool:
    """A title and name in a sign-off ("Regards, Mr Andrew Price") or with a staff role."""
    return bool(VALEDICTION.search(text[max(0, start - 30) : start])) or bool(
        STAFF_ROLE.match(text[end : end + 40])
    )


def scan(text: str) -> list[Finding]:
    """Every suspicious span in `text`, in order, never overlapping."""
    text = text or ""
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(f.start < end and start < f.end for f in found):
            return
        found.append(Finding(kind, start, end, text[start:end]))

    def before(position: int, width: int = 60) -> str:
        return text[max(0, position - width) : position]

    for match in DATE.finditer(text):
        ahead = before(match.start())
        cue = DOB_CUE.search(ahead)
        if cue:
            add("date_of_birth", match.start() - (len(ahead) - cue.start()), match.end())
            continue
        name = NAME_BEFORE.search(ahead)
        if name and name.group(0).split()[0].rstrip(".") not in NOT_NAMES:
            add("name_with_date", match.start() - (len(ahead) - name.start()), match.end())
    for match in IHI.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if luhn_is_valid(digits) or IHI_CUE.search(before(match.start(), 40)):
            add("ihi_number", match.start(), match.end())
    for match in RECORD.finditer(text):
        add("record_number", match.start(), match.end())
    for match in TEN_DIGITS.finditer(text):
        digits = "".join(match.groups())
        if nhs_number_is_valid(digits) or NHS_CUE.search(before(match.start(), 20)):
            add("nhs_number", match.start(), match.end())
    for match in MEDICARE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if medicare_number_is_valid(digits) or MEDICARE_CUE.search(before(match.start(), 25)):
            add("medicare_number", match.start(), match.end())
    for match in SSN.finditer(text):
        add("social_security_number", match.start(), match.end())
    for match in EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for match in PHONE.finditer(text):
        number = match.group(0)
        if not MOBILE.match(number) and INSTITUTION_NUMBER.search(before(match.start())):
            continue
        add("phone", match.start(), match.end())
    for match in ADDRESS.finditer(text):
        add("address", match.start(), match.end())
    for pattern in (UK_POSTCODE, AU_POSTCODE, US_ZIP):
        for match in pattern.finditer(text):
            add("postcode", match.start(), match.end())
    for match in ZIP_CUE.finditer(text):
        add("postcode", match.start(), match.end())
    for match in TITLED_NAME.finditer(text):
        if not _signed_by_staff(text, match.start(), match.end()):
            add("patient_name", match.start(), match.end())
    for match in CUED_NAME.finditer(text):
        add("patient_name", match.start(), match.end())
    for match in NAME_AGE.finditer(text):
        if match.group(0).split()[0].rstrip(".,") not in NOT_NAMES:
            add("initials_with_age", match.start(), match.end())
    return sorted(found, key=lambda f: f.start)


def highlight(text: str, findings: list[Finding]) -> SafeString:
    """`text`, escaped, with each finding wrapped in <mark> (for the warning panel)."""
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(escape(text[position : finding.start]))
        parts.append(
            f'<mark class="guard-mark" title="Looks like {escape(finding.label)}">'
            f"{escape(finding.text)}</mark>"
        )
        position = finding.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
