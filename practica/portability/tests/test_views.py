"""The steward's export button: asks the worker, shows progress, offers the download."""

import io
import zipfile

import pytest

from practica.communities.stages import Stage
from practica.portability.models import CommunityExport

pytestmark = pytest.mark.django_db


def test_the_settings_page_offers_the_export_to_stewards(client, community, member_at):
    client.force_login(member_at(Stage.STEWARD))
    page = client.get(f"/c/{community.slug}/settings/")
    assert b"Export the community" in page.content


def test_a_full_member_may_not_export_and_is_told_which_stage_may(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    response = client.post(f"/c/{community.slug}/settings/export/start/")
    assert response.status_code == 403
    assert "Steward" in response.content.decode()
    assert not CommunityExport.objects.exists()
    assert client.get(f"/c/{community.slug}/settings/export/").status_code == 403


def test_a_steward_exports_and_downloads_the_archive(
    client, community, member_at, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    steward = member_at(Stage.STEWARD)
    client.force_login(steward)
    # The test settings run tasks at once: the worker has built it when the POST returns.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/c/{community.slug}/settings/export/start/")
    assert response.status_code == 302
    export = CommunityExport.objects.get()
    assert export.status == "done" and export.requested_by == steward
    with django_assert_max_num_queries(12):
        page = client.get(f"/c/{community.slug}/settings/export/")
    assert f"Download {export.filename}".encode() in page.content
    download = client.get(f"/c/{community.slug}/settings/export/{export.pk}/download/")
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "manifest.json" in archive.namelist() and "members.jsonl" in archive.namelist()


def test_an_export_being_written_shows_its_progress(client, community, member_at):
    client.force_login(member_at(Stage.STEWARD))
    CommunityExport.objects.create(
        community=community, status="running", done_rows=30, total_rows=120
    )
    page = client.get(f"/c/{community.slug}/settings/export/", HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert 'aria-valuenow="25"' in body and "30 of 120 rows written" in body
    assert 'hx-trigger="every 2s"' in body and "<html" not in body
