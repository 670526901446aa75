"""What an uploaded file really is, decided by its content, never by its name.

Allowed: pdf, docx, xlsx, pptx, png, jpg, txt, csv. Office files are zip archives whose
[Content_Types].xml declares the right main part; text must be UTF-8 without NUL bytes.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

DEFAULT_MAX_UPLOAD_MB = 20


def max_upload_bytes() -> int:
    """LIBRARY_MAX_UPLOAD_MB from the environment (default 20), in bytes."""
    raw = os.environ.get("LIBRARY_MAX_UPLOAD_MB", "")
    try:
        megabytes = float(raw) if raw.strip() else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        megabytes = DEFAULT_MAX_UPLOAD_MB
    return int(megabytes * 1024 * 1024)


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str
    inline: bool  # shown in the browser (images, PDF) rather than downloaded


TYPES = {
    "pdf": FileType("pdf", "application/pdf", "PDF", True),
    "png": FileType("png", "image/png", "PNG image", True),
    "jpg": FileType("jpg", "image/jpeg", "JPEG image", True),
    "docx": FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document", False),
    "xlsx": FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook", False),
    "pptx": FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation", False),
    "txt": FileType("txt", "text/plain; charset=utf-8", "Text file", False),
    "csv": FileType("csv", "text/csv; charset=utf-8", "CSV file", False),
}  # fmt: skip
ALLOWED_LABEL = "PDF, Word (docx), Excel (xlsx), PowerPoint (pptx), PNG, JPEG, plain text or CSV"

_OFFICE_PARTS = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}
# Recognised only to say clearly what a refused file is.
_KNOWN_BAD = [
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xca\xfe\xba\xbe", "a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"#!", "a script"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]
_MARKUP = (
    b"<!doctype html",
    b"<html",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<head",
    b"<body",
    b"<iframe",
)


class UploadRefused(ValueError):
    """The file can't be accepted; the message says why in words a member understands."""


def _describe_bad(head: bytes) -> str | None:
    for magic, what in _KNOWN_BAD:
        if head.startswith(magic):
            return what
    if head.lstrip().lower().startswith(_MARKUP):
        return "a web page (HTML or SVG)"
    return None


def _office_type(uploaded) -> str | None:
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            content_types = archive.read("[Content_Types].xml")[:200_000].decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    for extension, (part, declared) in _OFFICE_PARTS.items():
        if part in names and declared in content_types:
            return extension
    return None


def _is_text(uploaded) -> bool:
    uploaded.seek(0)
    data = uploaded.read()
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(uploaded) -> FileType:
    """The allowed type of `uploaded` by its content, or UploadRefused with the reason.

    Precondition: `uploaded` is a Django UploadedFile (seekable); its size is checked first.
    """
    limit = max_upload_bytes()
    if uploaded.size > limit:
        raise UploadRefused(
            f"This file is {uploaded.size / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB."
        )
    if uploaded.size == 0:
        raise UploadRefused("This file is empty.")
    uploaded.seek(0)
    head = uploaded.read(2048)
    name_extension = os.path.splitext(uploaded.name or "")[1].lower().lstrip(".")
    name_extension = "jpg" if name_extension == "jpeg" else name_extension
    found: str | None = None
    if head.startswith(b"%PDF-"):
        found = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        found = "jpg"
    elif head.startswith(b"PK\x03\x04"):
        found = _office_type(uploaded)
        if found is None:
            raise UploadRefused(
                "This is a zip archive but not a Word, Excel or PowerPoint file. "
                f"Allowed: {ALLOWED_LABEL}."
            )
    else:
        bad = _describe_bad(head)
        if bad:
            raise UploadRefused(
                f"This file is named “{uploaded.name}” but its content is {bad}, "
                f"which is not allowed. Allowed: {ALLOWED_LABEL}."
            )
        if _is_text(uploaded):
            found = "csv" if name_extension == "csv" else "txt"
    uploaded.seek(0)
    if found is None:
        raise UploadRefused(
            f"This file's content is not one of the allowed types: {ALLOWED_LABEL}."
        )
    if (
        name_extension in TYPES
        and name_extension != found
        and {name_extension, found} != {"txt", "csv"}
    ):
        raise UploadRefused(
            f"This file is named .{name_extension} but its content is a {TYPES[found].label}. "
            "Rename it to match, or upload the file you meant."
        )
    return TYPES[found]
