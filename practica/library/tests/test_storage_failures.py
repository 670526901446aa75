"""A file store that is full or read-only: a clear message on the form, everything typed
kept, and nothing half-written (no resource, no version, no partial file on disk)."""

from __future__ import annotations

import errno
import os

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practica.communities.stages import Stage
from practica.library.models import Resource, ResourceVersion
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

CSV = b"bed,nurse,falls risk\n" + b"4,Mira Okafor,high\n" * 400


class FailingStorage(FileSystemStorage):
    """A real file store on disk that runs out of room (or turns read-only) part-way
    through writing a file, as a full volume does: half the bytes land, then OSError."""

    failure = errno.ENOSPC

    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content.read()
        with open(path, "wb") as handle:
            handle.write(data[: len(data) // 2])
        raise OSError(self.failure, os.strerror(self.failure), path)


class ReadOnlyStorage(FailingStorage):
    failure = errno.EROFS


@pytest.fixture
def failing_storage(settings, tmp_path, request):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.{request.param.__name__}"},
    }
    return tmp_path


def _files_under(root) -> list[str]:
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


@pytest.mark.parametrize(
    ("failing_storage", "says"),
    [(FailingStorage, "the file store is full"), (ReadOnlyStorage, "read-only")],
    indirect=["failing_storage"],
    ids=["disk-full", "read-only"],
)
def test_an_upload_the_storage_refuses_says_so_and_keeps_what_was_typed(
    client, community, failing_storage, says
):
    client.force_login(MembershipFactory(community=community, stage=Stage.PARTICIPANT).user)
    url = reverse("library:resource-new", args=[community.slug])
    response = client.post(
        url,
        {
            "title": "Night bed board for ward 7",
            "description": "Which nurse has which bed, with falls risk, for the night huddle.",
            "file": SimpleUploadedFile("beds.csv", CSV),
        },
    )
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert says in page
    assert "Nothing was added" in page
    assert 'value="Night bed board for ward 7"' in page
    assert "Which nurse has which bed, with falls risk, for the night huddle." in page
    assert not Resource.objects.filter(community=community).exists()
    assert not ResourceVersion.objects.exists()
    assert _files_under(failing_storage) == []  # the half-written file was removed


@pytest.mark.parametrize("failing_storage", [FailingStorage], indirect=True)
def test_a_new_version_the_storage_refuses_leaves_the_resource_as_it_was(
    client, community, failing_storage, settings
):
    from practica.library.services.resources import add_resource

    member = MembershipFactory(community=community, stage=Stage.PARTICIPANT).user
    working = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    broken = settings.STORAGES
    settings.STORAGES = working
    resource = add_resource(
        actor=member,
        community=community,
        title="Bed board",
        uploaded=SimpleUploadedFile("b.csv", CSV),
    )
    before = _files_under(failing_storage)
    settings.STORAGES = broken
    client.force_login(member)
    response = client.post(
        reverse("library:resource-version-new", args=[community.slug, resource.pk]),
        {"file": SimpleUploadedFile("beds.csv", CSV), "note": "Updated for the night shift"},
    )
    assert response.status_code == 400
    assert "the file store is full" in response.content.decode()
    assert resource.versions.count() == 1
    assert _files_under(failing_storage) == before
