import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from practica.communities.stages import Stage
from practica.library.services.resources import add_resource, upload_new_version

pytestmark = pytest.mark.django_db


def test_participant_uploads_and_versions_are_kept(client, community, member_at):
    participant = member_at(Stage.PARTICIPANT)
    resource = add_resource(
        actor=participant,
        community=community,
        title="Handover sheet",
        uploaded=SimpleUploadedFile("sheet.csv", b"bed,name\n1,A\n"),
    )
    upload_new_version(
        actor=participant,
        resource=resource,
        uploaded=SimpleUploadedFile("sheet.csv", b"bed,name\n2,B\n"),
    )
    assert resource.versions.count() == 2
    old = client.get(f"/c/{community.slug}/library/resources/{resource.pk}/v1/download")
    assert old.status_code == 200
    assert b"".join(old.streaming_content) == b"bed,name\n1,A\n"
    assert old["Content-Disposition"].startswith("attachment;")
    assert old["X-Content-Type-Options"] == "nosniff"
    assert old["Content-Security-Policy"] == "default-src 'none'"


def test_a_pdf_is_shown_inline(client, community, member_at):
    resource = add_resource(
        actor=member_at(Stage.PARTICIPANT),
        community=community,
        title="Poster",
        uploaded=SimpleUploadedFile("poster.pdf", b"%PDF-1.4 poster"),
    )
    response = client.get(f"/c/{community.slug}/library/resources/{resource.pk}/v1/download")
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "application/pdf"


def test_learner_cannot_upload(community, member_at):
    with pytest.raises(PermissionDenied):
        add_resource(
            actor=member_at(Stage.PERIPHERAL),
            community=community,
            title="x",
            url="https://example.org",
        )


def test_a_refused_upload_names_the_reason_beside_the_field(client, community, member_at):
    client.force_login(member_at(Stage.PARTICIPANT))
    response = client.post(
        f"/c/{community.slug}/library/resources/new/",
        {
            "title": "Policy",
            "file": SimpleUploadedFile("policy.pdf", b"<html><body>hi</body></html>"),
        },
    )
    assert response.status_code == 400
    assert "web page" in response.content.decode()
    assert 'value="Policy"' in response.content.decode()


def test_a_link_resource(community, member_at):
    resource = add_resource(
        actor=member_at(Stage.PARTICIPANT),
        community=community,
        title="NEWS2 chart",
        url="https://www.rcp.ac.uk/",
    )
    assert resource.kind == "link"
    with pytest.raises(ValidationError):
        add_resource(actor=member_at(Stage.PARTICIPANT), community=community, title="Nothing")
