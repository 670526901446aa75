import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from practica.library.uploads import UploadRefused, sniff


def upload(name, data):
    return SimpleUploadedFile(name, data)


def office(main_part, content_type):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/{main_part}" ContentType="application/vnd.openxmlformats-officedocument.{content_type}"/></Types>',
        )
        archive.writestr(main_part, "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [
        ("guide.pdf", b"%PDF-1.7\n...", "pdf"),
        ("poster.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 20, "jpg"),
        ("notes.txt", "Handover notes — ISBAR".encode(), "txt"),
        ("rota.csv", b"ward,beds\n7,28\n", "csv"),
        ("form.docx", office("word/document.xml", "wordprocessingml.document.main+xml"), "docx"),
        ("audit.xlsx", office("xl/workbook.xml", "spreadsheetml.sheet.main+xml"), "xlsx"),
        (
            "teaching.pptx",
            office("ppt/presentation.xml", "presentationml.presentation.main+xml"),
            "pptx",
        ),
    ],
)
def test_allowed_types_are_recognised_by_content(name, data, extension):
    assert sniff(upload(name, data)).extension == extension


def test_a_renamed_executable_is_refused_with_a_clear_message():
    with pytest.raises(UploadRefused, match="Windows program"):
        sniff(upload("guideline.pdf", b"MZ\x90\x00" + b"\0" * 100))


def test_an_html_file_posing_as_a_pdf_is_refused():
    with pytest.raises(UploadRefused, match="web page"):
        sniff(upload("policy.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"))


def test_a_plain_zip_is_not_an_office_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "x")
    with pytest.raises(UploadRefused, match="zip archive"):
        sniff(upload("form.docx", buffer.getvalue()))


def test_binary_text_is_refused():
    with pytest.raises(UploadRefused):
        sniff(upload("notes.txt", b"abc\x00def"))


def test_a_pdf_named_docx_is_refused():
    with pytest.raises(UploadRefused, match="named .docx"):
        sniff(upload("form.docx", b"%PDF-1.4"))


def test_the_size_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LIBRARY_MAX_UPLOAD_MB", "1")
    with pytest.raises(UploadRefused, match="the limit is 1 MB"):
        sniff(upload("big.txt", b"a" * (1024 * 1024 + 1)))
