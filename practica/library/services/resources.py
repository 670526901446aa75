"""Resources: uploaded files (checked by content, versions kept) and external links."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import uuid
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from practica.communities.capabilities import Capability, CapabilityDenied, can, require
from practica.library.models import Resource, ResourceKind, ResourceVersion
from practica.library.uploads import UploadRefused, sniff
from practica.privacy.guard import screen
from practica.reliability.idempotency import once_per_key

log = logging.getLogger("practica.library.resources")

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def storage_refusal(error: OSError) -> str:
    """What to tell a member whose file the storage could not take."""
    if error.errno in _FULL:
        reason = "the file store is full"
    elif error.errno in _READ_ONLY:
        reason = "the file store is read-only at the moment"
    else:
        reason = "the file store did not accept it"
    return (
        f"The file could not be saved: {reason}. Nothing was added; what you typed is kept. "
        "Please try again later, or tell a steward if it keeps happening."
    )


@contextmanager
def _files_undone_on_failure():
    """Names stored inside the block are deleted again if the block fails, so a refused or
    rolled-back upload leaves no file (or half a file) behind."""
    from django.core.files.storage import default_storage

    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            try:
                default_storage.delete(name)
            except OSError:
                log.warning("could not remove an unsaved upload", extra={"name": name})
        raise


def _store_version(
    resource: Resource, *, actor, uploaded, stored: list[str], note: str = ""
) -> ResourceVersion:
    try:
        file_type = sniff(uploaded)
    except UploadRefused as refused:
        raise ValidationError({"file": str(refused)}) from refused
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    last = resource.versions.aggregate(last=Max("number"))["last"] or 0
    original = os.path.basename(uploaded.name or "file")[:150]
    stem = os.path.splitext(original)[0] or "file"
    version = ResourceVersion(
        resource=resource,
        number=last + 1,
        original_name=f"{stem}.{file_type.extension}",
        file_type=file_type.extension,
        content_type=file_type.content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        note=note.strip()[:300],
    )
    # Stored under a random name: what members called the file never reaches the disk path.
    name = f"library/{resource.community_id}/{uuid.uuid4().hex}.{file_type.extension}"
    # Undone if the storage fails half-way or the transaction rolls back.
    stored.append(version.file.field.generate_filename(version, name))
    try:
        version.file.save(name, uploaded, save=False)
    except OSError as error:
        log.warning("upload refused by storage", extra={"errno": error.errno})
        raise ValidationError({"file": storage_refusal(error)}) from error
    if version.file.name != name:
        stored.append(version.file.name)
    version.full_clean(exclude=["resource"])
    version.save()
    resource.current_version = version
    resource.updated_at = version.created_at
    return version


@once_per_key("library.add_resource")
def add_resource(
    *,
    actor,
    community,
    title: str,
    description: str = "",
    topics=(),
    uploaded=None,
    url: str = "",
    confirm_guard: bool = False,
) -> Resource:
    """A new resource: an uploaded file, or an external link when `url` is given.

    Raises PatientDataFound for its title or description (see privacy.guard)."""
    require(actor, Capability.UPLOAD_RESOURCE, community=community)
    if bool(uploaded) == bool(url):
        raise ValidationError("Choose a file to upload or give a link, not both.")
    screening = screen(
        actor=actor,
        community=community,
        where="resource",
        texts={"title": title, "description": description},
        confirmed=confirm_guard,
    )
    resource = Resource(
        community=community,
        kind=ResourceKind.FILE if uploaded else ResourceKind.LINK,
        title=" ".join(title.split()),
        description=description.strip(),
        url=url.strip(),
        added_by=actor,
    )
    with _files_undone_on_failure() as stored, transaction.atomic():
        resource.full_clean()
        resource.save()
        if uploaded:
            _store_version(resource, actor=actor, uploaded=uploaded, stored=stored)
            resource.save()
        resource.topics.set([t for t in topics if t.community_id == community.pk])
        screening.record(resource)
    return resource


def may_change(actor, resource: Resource) -> bool:
    """Whoever added a resource may replace its file; so may those who edit the library."""
    community = resource.community
    if can(actor, Capability.EDIT_ARTICLE, community=community):
        return True
    return resource.added_by_id == actor.pk and can(
        actor, Capability.UPLOAD_RESOURCE, community=community
    )


@once_per_key("library.upload_new_version")
def upload_new_version(*, actor, resource: Resource, uploaded, note: str = "") -> ResourceVersion:
    """Replace the file; earlier versions stay downloadable."""
    require(actor, Capability.UPLOAD_RESOURCE, community=resource.community)
    if not may_change(actor, resource):
        raise CapabilityDenied(
            "Only the person who added this resource or a full member can replace it."
        )
    if resource.kind != ResourceKind.FILE:
        raise ValidationError("A link has no file to replace.")
    with _files_undone_on_failure() as stored, transaction.atomic():
        locked = Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
        locked.community = resource.community
        version = _store_version(locked, actor=actor, uploaded=uploaded, stored=stored, note=note)
        locked.save()
    resource.current_version = version
    resource.updated_at = locked.updated_at or timezone.now()
    return version
