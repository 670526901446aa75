"""The patient-data guard: find text that looks like it identifies a patient.

It looks for dates of birth beside names, NHS numbers (with their mod-11 check digit),
Australian Medicare numbers (with their check digit), medical record numbers, phone
numbers, street addresses and email addresses. It is a warning light, not a proof: the
author sees each suspicious span highlighted and decides. Drug doses, lab values and
observations ("paracetamol 1 g QDS", "K+ 4.2 mmol/L", "BP 120/80") are not matched.
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
    "nhs_number": "an NHS number",
    "medicare_number": "a Medicare number",
    "record_number": "a medical record number",
    "phone": "a phone number",
    "address": "a street address",
    "email": "an email address",
}

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DATE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}"
    rf"|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+(?:19|20)\d{{2}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
DOB_CUE = re.compile(r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*$", re.I)
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
}  # fmt: skip

# A number standing on its own: not part of a longer number or of a figure such as
# "9,434,765,919" or "1.234", but free to end a clause ("…5919, fell overnight.").
_ALONE_BEFORE = r"(?<!\d)(?<!\d[.,/])"
_ALONE_AFTER = r"(?!\d)(?![.,/]\d)"
TEN_DIGITS = re.compile(rf"{_ALONE_BEFORE}(\d{{3}})[ -]?(\d{{3}})[ -]?(\d{{4}}){_ALONE_AFTER}")
MEDICARE = re.compile(
    rf"{_ALONE_BEFORE}([2-6]\d{{3}})[ -]?(\d{{5}})[ -]?(\d)(?:[ -]?\d)?{_ALONE_AFTER}"
)
RECORD = re.compile(
    r"\b(?:MRN|URN|UR\s*(?:no|number)|hospital\s+(?:no|number)|record\s+(?:no|number)|"
    r"NHI|CHI)\s*[:#.]?\s*[A-Z]{0,3}\d{5,10}\b",
    re.IGNORECASE,
)
PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{2}\s?\(?0?\)?\s?|0)"
    r"(?:\d[ -]?){8,10}\d(?![\d.])"
    r"|\(0\d\)\s?\d{4}\s?\d{4}\b"
)
ADDRESS = re.compile(
    r"\b\d{1,4}[A-Za-z]?\s+(?:[A-Z][a-z'’]+\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Crescent|Cres|Court|Ct|Way|"
    r"Place|Pl|Terrace|Tce|Parade|Pde|Grove|Gardens|Square|Boulevard|Highway|Hwy)\b\.?"
)
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


def scan(text: str) -> list[Finding]:
    """Every suspicious span in `text`, in order, never overlapping."""
    text = text or ""
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(f.start < end and start < f.end for f in found):
            return
        found.append(Finding(kind, start, end, text[start:end]))

    for match in DATE.finditer(text):
        before = text[max(0, match.start() - 60) : match.start()]
        cue = DOB_CUE.search(before)
        if cue:
            add("date_of_birth", match.start() - (len(before) - cue.start()), match.end())
            continue
        name = NAME_BEFORE.search(before)
        if name and name.group(0).split()[0].rstrip(".") not in NOT_NAMES:
            add("name_with_date", match.start() - (len(before) - name.start()), match.end())
    for match in RECORD.finditer(text):
        add("record_number", match.start(), match.end())
    for match in TEN_DIGITS.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            add("nhs_number", match.start(), match.end())
    for match in MEDICARE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if medicare_number_is_valid(digits):
            add("medicare_number", match.start(), match.end())
    for match in EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for match in PHONE.finditer(text):
        add("phone", match.start(), match.end())
    for match in ADDRESS.finditer(text):
        add("address", match.start(), match.end())
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
